"""A long document's claims kept on disk (auditor.claims.ClaimSpool) give the reports claims held in
memory give; a require rule's result keeps only its first match, a forbid rule's every one."""

from __future__ import annotations

import json
import pickle
import tempfile
from pathlib import Path

import pytest
from helpers import house_rules

from auditor import claims as claims_module
from auditor.claims import Claim, ClaimSpool, Range
from auditor.config import Config
from auditor.ingest import load_document, stream
from auditor.reports import FORMATS, render
from auditor.runner import Auditor, Selection

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture
def tiny_spool(monkeypatch):
    """Spools that go to disk past 5 claims, 3 claims to a batch."""
    monkeypatch.setattr(claims_module, "SPOOL_CLAIMS", 5)
    monkeypatch.setattr(claims_module, "SPOOL_BATCH", 3)


def _claim(n: int) -> Claim:
    return Claim(path="a.md", start=n, end=n + 4, location={"path": "a.md", "line": n, "quote": f"{n} mg"},
                 sentence=f"Take {n} mg.", attribute="dose.max", value=Range(n, n), unit="mg", drug="clonazepam",
                 explain={"value": "pattern"})


def test_a_spool_gives_its_claims_in_order_any_number_of_times(tiny_spool, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made = [_claim(n) for n in range(17)]
    spool = ClaimSpool()
    for start in range(0, 17, 4):
        spool.extend(made[start:start + 4])
    assert spool.spooled and len(spool) == 17 and spool.list_or_self() is spool
    expected = [c.to_dict() for c in made]
    assert [c.to_dict() for c in spool] == expected
    assert [c.to_dict() for c in spool] == expected  # read again
    first, second = iter(spool), iter(spool)  # two readers at once
    assert [(a.to_dict(), b.to_dict()) for a, b in zip(first, second, strict=True)] == [(e, e) for e in expected]
    assert [c.to_dict() for c in pickle.loads(pickle.dumps(spool))] == expected
    spool.keep_explain = False
    assert [c.explain for c in spool] == [{}] * 17
    assert list(tmp_path.iterdir()) == []  # an unnamed file (POSIX)
    spool.close()
    assert len(spool) == 0 and list(spool) == []


def test_a_spool_under_the_threshold_is_a_list(tiny_spool):
    made = [_claim(n) for n in range(4)]
    spool = ClaimSpool(made)
    assert not spool.spooled and spool.list_or_self() == made


def _reports(paths: list[str], **finish) -> tuple[dict[str, str], list[list[dict]]]:
    auditor = Auditor(Config())
    results = list(auditor.results(Selection(paths, exclude=["*.yaml"]), lambda m: None))
    report = auditor.finish(results, keep_claims=True, **finish)
    try:
        rendered = {fmt: render(fmt, report) for fmt in FORMATS}
        held = [[c.to_record(explain=True) for c in r.claims] for r in results]
        held.append([c.to_record() for path in sorted(report.claims_by_path) for c in report.claims_by_path[path]])
    finally:
        report.close()
    return rendered, held


def test_a_run_whose_claims_are_spooled_reports_what_a_run_holding_them_does(monkeypatch, shared_articles):
    paths = [str(CORPUS), str(shared_articles)]
    held_reports, held_claims = _reports(paths)
    monkeypatch.setattr(claims_module, "SPOOL_CLAIMS", 4)
    monkeypatch.setattr(claims_module, "SPOOL_BATCH", 3)
    spooled_reports, spooled_claims = _reports(paths, stream=True)
    assert spooled_claims == held_claims and sum(map(len, held_claims)) > 100
    for fmt in FORMATS:
        assert spooled_reports[fmt] == held_reports[fmt], fmt
    assert '"consistency.' in spooled_reports["json"]


def test_a_file_read_in_sections_with_its_claims_on_disk_gives_the_findings_of_one_document(monkeypatch, tmp_path):
    body = "".join(p.read_text(encoding="utf-8").rstrip("\n") + "\n\n" for p in sorted(CORPUS.glob("*.md")))
    path = tmp_path / "long.md"
    path.write_text(body * 3, encoding="utf-8")
    auditor = Auditor(Config())

    def check() -> tuple[str, int]:
        results = list(auditor.results_of([str(path)], lambda m: None))
        report = auditor.finish(results)
        return render("json", report), len(results[0].claims)

    whole, count = check()
    monkeypatch.setattr(stream, "STREAM_BYTES", 20_000)
    monkeypatch.setattr(stream, "SECTION_CHARS", 12_000)
    monkeypatch.setattr(stream, "OVERLAP_CHARS", 3_000)
    monkeypatch.setattr(claims_module, "SPOOL_CLAIMS", 10)
    monkeypatch.setattr(claims_module, "SPOOL_BATCH", 7)
    assert isinstance(load_document(str(path)), stream.StreamedDocument)
    assert [e.data for e in auditor._entries([str(path)])] == [None]  # read from disk, a section at a time
    results = list(auditor.results_of([str(path)], lambda m: None))
    assert isinstance(results[0].claims, ClaimSpool) and len(results[0].claims) == count > 50
    assert check() == (whole, count)
    auditor.max_bytes = 30_000  # too large now: one warning, as when its bytes are read
    (entry,) = auditor._entries([str(path)])
    assert entry.data is None and "long.md" in entry.warning and "\n" not in entry.warning


def test_a_require_rule_keeps_its_first_match_and_a_forbid_rule_every_one(tmp_path):
    rules = house_rules(tmp_path)
    article = tmp_path / "a.md"
    article.write_text("# Clonazepam\n\nClonazepam is completely safe, some say.\n\n"
                       "It can cause addiction. Addiction is rare.\n\nIt is completely safe, they say again.\n\n"
                       "Misuse leads to addiction.\n", encoding="utf-8")
    auditor = Auditor(Config(), [rules])
    result = next(auditor.results_of([str(article)], lambda m: None))
    addiction = result.matches_of("clonazepam.boxed-warning.addiction")
    assert [m.location["line"] for m in addiction] == [5]  # the first of four
    assert [m.location["line"] for m in result.matches_of("house.no-safe-claims")] == [3, 7]
    report = auditor.finish([result])
    rules_found = [f.rule for f in report.findings]
    assert rules_found.count("house.no-safe-claims") == 2
    assert "clonazepam.boxed-warning.addiction" not in rules_found
    assert "benzodiazepines.opioids" in rules_found  # named, never matched: still a finding
    assert json.loads(render("json", report))["findings"]


def test_a_spool_handed_to_another_process_on_this_machine_is_a_file_removed_when_opened(tiny_spool, monkeypatch,
                                                                                       tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(claims_module, "HAND_OFF", True)
    made = [_claim(n) for n in range(11)]
    spool = ClaimSpool(made)
    data = pickle.dumps(spool)
    assert len(data) < 300 and len(list(tmp_path.iterdir())) == 1  # a name, not the claims
    received = pickle.loads(data)
    assert list(tmp_path.iterdir()) == []
    assert received.spooled and len(received) == 11
    assert [c.to_dict() for c in received] == [c.to_dict() for c in made] == [c.to_dict() for c in spool]
    assert [c.to_dict() for c in pickle.loads(pickle.dumps(ClaimSpool(made[:3])))] == [c.to_dict() for c in made[:3]]


def test_a_long_file_parsed_in_a_worker_reports_what_one_process_does(tiny_spool, monkeypatch, tmp_path):
    body = "".join(p.read_text(encoding="utf-8").rstrip("\n") + "\n\n" for p in sorted(CORPUS.glob("*.md")))
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "long.md").write_text(body * 3, encoding="utf-8")
    for n, source in enumerate(sorted(CORPUS.glob("*.md"))[:5]):
        (folder / f"{n}-{source.name}").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(stream, "STREAM_BYTES", 20_000)
    monkeypatch.setattr(stream, "SECTION_CHARS", 12_000)
    monkeypatch.setattr(stream, "OVERLAP_CHARS", 3_000)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    reports = {}
    for jobs in (1, 2):
        auditor = Auditor(Config())
        auditor.jobs = jobs
        results = list(auditor.results_of(sorted(str(p) for p in folder.iterdir()), lambda m: None))
        assert len(results) == 6 and sum(isinstance(r.claims, ClaimSpool) for r in results) >= 1
        report = auditor.finish(results, keep_claims=True)
        reports[jobs] = {fmt: render(fmt, report) for fmt in FORMATS}
        reports[jobs]["claims"] = [[c.to_record() for c in r.claims] for r in results]
        del results
    assert reports[2] == reports[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles"]  # no spool file left behind
