"""The per-document unit of a run: lossless claims, results that survive JSON, and a Report
made from results equal to one made from the documents."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.claims import Claim, Range
from auditor.docresult import DocumentResult
from auditor.runner import Selection

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


def _through_json(result: DocumentResult) -> DocumentResult:
    return DocumentResult.from_dict(json.loads(json.dumps(result.to_dict())))


def test_a_claim_survives_its_dict_form_unchanged():
    claim = Claim(path="a.md", start=3, end=9, location={"path": "a.md", "line": 1, "column": 4, "end_line": 1,
                                                         "end_column": 10, "quote": "0.5 mg"},
                  sentence="Take 0.5 mg.", attribute="dose.start", value=Range(0.5, 0.5), unit="mg", drug="clonazepam",
                  per="dose", frequency=Range(2, 3), daily=Range(1.0, None), indications=["panic disorder", "anxiety"],
                  negated=True, explain={"attribute": "cue 'start'"}, text="0.5 mg")
    back = Claim.from_dict(json.loads(json.dumps(claim.to_dict())))
    assert back == claim
    assert type(back.frequency.low) is int and type(back.daily.low) is float
    assert back.to_record(explain=True) == claim.to_record(explain=True)


def test_corpus_results_survive_json(auditor, tmp_path):
    extra = tmp_path / "suppressed.md"
    extra.write_text("# Clonazepam\n\nClonazepam can cause addiction.\n"
                     "<!-- auditor-ignore general.uncited-statistic: quoted from the label -->\n"
                     "About 40% of people feel drowsy.\n", encoding="utf-8")
    results = list(auditor.results(Selection([str(CORPUS), str(extra)]), lambda m: None))
    assert all(r.claims for r in results)
    assert all(r.mentions for r in results) and any(r.matches for r in results) and results[-1].suppressions
    for result in results:
        back = _through_json(result)
        assert back == result
        assert [c.to_record(explain=True) for c in back.claims] == [c.to_record(explain=True) for c in result.claims]


def test_a_report_from_results_equals_one_from_documents(auditor, shared_articles):
    documents = auditor.read(Selection([str(CORPUS), str(shared_articles)], exclude=["*.yaml"]), lambda m: None)
    direct = auditor.check(documents)
    assert direct.findings
    results = [_through_json(r) for r in auditor.analyze(documents)]
    finished = auditor.finish(results)
    assert finished.to_record() == direct.to_record()
    assert [f.to_record() for f in finished.suppressed] == [f.to_record() for f in direct.suppressed]
    assert sorted(finished.documents) == sorted(direct.documents)
    some = next(iter(direct.documents))
    assert finished.documents.get(some).source == direct.documents[some].source
