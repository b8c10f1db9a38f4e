"""The findings in the claim cache: per-document findings and the run's consistency findings
are read back for an unchanged corpus, and a changed rule, config or document re-checks exactly
what it must, with the findings of a run without the cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from auditor import cache as cache_module
from auditor.config import Config
from auditor.runner import Auditor, Selection

PACK = """\
pack: house
rules:
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


def _articles(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.md").write_text("# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 4 mg a day.\n",
                                 encoding="utf-8")
    (folder / "b.md").write_text("# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 20 mg a day.\n",
                                 encoding="utf-8")
    (folder / "c.md").write_text("# Sertraline\n\nThe usual sertraline dose is 50 mg once a day.\n", encoding="utf-8")
    return folder


def _pack(folder: Path, cap: float) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "house.yaml").write_text(PACK.format(cap=cap), encoding="utf-8")
    return folder


def _run(articles: Path, cache_dir: Path | None, config: Config | None = None, rules: list[Path] = ()) -> dict:
    """The report record of one run, with what the cache gave (None: without the cache)."""
    auditor = Auditor(config or Config(), rules, cache_dir=cache_dir,
                      warn=lambda m: pytest.fail(f"unexpected warning: {m}"))
    report = auditor.finish(auditor.results(Selection([str(articles)]), lambda m: None))
    out = {"report": report.to_record()}
    if auditor.cache is not None:
        c = auditor.cache
        out.update(parsed=c.misses, checked=c.hits + c.misses - c.findings_hits, consistency_cached=c.run_hits == 1)
        c.close()
    return out


def _rules(record: dict) -> list[tuple[str, str, str]]:
    return [(f["rule"], Path(f["path"]).name, f["severity"]) for f in record["report"]["findings"]]


def test_an_unchanged_corpus_is_neither_parsed_nor_checked_again(tmp_path):
    articles = _articles(tmp_path / "articles")
    cold = _run(articles, tmp_path / "cache")
    assert (cold["parsed"], cold["checked"], cold["consistency_cached"]) == (3, 3, False)
    warm = _run(articles, tmp_path / "cache")
    assert (warm["parsed"], warm["checked"], warm["consistency_cached"]) == (0, 0, True)
    assert warm["report"] == cold["report"] == _run(articles, None)["report"]
    assert ("consistency.maximum-dose", "a.md", "warning") in _rules(warm)
    assert ("clonazepam.panic.max-daily", "b.md", "error") in _rules(warm)


def test_a_changed_document_re_checks_it_and_the_consistency(tmp_path):
    articles = _articles(tmp_path / "articles")
    _run(articles, tmp_path / "cache")
    (articles / "b.md").write_text("# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 4 mg a day.\n",
                                   encoding="utf-8")
    changed = _run(articles, tmp_path / "cache")
    assert (changed["parsed"], changed["checked"], changed["consistency_cached"]) == (1, 1, False)
    assert changed["report"] == _run(articles, None)["report"]
    rules = [rule for rule, _, _ in _rules(changed)]
    assert "consistency.maximum-dose" not in rules and "clonazepam.panic.max-daily" not in rules
    again = _run(articles, tmp_path / "cache")
    assert (again["parsed"], again["checked"], again["consistency_cached"]) == (0, 0, True)
    assert again["report"] == changed["report"]


def test_a_rule_change_re_checks_every_document_and_parses_none(tmp_path):
    articles = _articles(tmp_path / "articles")
    house = _pack(tmp_path / "house", cap=100)
    first = _run(articles, tmp_path / "cache", rules=[house])
    assert "house.clonazepam-cap" not in [rule for rule, _, _ in _rules(first)]
    _pack(house, cap=10)
    capped = _run(articles, tmp_path / "cache", rules=[house])
    assert (capped["parsed"], capped["checked"], capped["consistency_cached"]) == (0, 3, False)
    assert [name for rule, name, _ in _rules(capped) if rule == "house.clonazepam-cap"] == ["b.md"]
    assert capped["report"] == _run(articles, None, rules=[house])["report"]
    assert _run(articles, tmp_path / "cache", rules=[house])["checked"] == 0


@pytest.mark.parametrize(("config", "parsed"), [
    (Config(severity={"clonazepam.panic.max-daily": "info"}), 0),
    (Config(disable=["consistency.*"]), 0),
    (Config(disable=["clonazepam.panic.*"]), 0),
    (Config(disable=["clonazepam.*"]), 3),  # a require rule among them: its phrases are matched while parsing
], ids=["severity", "disable-consistency", "disable-limits", "disable-require"])
def test_a_config_change_re_checks_every_document(tmp_path, config, parsed):
    articles = _articles(tmp_path / "articles")
    before = _run(articles, tmp_path / "cache")
    after = _run(articles, tmp_path / "cache", config)
    assert (after["parsed"], after["checked"], after["consistency_cached"]) == (parsed, 3, False)
    assert after["report"] != before["report"]
    assert after["report"] == _run(articles, None, config)["report"]
    back = _run(articles, tmp_path / "cache")  # the first config again: its findings are still there
    assert back["report"] == before["report"] and back["parsed"] == 0


def test_a_code_change_re_checks_every_document(tmp_path, monkeypatch):
    articles = _articles(tmp_path / "articles")
    cold = _run(articles, tmp_path / "cache")
    monkeypatch.setattr(cache_module, "all_code_version", lambda: "another build")
    changed = _run(articles, tmp_path / "cache")
    assert (changed["parsed"], changed["checked"], changed["consistency_cached"]) == (0, 3, False)
    assert changed["report"] == cold["report"]


def test_stored_findings_are_new_objects_every_time(tmp_path):
    """The run numbers repeated fingerprints in place: a stored finding must not be shared."""
    articles = tmp_path / "articles"
    articles.mkdir()
    text = "# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 20 mg a day.\n"
    (articles / "a.md").write_text(text + "\n" + text, encoding="utf-8")  # the same sentence twice
    cold = _run(articles, tmp_path / "cache")
    prints = [f["fingerprint"] for f in cold["report"]["findings"] if f["rule"] == "clonazepam.panic.max-daily"]
    assert len(prints) == 2 and len(set(prints)) == 2
    auditor = Auditor(Config(), cache_dir=tmp_path / "cache")
    results = list(auditor.results(Selection([str(articles)]), lambda m: None))
    first = auditor.finish(iter(results)).to_record()
    second = auditor.finish(iter(results)).to_record()
    assert first == second == cold["report"] and auditor.cache.findings_hits == 2


def test_a_damaged_stored_finding_is_checked_again(tmp_path):
    articles = _articles(tmp_path / "articles")
    cold = _run(articles, tmp_path / "cache")
    db = sqlite3.connect(tmp_path / "cache" / cache_module.FILENAME)
    with db:
        db.execute("UPDATE findings SET data = '[[1, 2]]' WHERE path LIKE '%b.md'")
        db.execute("UPDATE runs SET data = 'not json'")
    db.close()
    again = _run(articles, tmp_path / "cache")
    assert (again["parsed"], again["checked"], again["consistency_cached"]) == (0, 1, False)
    assert again["report"] == cold["report"]
