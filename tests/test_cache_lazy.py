"""Claims read from the claim cache only when something uses them.

A ``check`` run whose findings and consistency findings are stored reports from those and
from each file's claim count, without reading the claims; a run that needs them (consistency
checked again, the html report, the ``claims`` command) reads them, and claims that do not
read back then are those of the file parsed again, with one warning line.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers import run_cli

from auditor import cache as cache_module
from auditor import runner
from auditor.config import Config
from auditor.runner import Auditor, Selection

ARTICLES = {
    "a.md": "# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 4 mg a day.\n",
    "b.md": "# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 20 mg a day.\n",
    "c.md": "# Sertraline\n\nThe usual sertraline dose is 50 mg once a day.\n",
}
NEW = "# Clonazepam\n\nClonazepam is usually started at 0.25 mg twice a day.\n"


def _articles(folder: Path) -> Path:
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _check(articles: Path, cache_dir: Path | None, *formats: str):
    args = ["check", str(articles), "--fail-on", "never", *(a for f in formats or ("json",) for a in ("--format", f))]
    return run_cli(*args, *(["--no-cache"] if cache_dir is None else ["--cache-dir", str(cache_dir)]))


def _damage(cache_dir: Path, name: str, column: str, table: str = "results") -> None:
    """Damage one stored part of a file's entry, and forget the stored reports (which would
    be written again without reading any entry: tests/test_stored_reports.py)."""
    db = sqlite3.connect(cache_dir / cache_module.FILENAME)
    with db:
        changed = db.execute(f"UPDATE {table} SET {column} = '[1, 2' WHERE path LIKE ?", (f"%{name}",)).rowcount
        db.execute("DELETE FROM reports")
    db.close()
    assert changed == 1


def _warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_a_fully_stored_run_never_reads_the_claims(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    cold = _check(articles, cache_dir)
    for name in ARTICLES:  # claims that could not be read back: a run that read them would parse again and say so
        _damage(cache_dir, name, "data")
    warm = _check(articles, cache_dir)
    assert _warnings(warm) == [] and warm.stdout == cold.stdout
    assert json.loads(warm.stdout)["summary"]["claims"] == json.loads(cold.stdout)["summary"]["claims"] > 0
    db = sqlite3.connect(cache_dir / cache_module.FILENAME)
    stored = [data for (data,) in db.execute("SELECT data FROM results")]
    db.close()
    assert stored == ["[1, 2"] * len(ARTICLES)  # no file was parsed again (that would have replaced its entry)


def test_a_fully_stored_run_reads_no_claim_however_many_it_holds(tmp_path, monkeypatch):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    cold = _check(articles, cache_dir)
    for name in ARTICLES:
        _damage(cache_dir, name, "data")
    monkeypatch.setattr(runner, "SPILL_CLAIMS", 1)  # more claims than a run holds in memory: not read, not spilled
    warm = _check(articles, cache_dir)
    assert _warnings(warm) == [] and warm.stdout == cold.stdout


def test_cached_claims_past_what_a_run_holds_are_spilled_when_consistency_is_checked_again(tmp_path, monkeypatch):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    _check(articles, cache_dir)
    (articles / "d.md").write_text(NEW, encoding="utf-8")  # the consistency findings are checked again
    expected = _check(articles, None)
    spilled: list[object] = []
    add_claim = runner.RunStore.add_claim
    monkeypatch.setattr(runner.RunStore, "add_claim", lambda store, claim, groups: (spilled.append(claim),
                                                                                     add_claim(store, claim, groups)))
    monkeypatch.setattr(runner, "SPILL_CLAIMS", 2)
    warm = _check(articles, cache_dir)
    assert warm.stdout == expected.stdout and _warnings(warm) == []
    assert len(spilled) == len(ARTICLES) + 1  # every claim went to the run's store, none grouped in memory


def test_damaged_claims_read_for_the_consistency_step_are_parsed_again_with_one_warning(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    _check(articles, cache_dir)
    _damage(cache_dir, "a.md", "data")
    (articles / "d.md").write_text(NEW, encoding="utf-8")  # a new file: the consistency findings are checked again
    warm = _check(articles, cache_dir)
    expected = _check(articles, None)
    lines = _warnings(warm)
    assert len(lines) == 1 and "a.md" in lines[0] and "claim cache" in lines[0], lines
    assert "Traceback" not in warm.output and warm.exit_code == expected.exit_code
    assert warm.stdout == expected.stdout
    assert any(f["rule"] == "consistency.maximum-dose" for f in json.loads(warm.stdout)["findings"])
    again = _check(articles, cache_dir)  # the file parsed again replaced the damaged entry
    assert _warnings(again) == [] and again.stdout == expected.stdout


def test_damaged_matches_needed_when_stored_findings_do_not_read_back_are_parsed_again(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    cold = _check(articles, cache_dir)
    _damage(cache_dir, "b.md", "data", table="findings")
    _damage(cache_dir, "b.md", "matches")
    warm = _check(articles, cache_dir)
    lines = _warnings(warm)
    assert len(lines) == 1 and "b.md" in lines[0], lines
    assert warm.stdout == cold.stdout


def test_an_entry_gone_before_its_claims_are_read_is_parsed_again(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    expected = _check(articles, cache_dir)
    said: list[str] = []
    auditor = Auditor(Config(), cache_dir=cache_dir, warn=said.append)
    auditor.claims_later = True
    results = list(auditor.results(Selection([str(articles)]), said.append))
    assert [r.claim_count() for r in results] == [1, 1, 1]
    db = sqlite3.connect(cache_dir / cache_module.FILENAME)
    with db:
        db.execute("DELETE FROM results WHERE path LIKE '%c.md'")
    db.close()
    assert [c.drug for c in results[0].claims] == ["clonazepam"]  # read now, from the cache
    assert said == []
    assert [c.drug for c in results[2].claims] == ["sertraline"]  # parsed again
    assert len(said) == 1 and "c.md" in said[0]
    assert (auditor.cache.hits, auditor.cache.misses) == (2, 1)
    auditor.cache.close()
    assert json.loads(expected.stdout)["summary"]["files"] == 3


@pytest.mark.parametrize("fmt", ["jsonl", "json", "table"])
def test_the_claims_command_on_a_warm_cache_prints_the_cold_output(tmp_path, fmt):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    cold = run_cli("claims", str(articles), "--format", fmt, "--no-cache")
    _check(articles, cache_dir)  # fills the cache, findings included
    warm = run_cli("claims", str(articles), "--format", fmt, "--cache-dir", str(cache_dir))
    assert warm.exit_code == cold.exit_code == 0
    assert warm.stdout == cold.stdout and "4 mg" in cold.stdout
    assert _warnings(warm) == []


def test_the_claims_command_parses_a_file_whose_claims_do_not_read_back(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    cold = run_cli("claims", str(articles), "--format", "jsonl", "--no-cache")
    _check(articles, cache_dir)
    _damage(cache_dir, "a.md", "data")
    warm = run_cli("claims", str(articles), "--format", "jsonl", "--cache-dir", str(cache_dir))
    assert warm.stdout == cold.stdout and "Traceback" not in warm.output


def test_reports_that_show_claims_read_them_from_a_warm_cache(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    outputs = []
    for cache in (None, cache_dir, cache_dir):
        html = tmp_path / f"report-{len(outputs)}.html"
        result = _check(articles, cache, "json", f"html={html}")
        outputs.append((result.stdout, html.read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1] == outputs[2]
    assert "20 mg" in outputs[2][1]


def test_a_warm_run_writes_nothing_to_the_cache(tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    _check(articles, cache_dir)
    db = cache_dir / cache_module.FILENAME
    before = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(cache_dir.iterdir())]
    warm = _check(articles, cache_dir)
    assert [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(cache_dir.iterdir())] == before
    assert db.is_file() and warm.exit_code == 0


def test_the_environments_used_last_keep_their_results(tmp_path, monkeypatch):
    from auditor.cache import ClaimCache
    from auditor.docresult import DocumentResult

    monkeypatch.setattr(cache_module, "KEEP_ENVIRONMENTS", 2)

    def use(env: str, put: bool = False) -> bool:
        cache = ClaimCache(tmp_path / "cache", env, lambda m: pytest.fail(m))
        if put:
            cache.put([("digest", DocumentResult("a.md"))])
        found = cache.get("a.md", "digest") is not None
        cache.close()
        return found

    assert use("A", put=True) and use("B", put=True)
    assert use("A") and use("A")  # A used after B; the second time it is the one used last already
    assert use("C", put=True)  # drops the environment used least lately: B
    assert use("A") and not use("B")


def test_a_run_holds_the_unread_claims_of_so_many_cached_results_only(tmp_path, monkeypatch):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    cold = _check(articles, cache_dir)
    db = sqlite3.connect(cache_dir / cache_module.FILENAME)
    with db:
        db.execute("DELETE FROM reports")
    db.close()
    spilled: list[object] = []
    add_claim = runner.RunStore.add_claim
    monkeypatch.setattr(runner.RunStore, "add_claim", lambda store, claim, groups: (spilled.append(claim),
                                                                                     add_claim(store, claim, groups)))
    monkeypatch.setattr(runner, "SPILL_RESULTS", 2)  # memory bounded by results too: claims read and moved
    warm = _check(articles, cache_dir)
    assert warm.stdout == cold.stdout and _warnings(warm) == []
    assert len(spilled) == 2  # the first two results' claims; the third is held unread
