"""The claim cache: hits, invalidation by content, lexicon, rule and code version, a corrupt
or foreign cache rebuilt with one warning, no spaCy on a fully cached run, concurrent runs."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import HOUSE_FORBID, run_cli

from auditor import cache as cache_module
from auditor.config import Config
from auditor.runner import Auditor, Selection

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"

# the house forbid rule of the other tests, with its phrase as a field, and a limit
PACK = HOUSE_FORBID.replace("phrase: completely safe", "phrase: {phrase}") + """\
  - id: house.clonazepam-cap
    type: limit
    severity: error
    message: "{{drug}}: {{claim_daily}} {{claim_unit}}/day is above {{ref_value}} {{ref_unit}}/day."
    description: A house limit.
    select: {{drug: clonazepam, attribute: [dose.max, dose.typical, dose.start, dose.mention]}}
    reference: {{value: {cap}, unit: mg, per: day}}
    compare: "<="
    source: {{title: House style, section: "1", quote: "a house limit", url: "https://example.org/house"}}
    reviewed: 2026-01-01
"""


def _pack(folder: Path, phrase: str = "completely safe", cap: float = 100) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "house.yaml").write_text(PACK.format(phrase=phrase, cap=cap), encoding="utf-8")
    return folder


def _articles(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.md").write_text("# Clonazepam\n\nClonazepam is completely safe. Adults take 3 mg a day.\n", encoding="utf-8")
    (folder / "b.md").write_text("# Lorazepam\n\nLorazepam is usually taken at 2 mg a day.\n", encoding="utf-8")
    (folder / "c.md").write_text("# Sertraline\n\nThe usual sertraline dose is 50 mg once a day.\n", encoding="utf-8")
    return folder


def _run(articles: Path, cache_dir: Path, config: Config | None = None, rules: list[Path] = ()):
    """(report record, hits, misses) of one run through the claim cache."""
    auditor = Auditor(config or Config(), rules, cache_dir=cache_dir, warn=lambda m: pytest.fail(f"unexpected warning: {m}"))
    report = auditor.finish(auditor.results(Selection([str(articles)]), lambda m: None))
    hits, misses = auditor.cache.hits, auditor.cache.misses
    auditor.cache.close()
    return report.to_record(), hits, misses


def test_a_second_run_parses_nothing_and_finds_the_same(tmp_path):
    articles = _articles(tmp_path / "articles")
    cold, hits, misses = _run(articles, tmp_path / "cache")
    assert (hits, misses) == (0, 3)
    warm, hits, misses = _run(articles, tmp_path / "cache")
    assert (hits, misses) == (3, 0)
    assert warm == cold and cold["summary"]["claims"] > 0


def test_a_changed_file_is_the_only_one_parsed_again(tmp_path):
    articles = _articles(tmp_path / "articles")
    _run(articles, tmp_path / "cache")
    (articles / "b.md").write_text("# Lorazepam\n\nLorazepam is usually taken at 4 mg a day.\n", encoding="utf-8")
    report, hits, misses = _run(articles, tmp_path / "cache")
    assert (hits, misses) == (2, 1)
    quotes = {f["quote"] for f in report["findings"]} | {
        c["quote"] for f in report["findings"] if f["claim"] for c in [f["claim"]]}
    assert "2 mg" not in quotes


def test_a_lexicon_change_invalidates_every_file(tmp_path):
    articles = _articles(tmp_path / "articles")
    lexicon = tmp_path / "extra.yaml"
    lexicon.write_text("drugs:\n  - generic: examplamine\n    brands: [Examplex]\n", encoding="utf-8")
    config = Config(lexicon=[lexicon])
    _run(articles, tmp_path / "cache", config)
    assert _run(articles, tmp_path / "cache", config)[1:] == (3, 0)
    lexicon.write_text("drugs:\n  - generic: examplamine\n    brands: [Examplex, Exampla]\n", encoding="utf-8")
    assert _run(articles, tmp_path / "cache", config)[1:] == (0, 3)


def test_a_phrase_rule_change_invalidates_a_limit_change_does_not(tmp_path):
    articles = _articles(tmp_path / "articles")
    rules = _pack(tmp_path / "house")
    first, _, _ = _run(articles, tmp_path / "cache", rules=[rules])
    assert any(f["rule"] == "house.no-safe-claims" for f in first["findings"])
    assert not any(f["rule"] == "house.clonazepam-cap" for f in first["findings"])
    # a limit is checked on the cached claims: nothing is parsed, the finding appears
    _pack(rules, cap=1)
    capped, hits, misses = _run(articles, tmp_path / "cache", rules=[rules])
    assert (hits, misses) == (3, 0)
    assert any(f["rule"] == "house.clonazepam-cap" for f in capped["findings"])
    # a forbidden phrase is matched while parsing: every file is parsed again
    _pack(rules, phrase="usually taken", cap=1)
    changed, hits, misses = _run(articles, tmp_path / "cache", rules=[rules])
    assert (hits, misses) == (0, 3)
    assert [f["path"] for f in changed["findings"] if f["rule"] == "house.no-safe-claims"] == [str(articles / "b.md")]


def test_a_pack_read_before_is_still_validated_when_it_changes(tmp_path):
    articles = _articles(tmp_path / "articles")
    rules = _pack(tmp_path / "house")
    _run(articles, tmp_path / "cache", rules=[rules])
    text = (rules / "house.yaml").read_text(encoding="utf-8")
    (rules / "house.yaml").write_text(text.replace("severity: error", "severity: fatal"), encoding="utf-8")
    result = _cli(articles, tmp_path / "cache", "--rules", str(rules))
    assert result.exit_code == 2 and "house.yaml:" in result.stderr and "fatal" in result.stderr


def test_a_code_change_invalidates_every_file(tmp_path, monkeypatch):
    articles = _articles(tmp_path / "articles")
    _run(articles, tmp_path / "cache")
    monkeypatch.setattr(cache_module, "code_version", lambda: "another build")
    assert _run(articles, tmp_path / "cache")[1:] == (0, 3)
    assert _run(articles, tmp_path / "cache")[1:] == (3, 0)


def test_the_code_version_follows_the_extraction_source(tmp_path, monkeypatch):
    package = tmp_path / "auditor"
    shutil.copytree(REPO / "auditor", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_module, "PACKAGE", package)

    def version() -> str:
        cache_module._code_version.cache_clear()  # computed once per process
        return cache_module.code_version()

    before = version()
    with open(package / "reports" / "text.py", "a", encoding="utf-8") as f:
        f.write("\n# a report change\n")
    assert version() == before  # reports run after the cache
    with open(package / "pipeline" / "layout.py", "a", encoding="utf-8") as f:
        f.write("\n# a pipeline change\n")
    assert version() != before
    (package / "schema" / "rules.schema.json").write_text("{}", encoding="utf-8")
    assert version() != before


def _cli(articles: Path, cache_dir: Path, *extra: str):
    return run_cli("check", str(articles), "--format", "json", "--cache-dir", str(cache_dir), *extra)


def _warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_a_corrupt_cache_is_rebuilt_with_one_warning(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    expected = _cli(articles, cache_dir, "--no-cache")
    cache_dir.mkdir()
    (cache_dir / cache_module.FILENAME).write_bytes(b"this is not a database\0" * 200)
    result = _cli(articles, cache_dir)
    assert result.exit_code == expected.exit_code and result.stdout == expected.stdout
    lines = _warnings(result)
    assert len(lines) == 1 and "claim cache" in lines[0] and "Traceback" not in result.output
    again = _cli(articles, cache_dir)
    assert _warnings(again) == [] and again.stdout == expected.stdout
    assert _run(articles, cache_dir)[1:] == (3, 0)


def test_a_cache_from_another_version_is_rebuilt_with_one_warning(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    _run(articles, cache_dir)
    db = sqlite3.connect(cache_dir / cache_module.FILENAME)
    with db:
        db.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'version'")
    db.close()
    result = _cli(articles, cache_dir)
    lines = _warnings(result)
    assert len(lines) == 1 and "0.0.1" in lines[0]
    assert _run(articles, cache_dir)[1:] == (3, 0)


def test_a_damaged_entry_is_parsed_again(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    cold = _run(articles, cache_dir)[0]
    db = sqlite3.connect(cache_dir / cache_module.FILENAME)
    with db:
        db.execute("UPDATE results SET data = '{\"path\": 1' WHERE path LIKE '%a.md'")
    db.close()
    report, hits, misses = _run(articles, cache_dir)
    assert (hits, misses) == (2, 1) and report == cold


def test_no_cache_neither_reads_nor_writes(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    result = _cli(articles, cache_dir, "--no-cache")
    assert result.exit_code in (0, 1) and not cache_dir.exists()


def test_the_default_cache_lives_beside_the_config(tmp_path):
    articles = _articles(tmp_path / "articles")
    (tmp_path / "auditor.yaml").write_text("fail_on: never\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "AUDITOR_CACHE_DIR"}
    out = subprocess.run([sys.executable, "-m", "auditor", "check", str(articles)], cwd=articles, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / ".auditor-cache" / cache_module.FILENAME).is_file()
    assert "*" in (tmp_path / ".auditor-cache" / ".gitignore").read_text(encoding="utf-8")


WARM_PROBE = textwrap.dedent("""
    import sys
    from auditor.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
    print("spacy imported" if "spacy" in sys.modules else "spacy not imported", file=sys.stderr)
