"""GitHub workflow commands: one per finding, escaped as the Actions runner reads them."""

from __future__ import annotations

import re

from fixtures.reports.sample_report import PATH_A, PATH_B, build_report
from hypothesis import given
from hypothesis import strategies as st

from auditor.findings import Finding, Report
from auditor.reports import github

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), {k: _unescape_property(v) for k, v in props.items()}, _unescape_data(match.group(3))


def test_one_command_per_finding_with_severity_mapped():
    *lines, summary = github.render(build_report()).splitlines()
    assert len(lines) == 4
    assert summary == "::notice title=auditor::4 findings (1 errors, 2 warnings, 1 infos) in 2 files; 1 suppressed"
    parsed = [_parse(line) for line in lines]
    assert [p[0] for p in parsed] == ["error", "warning", "warning", "notice"]
    _kind, props, message = parsed[0]
    assert props == {"file": PATH_A, "line": "7", "col": "38", "endLine": "7", "endColumn": "48",
                     "title": "clonazepam.panic.max-daily"}
    assert message.splitlines()[0] == (
        "clonazepam for panic disorder: up to 6 mg/day is above the label's maximum of 4 mg/day.")
    assert message.splitlines()[1].startswith("Source: KLONOPIN (clonazepam) tablets")
    assert parsed[1][2].splitlines()[1] == f"Related: {PATH_B}:3:49 says 6-12 hours"
    assert lines[0].startswith(f"::error file={PATH_A},line=7,col=38,endLine=7,endColumn=48,"
                               "title=clonazepam.panic.max-daily::")


def test_messages_and_properties_are_escaped():
    finding = Finding(rule="a:b,c", severity="warning", message="50% of\r\nreaders: yes, really",
                      path="dir,x/a:b.md", line=1, column=2, end_line=1, end_column=5, quote="50%")
    line = github.render(Report(findings=[finding], files=1, claims=0, version="0")).splitlines(keepends=True)[0]
    assert line == (
        "::warning file=dir%2Cx/a%3Ab.md,line=1,col=2,endLine=1,endColumn=5,title=a%3Ab%2Cc"
        "::50%25 of%0D%0Areaders: yes, really\n"
    )


def test_suppressed_findings_are_not_annotated():
    out = github.render(build_report())
    assert "clonazepam.panic.start" not in out
    assert github.render(Report(findings=[], files=0, claims=0, version="0")) == (
        "::notice title=auditor::0 findings (0 errors, 0 warnings, 0 infos) in 0 files; 0 suppressed\n")


@given(st.text())
def test_escaping_round_trips_and_leaves_no_separator(text):
    prop = github.escape_property(text)
    data = github.escape_data(text)
    assert _unescape_property(prop) == text
    assert _unescape_data(data) == text
    assert not set(prop) & {"\r", "\n", ",", ":"}
    assert not set(data) & {"\r", "\n"}
