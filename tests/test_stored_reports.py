"""Reports stored in the claim cache (auditor.stored_reports): a re-run over the same files with
the same rules writes them again, byte for byte what drawing them gives, and anything a report
depends on makes it drawn again."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers import run_cli

from auditor import cache as cache_module
from auditor import stored_reports
from auditor.config import Config
from auditor.runner import Auditor
from auditor.stored_reports import ReportMemo

ARTICLES = {
    "a.md": "# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 4 mg a day.\n",
    "b.md": "# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 20 mg a day. About 40% of "
            "people feel drowsy.\n",
    "c.txt": "Sertraline\n\nThe usual sertraline dose is 50 mg once a day.\n",
}
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _check(articles: Path, cache_dir: Path | None, *options: str, fmt: str = "json"):
    return run_cli("check", str(articles), "--format", fmt, "--jobs", "1", *options,
                   *(["--no-cache"] if cache_dir is None else ["--cache-dir", str(cache_dir)]))


def _db(cache_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(cache_dir / cache_module.FILENAME)


def _damage_every_entry(cache_dir: Path) -> None:
    """Make every stored result, per-document findings and consistency findings unreadable: a
    run that read any of them would say so and parse the file again."""
    db = _db(cache_dir)
    with db:
        assert db.execute("UPDATE results SET data = '[1, 2', matches = '[1, 2'").rowcount == len(ARTICLES)
        db.execute("UPDATE findings SET data = '[1, 2'")
        db.execute("UPDATE runs SET data = '[1, 2'")
    db.close()


def _stored(cache_dir: Path) -> int:
    db = _db(cache_dir)
    count = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    db.close()
    return count


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_rerun_writes_the_stored_report_without_reading_any_entry(articles, tmp_path, fmt):
    cache_dir = tmp_path / "cache"
    expected = _check(articles, None, fmt=fmt)
    first = _check(articles, cache_dir, fmt=fmt)
    assert first.stdout == expected.stdout and first.exit_code == expected.exit_code
    assert _stored(cache_dir) == 1
    _damage_every_entry(cache_dir)
    again = _check(articles, cache_dir, fmt=fmt)
    assert again.stderr == "" and again.stdout == expected.stdout and again.exit_code == expected.exit_code


def test_reports_to_files_and_stdout_are_stored_apart_and_written_whole(articles, tmp_path):
    cache_dir = tmp_path / "cache"
    out = tmp_path / "out"
    out.mkdir()
    targets = ["--format", f"sarif={out / 'a.sarif'}", "--format", f"json={out / 'a.json'}",
               "--format", f"json={out / 'b.json'}", "--format", "markdown"]
    expected = run_cli("check", str(articles), "--no-cache", "--jobs", "1", *targets)
    want = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(want) == {"a.sarif", "a.json", "b.json"} and want["a.json"] == want["b.json"]
    for p in out.iterdir():
        p.unlink()
    run_cli("check", str(articles), "--cache-dir", str(cache_dir), "--jobs", "1", *targets)
    assert _stored(cache_dir) == 3  # one per format
    _damage_every_entry(cache_dir)
    again = run_cli("check", str(articles), "--cache-dir", str(cache_dir), "--jobs", "1", *targets)
    assert again.stderr == "" and again.stdout == expected.stdout and again.exit_code == expected.exit_code
    assert {p.name: p.read_bytes() for p in out.iterdir()} == want


def test_the_exit_status_follows_the_fail_level_of_the_rerun(articles, tmp_path):
    cache_dir = tmp_path / "cache"
    _check(articles, cache_dir, "--fail-on", "never")
    _damage_every_entry(cache_dir)
    for level in ("error", "warning", "info", "never"):
        expected = _check(articles, None, "--fail-on", level)
        again = _check(articles, cache_dir, "--fail-on", level)
        assert again.stderr == "" and again.exit_code == expected.exit_code, level
    assert _check(articles, None, "--fail-on", "warning").exit_code == 1


def test_a_changed_article_is_checked_and_its_reports_drawn_again(articles, tmp_path):
    cache_dir = tmp_path / "cache"
    _check(articles, cache_dir)
    (articles / "a.md").write_text(ARTICLES["a.md"].replace("4 mg", "40 mg"), encoding="utf-8")
    again = _check(articles, cache_dir)
    expected = _check(articles, None)
    assert again.stdout == expected.stdout and "40 mg" in again.stdout
    assert _stored(cache_dir) == 2


def test_a_changed_rule_setting_draws_the_reports_again(articles, tmp_path):
    cache_dir = tmp_path / "cache"
    first = _check(articles, cache_dir)
    rule = json.loads(first.stdout)["findings"][0]["rule"]
    config = tmp_path / "auditor.yaml"
    config.write_text(f"severity:\n  {rule}: info\n", encoding="utf-8")
    again = _check(articles, cache_dir, "--config", str(config))
    expected = _check(articles, None, "--config", str(config))
    assert again.stdout == expected.stdout != first.stdout
    assert json.loads(again.stdout)["findings"][0]["severity"] == "info"


def test_a_baseline_is_part_of_what_a_stored_report_shows(articles, tmp_path):
    cache_dir = tmp_path / "cache"
    baseline = tmp_path / "baseline.json"
    first = _check(articles, cache_dir)
    findings = json.loads(first.stdout)["findings"]
    assert len(findings) >= 2
    for kept in (findings[:1], findings[1:], []):
        baseline.write_text(json.dumps({"findings": [{"fingerprint": f["fingerprint"]} for f in kept]}),
                            encoding="utf-8")
        again = _check(articles, cache_dir, "--baseline", str(baseline))
        expected = _check(articles, None, "--baseline", str(baseline))
        assert again.stdout == expected.stdout and again.exit_code == expected.exit_code
        assert len(json.loads(again.stdout)["findings"]) == len(findings) - len(kept)


@pytest.mark.parametrize("damage", ["UPDATE reports SET counts = 'not json'",
                                    "UPDATE reports SET counts = '{\"error\": \"many\"}'",
                                    "UPDATE reports SET text = X'C328'",
                                    "DELETE FROM reports"])
def test_a_stored_report_that_does_not_read_back_is_drawn_again(articles, tmp_path, damage):
    cache_dir = tmp_path / "cache"
    expected = _check(articles, None)
    _check(articles, cache_dir)
    db = _db(cache_dir)
    with db:
        db.execute(damage)
    db.close()
    again = _check(articles, cache_dir)
    assert again.stderr == "" and again.stdout == expected.stdout and again.exit_code == expected.exit_code
    assert _check(articles, cache_dir).stdout == expected.stdout  # stored again, and read back


def test_more_results_than_are_held_are_checked_as_usual(articles, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    expected = _check(articles, None)

    def mark_stored() -> None:  # a stored text no drawing gives: it shows whether the stored report was used
        db = _db(cache_dir)
        with db:
            assert db.execute("UPDATE reports SET text = CAST('stored\n' AS BLOB)").rowcount == 1
        db.close()

    _check(articles, cache_dir)
    mark_stored()
    monkeypatch.setattr(stored_reports, "MAX_RESULTS", len(ARTICLES) - 1)
    assert _check(articles, cache_dir).stdout == expected.stdout  # drawn (and stored again)
    mark_stored()
    monkeypatch.setattr(stored_reports, "MAX_RESULTS", len(ARTICLES))
    assert _check(articles, cache_dir).stdout == "stored\n"


def test_a_report_too_long_to_store_is_not_stored(articles, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(stored_reports, "MAX_TEXT", 100)
    first = _check(articles, cache_dir)
    assert len(first.stdout) > 100 and _stored(cache_dir) == 0
    monkeypatch.setattr(stored_reports, "MAX_TEXT", 10_000_000)
    assert _check(articles, cache_dir).stdout == first.stdout and _stored(cache_dir) == 1


def test_reports_that_show_more_than_the_findings_are_never_stored(tmp_path):
    auditor = Auditor(Config(), cache_dir=tmp_path / "cache", warn=lambda m: None)
    assert ReportMemo.for_check(auditor, [("json", None)], False, None, None) is not None
    assert ReportMemo.for_check(auditor, [("json", None), ("html", "r.html")], False, None, None) is None
    assert ReportMemo.for_check(auditor, [("text", None)], True, None, None) is None  # colors: a terminal
    assert ReportMemo.for_check(auditor, [("text", "r.txt")], True, None, None) is not None  # a file has none
    assert ReportMemo.for_check(auditor, [("json", None)], False, {"a.md"}, None) is None  # --changed-since
    assert ReportMemo.for_check(Auditor(Config(), warn=lambda m: None), [("json", None)], False, None, None) is None
    assert ReportMemo.for_check(auditor, [("json", None)], False, None, None, stored_reports.MAX_RESULTS) is not None
    assert ReportMemo.for_check(auditor, [("json", None)], False, None, None, stored_reports.MAX_RESULTS + 1) is None


def test_the_key_of_a_report_holds_the_rules_the_baseline_and_the_format(tmp_path):
    auditor = Auditor(Config(), cache_dir=tmp_path / "cache", warn=lambda m: None)
    plain = ReportMemo(auditor, ["json"], None)
    keys = {plain.key("run", "json"), plain.key("run", "sarif"), plain.key("other run", "json"),
            ReportMemo(auditor, ["json"], set()).key("run", "json"),
            ReportMemo(auditor, ["json"], {"f1"}).key("run", "json")}
    assert len(keys) == 5
    assert ReportMemo(auditor, ["json"], {"f1"}).key("run", "json") == ReportMemo(auditor, ["sarif"], {"f1"}).key("run", "json")
    auditor.ruleset.rules[0].message += " (edited)"
    assert ReportMemo(auditor, ["json"], None).key("run", "json") != plain.key("run", "json")

