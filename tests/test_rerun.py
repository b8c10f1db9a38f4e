"""Whole runs remembered (auditor/rerun.py): a re-run with nothing changed answers at once, and
any change to what the run read makes it run again. Run as the ``auditor`` command does
(``python -m auditor``), each in a fresh interpreter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import HOUSE_FORBID

from auditor import config_search, rerun
from auditor.cache import DIRNAME as CACHE_DIRNAME

ROOT = Path(__file__).resolve().parent.parent
CASES = ("replay", "blocked", "article", "new_article", "rule", "config", "argv", "damaged", "warning", "outputs", "outputs_json",
         "default_dir")
SAFE = "# Notes\n\nSome say clonazepam is completely safe.\n"


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, Path]:
    """One folder per test (articles, a house rules folder), made at once and then left for more
    than ``RACY_NS``, so that a run may remember what it read."""
    made = {}
    for name in CASES:
        case = tmp_path_factory.mktemp(name)
        articles = case / "articles"
        articles.mkdir()
        for source in ("clonazepam-key-takeaways.md", "sertraline-faq.html"):
            shutil.copy(ROOT / "corpus" / source, articles / source)
        (articles / "notes.md").write_text(SAFE, encoding="utf-8")
        (case / "house").mkdir()
        (case / "house" / "style.yaml").write_text(HOUSE_FORBID, encoding="utf-8")
        made[name] = case
    time.sleep(rerun.RACY_NS / 1e9 + 0.5)
    return made


def auditor(case: Path, *args: str) -> subprocess.CompletedProcess:
    """``auditor check articles --rules house ARGS`` in ``case``; ``-X importtime`` shows on
    stderr whether the command line was imported."""
    env = {k: v for k, v in os.environ.items() if k != "AUDITOR_CACHE_DIR"}
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "auditor", "check", "articles",
                           "--rules", "house", *args], cwd=case, env=env, capture_output=True, text=True,
                          timeout=300)


def replayed(done: subprocess.CompletedProcess) -> bool:
    """The run answered from what it remembered (it never imported click)."""
    return not any(line.rstrip().endswith(("| click", "| auditor.cli")) for line in done.stderr.splitlines())


def warnings(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("auditor:")]


JSON = ("--format", "json", "--cache-dir", "cache")


def test_a_rerun_with_nothing_changed_writes_the_same_reports_and_status(cases):
    case = cases["replay"]
    args = ("--format", "json", "--format", "sarif=out.sarif", "--cache-dir", "cache", "--fail-on", "warning")
    first = auditor(case, *args)
    assert not replayed(first) and first.returncode == 1, first.stderr
    sarif = (case / "out.sarif").read_bytes()
    (case / "out.sarif").unlink()
    again = auditor(case, *args)
    assert replayed(again)
    assert (again.returncode, again.stdout, warnings(again)) == (first.returncode, first.stdout, [])
    assert (case / "out.sarif").read_bytes() == sarif
    assert any(f["rule"] == "house.no-safe-claims" for f in json.loads(again.stdout)["findings"])
    assert not [p for p in case.iterdir() if p.name.endswith(".tmp")]


def test_a_changed_article_is_audited_again(cases):
    case = cases["article"]
    auditor(case, *JSON)
    assert replayed(auditor(case, *JSON))
    notes = case / "articles" / "notes.md"
    notes.write_text(SAFE.replace("completely safe", "safe for most adults"), encoding="utf-8")
    changed = auditor(case, *JSON)
    assert not replayed(changed)
    assert "house.no-safe-claims" not in changed.stdout
    assert changed.stdout == auditor(case, "--format", "json", "--no-cache").stdout


def test_a_new_article_in_a_folder_walked_is_audited(cases):
    case = cases["new_article"]
    first = auditor(case, *JSON)
    assert replayed(auditor(case, *JSON))
    (case / "articles" / "more.md").write_text(SAFE, encoding="utf-8")
    again = auditor(case, *JSON)
    assert not replayed(again)
    paths = {f["path"] for f in json.loads(again.stdout)["findings"]}
    assert "articles/more.md" in paths and paths != {f["path"] for f in json.loads(first.stdout)["findings"]}


def test_a_changed_rule_is_applied(cases):
    case = cases["rule"]
    first = auditor(case, *JSON)
    assert replayed(auditor(case, *JSON))
    rule = case / "house" / "style.yaml"
    rule.write_text(HOUSE_FORBID.replace("severity: warning", "severity: info"), encoding="utf-8")
    again = auditor(case, *JSON)
    assert not replayed(again)
    severities = {f["severity"] for f in json.loads(again.stdout)["findings"] if f["rule"] == "house.no-safe-claims"}
    assert severities == {"info"} and again.stdout != first.stdout


def test_a_config_file_made_where_the_run_looked_for_one_is_read(cases):
    case = cases["config"]
    assert auditor(case, *JSON).returncode == 0
    assert replayed(auditor(case, *JSON))
    (case / "auditor.yaml").write_text("fail_on: warning\n", encoding="utf-8")
    again = auditor(case, *JSON)
    assert not replayed(again) and again.returncode == 1


def test_another_command_line_is_not_answered_by_this_one(cases):
    case = cases["argv"]
    assert auditor(case, *JSON).returncode == 0
    other = auditor(case, *JSON, "--fail-on", "warning")
    assert not replayed(other) and other.returncode == 1


def test_a_damaged_remembered_run_is_left_aside(cases):
    case = cases["damaged"]
    first = auditor(case, *JSON)
    (run,) = (case / "cache" / rerun.DIRNAME).iterdir()
    data = run.read_bytes()
    for damaged in (data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 1]), b"", b"garbage" * 100):
        run.write_bytes(damaged)
        again = auditor(case, *JSON)
        assert not replayed(again)
        assert (again.returncode, again.stdout, warnings(again)) == (first.returncode, first.stdout, [])
        assert "Traceback" not in again.stderr
    assert replayed(auditor(case, *JSON))  # the damaged file was replaced by the run after it


def test_a_run_that_cannot_be_remembered_still_reports(cases):
    case = cases["blocked"]
    (case / "cache").mkdir()
    (case / "cache" / rerun.DIRNAME).write_text("not a folder", encoding="utf-8")
    first = auditor(case, *JSON)
    again = auditor(case, *JSON)
    assert (first.returncode, warnings(first), "Traceback" in first.stderr) == (0, [], False)
    assert not replayed(again) and again.stdout == first.stdout
    assert (case / "cache" / rerun.DIRNAME).read_text(encoding="utf-8") == "not a folder"


def test_a_run_that_warned_is_not_remembered(cases):
    case = cases["warning"]
    first = auditor(case, *JSON, "missing.md")
    assert any("missing.md" in line for line in warnings(first))
    again = auditor(case, *JSON, "missing.md")
    assert not replayed(again) and warnings(again) == warnings(first)


def test_a_report_file_the_run_adds_to_a_folder_it_walks_is_read_by_the_next_run(cases):
    case = cases["outputs"]
    args = ("--format", "markdown=articles/report.md", "--format", "json", "--cache-dir", "cache")
    first = auditor(case, *args)
    assert "articles/report.md" not in first.stdout
    second = auditor(case, *args)  # the report is an article now: it is audited
    assert not replayed(second)
    assert "articles/report.md" in second.stdout


def test_a_report_file_in_a_folder_walked_makes_one_more_run_then_runs_are_remembered(cases):
    case = cases["outputs_json"]
    args = ("--format", "json=articles/report.json", "--format", "markdown", "--cache-dir", "cache")
    first = auditor(case, *args)
    second = auditor(case, *args)  # the folder has a new name in it
    third = auditor(case, *args)
    assert (replayed(second), replayed(third)) == (False, True)
    assert first.stdout == second.stdout == third.stdout


def test_the_default_cache_dir_is_found_as_the_command_line_finds_it(cases):
    case = cases["default_dir"]
    first = auditor(case, "--format", "json")
    assert (case / CACHE_DIRNAME / rerun.DIRNAME).is_dir()
    again = auditor(case, "--format", "json")
    assert replayed(again) and (again.returncode, again.stdout) == (first.returncode, first.stdout)
    assert "house.no-safe-claims" in again.stdout


def test_a_run_over_files_just_written_is_not_remembered(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "notes.md").write_text(SAFE, encoding="utf-8")
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "style.yaml").write_text(HOUSE_FORBID, encoding="utf-8")
    auditor(tmp_path, *JSON)
    assert not (tmp_path / "cache" / rerun.DIRNAME).exists()
    assert not replayed(auditor(tmp_path, *JSON))


def test_only_the_newest_runs_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(rerun, "MAX_RUNS", 3)
    for n in range(6):
        rerun._write(str(tmp_path), f"{n}.run", b"key", {"n": n})
        os.utime(tmp_path / f"{n}.run", ns=(n * 10**9, n * 10**9))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["3.run", "4.run", "5.run"]


def test_which_command_lines_may_be_answered():
    assert rerun.replayable(["check", "corpus", "--format", "json"])
    for argv in (["claims", "corpus"], ["check", "corpus", "--no-cache"], ["check", "--engine", "dask", "x"],
                 ["check", "corpus", "--changed-since=main"], ["check", "--help"], [], ["check", "-", "x"]):
        assert not rerun.replayable(argv), argv


def test_the_cache_dir_of_a_command_line(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDITOR_CACHE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "a.yaml").write_text("{}\n")
    assert rerun.cache_dir_of(["x", "--cache-dir", "c"]) == str(tmp_path / "c")
    assert rerun.cache_dir_of(["x", "--cache-dir=c", "--cache-dir", "d"]) is None
    assert rerun.cache_dir_of(["x", "--config", "conf/a.yaml"]) == str(tmp_path / "conf" / CACHE_DIRNAME)
    monkeypatch.setenv("AUDITOR_CACHE_DIR", "e")
    assert rerun.cache_dir_of(["x"]) == str(tmp_path / "e")
    assert rerun.cache_dir_of(["x", "--cache-dir", "c"]) == str(tmp_path / "c")
    monkeypatch.setenv("AUDITOR_CACHE_DIR", "")
    assert rerun.cache_dir_of(["x"]) is None


def test_config_search_looks_where_find_config_does(tmp_path):
    from auditor.config import find_config

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("[tool.other]\n[tool.auditor]\nfail_on = 'never'\n")
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    found, looked = config_search.config_search(str(tmp_path / "a" / "b"))
    assert found == str(tmp_path / "pyproject.toml") == str(find_config(tmp_path / "a" / "b"))
    assert str(tmp_path / "a" / "b" / "auditor.yaml") in looked and str(tmp_path / "a" / "pyproject.toml") in looked
    (tmp_path / "a" / ".auditor.yaml").write_text("{}\n")
    assert config_search.config_search(str(tmp_path / "a" / "b"))[0] == str(tmp_path / "a" / ".auditor.yaml")


def test_the_recorder_keeps_reads_and_listings_not_writes(tmp_path):
    (tmp_path / "a.md").write_text("x")
    recorder = rerun.Recorder(["check", str(tmp_path)])
    recorder.hook("open", (str(tmp_path / "a.md"), "r", 0))
    recorder.hook("open", (str(tmp_path / "out.json"), "w", 0))
    recorder.hook("open", (str(tmp_path / "tmp"), None, os.O_WRONLY | os.O_CREAT))
    recorder.hook("open", (str(tmp_path / "b.md"), None, os.O_RDONLY))
    recorder.hook("os.scandir", (str(tmp_path),))
    assert list(recorder.reads) == [str(tmp_path / "a.md"), str(tmp_path / "b.md")]
    assert recorder.listings == {str(tmp_path): ["a.md"]}
    recorder.hook("os.scandir", (3,))  # a listing by descriptor cannot be told again
    assert recorder.unsure


def test_a_run_that_reads_too_much_is_not_remembered(tmp_path, monkeypatch):
    monkeypatch.setattr(rerun, "MAX_SEEN", 5)
    for n in range(10):
        (tmp_path / f"{n}.md").write_text("x")
    recorder = rerun.Recorder(["check", str(tmp_path)])
    recorder.hook("os.scandir", (str(tmp_path),))
    assert recorder.unsure and not recorder.active and not recorder.listings