""")


def test_a_fully_cached_run_does_not_import_spacy(tmp_path):
    articles = _articles(tmp_path / "articles")
    shutil.copy(CORPUS / "clonazepam-dosage-guide.html", articles / "guide.html")
    cache_dir = tmp_path / "cache"
    args = [sys.executable, "-c", WARM_PROBE, "check", str(articles), "--cache-dir", str(cache_dir),
            "--format", "json", "--format", f"sarif={tmp_path / 'out.sarif'}"]
    env = {k: v for k, v in os.environ.items() if k != "AUDITOR_CACHE_DIR"}
    cold = subprocess.run(args, capture_output=True, text=True, env=env)
    warm = subprocess.run(args, capture_output=True, text=True, env=env)
    assert cold.stderr.strip().splitlines()[-1] == "spacy imported"
    assert warm.stderr.strip().splitlines()[-1] == "spacy not imported"
    assert warm.stdout == cold.stdout and json.loads(warm.stdout)["findings"]


def test_two_runs_can_share_a_cache_at_once(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    for n in range(6):
        for source in sorted(CORPUS.iterdir()):
            if source.suffix in (".md", ".html"):
                shutil.copy(source, articles / f"{n}-{source.name}")
    cache_dir = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "AUDITOR_CACHE_DIR"}
    args = [sys.executable, "-m", "auditor", "check", str(articles), "--cache-dir", str(cache_dir),
            "--format", "json", "--jobs", "1"]
    runs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outs = [r.communicate(timeout=600) for r in runs]
    assert [r.returncode for r in runs] == [1, 1], [e for _, e in outs]
    assert outs[0][0] == outs[1][0] and all(e == "" for _, e in outs)
    expected = subprocess.run([*args, "--no-cache"], capture_output=True, text=True, env=env)
    assert outs[0][0] == expected.stdout
    auditor = Auditor(Config())
    auditor.use_cache(cache_dir, lambda m: pytest.fail(m))
    list(auditor.results(Selection([str(articles)]), lambda m: None))
    assert auditor.cache.misses == 0 and auditor.cache.hits == len(list(articles.iterdir()))


def test_library_versions_are_read_without_importing_the_libraries():
    import subprocess
    import sys

    code = ("import sys; from auditor.cache import library_versions, EXTRACTION_LIBRARIES, REPORT_LIBRARIES; "
            "print(library_versions(EXTRACTION_LIBRARIES + REPORT_LIBRARIES)); "
            "print(sorted(m for m in ('spacy', 'markdown_it', 'yaml', 'numpy', 're2', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    from importlib.metadata import version

    import markdown_it
    import spacy
    import yaml

    versions = dict(part.split("=", 1) for part in out[0].split())
    assert versions["spacy"] == spacy.__version__ and versions["markdown-it-py"] == markdown_it.__version__
    assert versions["PyYAML"] == yaml.__version__ and versions["rich"] == version("rich")
    assert versions["python"].startswith(f"{sys.version_info[0]}.{sys.version_info[1]}.")
    assert out[1] == "[]"
    from auditor.cache import library_versions

    assert library_versions((("no_such_module_here", "no-such-dist"),)).endswith("no-such-dist=unknown")


def test_the_merged_lexicon_is_remembered_and_read_back_whole(tmp_path):
    import sqlite3

    from auditor.cache import ClaimCache
    from auditor.lexicon import load_lexicon
    from auditor.paths import bundled_rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir() / "lexicon", rules / "lexicon")
    plain = load_lexicon([rules])
    cache = ClaimCache(tmp_path / "cache", None, lambda m: pytest.fail(m))
    first = load_lexicon([rules], cache.memo)
    db = sqlite3.connect(tmp_path / "cache" / "claims.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM loaded WHERE kind = 'lexicon-state'").fetchone()[0] == 1
    again = load_lexicon([rules], cache.memo)
    assert again == first == plain and again.acronyms == plain.acronyms and again.sources == plain.sources
    assert list(again.drug_terms) == list(plain.drug_terms)  # the same order too
    with db:  # a state that is not one: the files are read again
        db.execute("UPDATE loaded SET data = '{\"drug_terms\": 3}' WHERE kind = 'lexicon-state'")
    assert load_lexicon([rules], cache.memo) == plain
    (rules / "lexicon" / "zz-extra.yaml").write_text("drugs:\n  - generic: zzexamplezine\n", encoding="utf-8")
    changed = load_lexicon([rules], cache.memo)
    assert "zzexamplezine" in changed.drug_terms and changed == load_lexicon([rules])
    db.close()
