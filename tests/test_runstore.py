"""A run's findings and grouped claims on disk (auditor.runstore): the same reports as from lists
in memory, the same order and fingerprints, and no file left behind."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import wait_for_pause

from auditor import runner, runstore
from auditor.cli import main
from auditor.findings import Finding, fingerprint
from auditor.reports import FORMATS, render, render_chunks
from auditor.reports._stream import LIST_HERE, json_chunks
from auditor.runner import Selection, keep_changed
from auditor.runstore import PREFIX, RunStore, StoredFindings
from auditor.suppress import Suppression

RUN = "import sys; from auditor.cli import main; sys.argv[0] = 'auditor'; main()"
REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SUPPRESSED = ("# Clonazepam\n\nClonazepam can cause addiction.\n"
              "<!-- auditor-ignore general.uncited-statistic: quoted from the label -->\n"
              "About 40% of people feel drowsy.\n"
              "<!-- auditor-ignore nothing.here: stale -->\n")


@pytest.fixture()
def run_tmp(tmp_path, monkeypatch):
    """The temporary directory runs put their store in, empty at the start."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _results(auditor, tmp_path, shared_articles):
    extra = tmp_path / "suppressed.md"
    extra.write_text(SUPPRESSED, encoding="utf-8")
    return list(auditor.results(Selection([str(CORPUS), str(shared_articles), str(extra)], exclude=["*.yaml"]),
                                lambda m: None))


HELD_OR_FILE = pytest.mark.parametrize("memory", [None, 0, 1], ids=["held", "file", "spilled-after-one"])


@HELD_OR_FILE
def test_reports_from_the_store_equal_reports_from_a_list(auditor, tmp_path, shared_articles, run_tmp, monkeypatch,
                                                          memory):
    if memory is not None:
        monkeypatch.setattr(runstore, "MEMORY_FINDINGS", memory)
    results = _results(auditor, tmp_path, shared_articles)
    listed = auditor.finish(results)
    streamed = auditor.finish(results, stream=True)
    try:
        assert isinstance(streamed.findings, StoredFindings) and isinstance(listed.findings, list)
        assert len(streamed.findings) == len(listed.findings) > 20
        assert streamed.by_severity() == listed.by_severity()
        assert [f.to_record() for f in streamed.findings] == [f.to_record() for f in listed.findings]
        assert [f.to_record() for f in streamed.suppressed] == [f.to_record() for f in listed.suppressed] != []
        assert any(f.rule == "auditor.unused-suppression" for f in listed.findings)
        for fmt in FORMATS:
            text = render(fmt, listed)
            assert render(fmt, streamed) == text, fmt
            assert "".join(render_chunks(fmt, streamed)) == text, fmt
        changed = {str(CORPUS / "clonazepam-key-takeaways.md")}
        kept = keep_changed(streamed.findings, changed)
        assert [f.to_record() for f in kept] == [f.to_record() for f in keep_changed(listed.findings, changed)] != []
        assert len(kept) < len(streamed.findings)
    finally:
        streamed.close()
    assert streamed.store.closed and list(run_tmp.iterdir()) == []


def test_consistency_over_stored_groups_equals_the_checker_over_every_claim(auditor, tmp_path, shared_articles,
                                                                            run_tmp):
    claims = [c for r in _results(auditor, tmp_path, shared_articles) for c in r.claims]
    checker = auditor.consistency()
    direct = [f.to_record() for f in checker.check(claims)]
    with RunStore() as store:
        for claim in claims:
            store.add_claim(claim, checker.group_keys(claim))
        grouped = [f.to_record() for number, group in store.groups() for f in checker.check_group(number, group)]
    assert grouped == direct and len(direct) > 5


