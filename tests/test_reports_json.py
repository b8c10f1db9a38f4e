"""The JSON report is exactly the FINDINGS.md record, in stable order."""

from __future__ import annotations

import json

from fixtures.reports.sample_report import PATH_A, PATH_B, build_report, by_rule

from auditor.reports import json_report

FINDING_KEYS = {"rule", "severity", "message", "path", "line", "column", "end_line", "end_column",
                "quote", "claim", "reference", "related", "fingerprint"}


def test_json_matches_the_record_with_findings_sorted():
    report = build_report()
    data = json.loads(json_report.render(report))
    assert list(data) == ["version", "findings", "summary"]
    assert data["summary"] == {
        "files": 2,
        "claims": 7,
        "findings": 4,
        "by_severity": {"error": 1, "warning": 2, "info": 1},
        "suppressed": 1,
    }
    where = [(f["path"], f["line"], f["column"], f["rule"]) for f in data["findings"]]
    assert where == [
        (PATH_A, 7, 38, "clonazepam.panic.max-daily"),
        (PATH_A, 9, 25, "consistency.cross-document"),
        (PATH_A, 9, 41, "claims.uncited-statistic"),
        (PATH_B, 5, 59, "claims.open-range"),
    ]
    expected = sorted(report.findings, key=lambda f: f.sort_key())
    assert data["findings"] == [f.to_record() for f in expected]


def test_every_finding_has_the_required_keys_and_types():
    data = json.loads(json_report.render(build_report()))
    for f in data["findings"]:
        assert set(f) >= FINDING_KEYS
        assert f["severity"] in {"error", "warning", "info"}
        assert all(isinstance(f[k], int) and f[k] >= 1 for k in ("line", "column", "end_line", "end_column"))
        assert isinstance(f["fingerprint"], str) and f["fingerprint"]
    contradiction = data["findings"][1]
    assert contradiction["related"] == [{
        "path": PATH_B, "line": 3, "column": 49, "end_line": 3, "end_column": 59,
        "quote": "6-12 hours", "message": "says 6-12 hours",
    }]
    limit = data["findings"][0]
    assert limit["reference"]["value"] == {"low": 4, "high": 4}
    assert limit["claim"]["quote"] == "up to 6 mg"


def test_json_keeps_non_ascii_text_readable():
    report = build_report()
    by_rule(report, "clonazepam.panic.max-daily").message = "dose ≥ 6 mg"
    assert "dose ≥ 6 mg" in json_report.render(report)
