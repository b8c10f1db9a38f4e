"""The JUnit report: one suite, one test case per file, a failure per warning or error."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fixtures.reports.sample_report import PATH_A, PATH_B, build_report, by_rule, plain_document

from auditor.findings import Finding, Report
from auditor.reports import junit


def _parse(report: Report) -> ET.Element:
    out = junit.render(report)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(out.encode("utf-8"))


def test_one_suite_with_a_case_per_file_and_failure_counts():
    suite = _parse(build_report())
    assert suite.tag == "testsuite" and suite.get("name") == "auditor"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [("auditor", PATH_A), ("auditor", PATH_B)]
    failures = cases[0].findall("failure")
    assert [f.get("type") for f in failures] == ["error", "warning", "warning"]
    assert failures[0].get("message") == (
        "clonazepam for panic disorder: up to 6 mg/day is above the label's maximum of 4 mg/day.")
    assert failures[0].text.startswith(f"{PATH_A}:7:38: error: clonazepam.panic.max-daily: ")
    assert "Source: KLONOPIN (clonazepam) tablets" in failures[0].text
    assert f"related: {PATH_B}:3:49: says 6-12 hours" in failures[1].text
    assert cases[1].findall("failure") == []
    assert cases[1].find("system-out").text.startswith(f"{PATH_B}:5:59: info: claims.open-range: ")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props == {"version": "0.1.0", "claims": "7", "findings": "4", "suppressed": "1"}


def test_files_without_findings_are_passing_cases():
    clean = plain_document("clean.txt", "Nothing to see.\n")
    report = build_report()
    report.documents["clean.txt"] = clean
    suite = _parse(report)
    assert suite.get("tests") == "3"
    case = next(c for c in suite.findall("testcase") if c.get("name") == "clean.txt")
    assert list(case) == []


def test_a_file_with_findings_but_no_document_still_gets_a_case():
    finding = Finding(rule="r", severity="warning", message="m", path="only-finding.md", line=1,
                      column=1, end_line=1, end_column=2, quote="x")
    suite = _parse(Report(findings=[finding], files=1, claims=0, version="0"))
    assert [c.get("name") for c in suite.findall("testcase")] == ["only-finding.md"]
    assert suite.get("failures") == "1"


def test_markup_and_control_characters_survive_as_text():
    report = build_report()
    by_rule(report, "clonazepam.panic.max-daily").message = 'a <b> & "c"\x0b\x1b end'
    suite = _parse(report)
    messages = [f.get("message") for f in suite.iter("failure")]
    assert 'a <b> & "c"\ufffd\ufffd end' in messages


def test_an_empty_run_is_a_valid_empty_suite():
    suite = _parse(Report(findings=[], files=0, claims=0, version="0"))
    assert (suite.get("tests"), suite.get("failures")) == ("0", "0")
    assert suite.findall("testcase") == []