def test_claims_grouped_in_memory_are_the_groups_the_store_gives(auditor, tmp_path, shared_articles, run_tmp):
    claims = [c for r in _results(auditor, tmp_path, shared_articles) for c in r.claims]
    checker = auditor.consistency()
    with RunStore() as store:
        for claim in claims:
            store.add_claim(claim, checker.group_keys(claim))
        stored = [(number, [c.to_dict() for c in group]) for number, group in store.groups()]
    held = [(number, [c.to_dict() for c in group]) for number, group in checker.groups(claims)]
    assert held == stored
    assert len({number for number, _ in held}) > 3 and any(len(group) > 1 for _, group in held)


def test_a_run_that_spills_its_claims_reports_what_a_run_holding_them_does(auditor, tmp_path, shared_articles,
                                                                           run_tmp, monkeypatch):
    results = _results(auditor, tmp_path, shared_articles)
    stored: list[object] = []
    add_claim = RunStore.add_claim

    def spill(store, claim, groups):
        stored.append(claim)
        add_claim(store, claim, groups)
    monkeypatch.setattr(RunStore, "add_claim", spill)
    held = render("json", auditor.finish(results))
    assert stored == []  # fewer claims than SPILL_CLAIMS: grouped in memory
    monkeypatch.setattr(runner, "SPILL_CLAIMS", 7)  # moved to the store a few claims at a time
    spilled = auditor.finish(results)
    assert render("json", spilled) == held
    assert len(stored) == sum(len(r.claims) for r in results)
    assert any(f.rule.startswith("consistency.") for f in spilled.findings)


def _finding(path: str, line: int, rule: str = "r.x", quote: str = "q", message: str = "m") -> Finding:
    return Finding(rule=rule, severity="warning", message=message, path=path, line=line, column=1, end_line=line,
                   end_column=2, quote=quote, fingerprint=fingerprint(rule, path, quote))


@pytest.mark.parametrize("memory", [None, 0, 100], ids=["held", "file", "spilled-midway"])
def test_order_and_occurrence_numbers_are_those_of_a_stable_sort(run_tmp, memory):
    # paths whose order in Python (code points) and in SQLite (UTF-8 bytes) must agree
    paths = ["b.md", "a\uffff.md", "aé.md", "a\U0001f600.md", "a.md", "A.md", "a\u00ff.md", "a\u0800.md"]
    rng = random.Random(3)
    made = [_finding(rng.choice(paths), rng.randint(1, 3), rng.choice(["r.x", "r.y"]), rng.choice("qrs"),
                     rng.choice(["m", "n"])) for _ in range(300)]
    expected = sorted((Finding(**{k: getattr(f, k) for k in f.__slots__}) for f in made), key=Finding.sort_key)
    seen: Counter[str] = Counter()
    for f in expected:
        k = seen[f.fingerprint]
        seen[f.fingerprint] += 1
        if k:
            f.fingerprint = fingerprint(f.rule, f.path, f.fingerprint, k)
    as_made = [f.to_record() for f in made]
    with RunStore(memory_findings=memory) as store:
        for start in range(0, 300, 30):
            store.add_findings(made[start:start + 30])
        assert (store.path is None) == (memory is None)  # held in memory: no file made
        kept, suppressed = store.finish([])
        got = list(kept)
        assert [f.to_record() for f in got] == [f.to_record() for f in expected] and suppressed == []
        assert len({f.fingerprint for f in got}) == len(got) == len(kept) == 300
        assert [f.to_record() for f in kept] == [f.to_record() for f in got]  # read again, the same
    assert [f.to_record() for f in made] == as_made  # the findings added are not changed by numbering


@HELD_OR_FILE
def test_suppressions_apply_to_stored_findings(run_tmp, memory):
    silence = Suppression("a.md", 4, 1, 40, "r.*", "reason", "<!-- auditor-ignore r.*: reason -->")
    stale = Suppression("b.md", 9, 1, 40, "r.x", "old", "<!-- auditor-ignore r.x: old -->")
    made = [_finding("a.md", 5), _finding("a.md", 7), _finding("b.md", 1)]
    with RunStore(memory_findings=memory) as store:
        store.add_findings(made)
        kept, suppressed = store.finish([silence, stale])
        assert not any(f.suppressed for f in made)  # the suppressed one is a copy, as read from the file
        assert [(f.path, f.line) for f in suppressed] == [("a.md", 5)] and suppressed[0].suppressed
        assert [(f.path, f.line, f.rule) for f in kept] == [("a.md", 7, "r.x"), ("b.md", 1, "r.x"),
                                                            ("b.md", 9, "auditor.unused-suppression")]
        assert kept.by_severity() == {"error": 0, "warning": 3, "info": 0}


@pytest.mark.parametrize("items", [[], [{"a": 1, "b": [1, 2, {"c": "x\ny ≤"}]}], [{"a": []}, {}, [3, {"d": None}]]])
def test_a_streamed_json_list_is_the_text_json_dumps_gives(items):
    document = {"version": "1", "runs": [{"tool": {"x": 1}, "results": LIST_HERE, "after": {"k": [1]}}], "z": 0}
    whole = json.dumps({**document, "runs": [{**document["runs"][0], "results": items}]}, indent=2, ensure_ascii=False)
    assert "".join(json_chunks(document, iter(items))) == whole


def test_check_removes_its_store_after_the_run_and_after_an_error(run_tmp, tmp_path, monkeypatch):
    out = tmp_path / "out.json"
    runner = CliRunner()
    args = ["check", str(CORPUS / "clonazepam-key-takeaways.md"), "--no-cache", "--jobs", "1", "--fail-on", "never"]
    result = runner.invoke(main, [*args, "--format", f"json={out}"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["findings"] and list(run_tmp.iterdir()) == []

    def broken(report, *, color=False):
        yield "<testsuite"
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(FORMATS["junit"], "chunks", broken)
    out.unlink()
    result = runner.invoke(main, [*args, "--format", f"json={out}", "--format", f"junit={tmp_path / 'out.xml'}"])
    assert result.exit_code == 3 and "disk trouble" in result.output
    assert list(run_tmp.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]  # neither report, nor a temporary file of one


def test_a_killed_run_leaves_no_store(tmp_path):
    folder = tmp_path / "tmp"
    folder.mkdir()
    articles = tmp_path / "articles"
    articles.mkdir()
    for i in range(12):
        (articles / f"a{i:02}.md").write_text(f"# Clonazepam {i}\n\nAdults take {i % 3 + 1} mg of clonazepam a day.\n",
                                              encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", RUN, "check", str(articles), "--no-cache", "--jobs", "1"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(folder), "AUDITOR_TEST_PAUSE_AFTER": "6",
                                 "AUDITOR_TEST_RESUME": str(tmp_path / "never")})
    wait_for_pause(proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert [p.name for p in folder.iterdir() if p.name.startswith(PREFIX)] == []


def test_a_store_is_removed_when_closed(run_tmp):
    store = RunStore(memory_findings=1)
    store.add_findings([_finding("a.md", 1)])
    assert store.path is None  # one finding is held in memory
    store.add_findings([_finding("a.md", 2)])
    assert Path(store.path).parent == run_tmp and Path(store.path).name.startswith(PREFIX)
    store.close()
    assert store.closed and list(run_tmp.iterdir()) == []


def test_a_closed_store_cannot_be_read(run_tmp):
    for memory in (None, 0):
        store = RunStore(memory_findings=memory)
        store.add_findings([_finding("a.md", 1)])
        kept, _ = store.finish([])
        assert len(list(kept)) == 1
        store.close()
        with pytest.raises((ValueError, sqlite3.ProgrammingError)):
            list(kept)


@HELD_OR_FILE
def test_stored_findings_count_what_a_filter_keeps(run_tmp, memory):
    with RunStore(memory_findings=memory) as store:
        store.add_findings([_finding("a.md", 1), _finding("b.md", 1), _finding("b.md", 2, message="n")])
        kept, _ = store.finish([])
        only_b = kept.where(lambda f: f.path == "b.md")
        assert len(only_b) == 2 and only_b.by_severity()["warning"] == 2
        assert len(only_b.where(lambda f: f.message == "n")) == 1 and len(kept) == 3
