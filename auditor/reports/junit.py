"""The JUnit XML report, for CI systems that show test results.

One ``<testsuite name="auditor">``; one ``<testcase>`` per file checked. Each finding at or
above ``warning`` is a ``<failure>`` of its file's test case; ``info`` findings go to the
test case's ``<system-out>``. ``failures`` on the suite counts failed test cases (files).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from auditor.findings import Finding, Report
from auditor.reports._common import (
    iter_by_path,
    location,
    rule_source,
    source_citation,
)

# Characters XML 1.0 cannot carry, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FAILING = ("warning", "error")


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as JUnit XML (``color`` is ignored)."""
    return "".join(chunks(report))


def chunks(report: Report, *, color: bool = False) -> Iterator[str]:
    """The text of ``render``, one test case (file) at a time."""
    seen, failing = set(report.documents), set()
    for f in report.findings:
        seen.add(f.path)
        if f.severity in FAILING:
            failing.add(f.path)
    paths = sorted(seen)
    suite = ET.Element("testsuite", {
        "name": "auditor",
        "tests": str(len(paths)),
        "failures": str(len(failing)),
        "errors": "0",
        "skipped": "0",
        "time": "0",
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("version", report.version),
        ("claims", str(report.claims)),
        ("findings", str(len(report.findings))),
        ("suppressed", str(len(report.suppressed))),
    ):
        ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
    if paths:
        ET.SubElement(suite, _CASES)  # where the test cases go, each indented as ET.indent would
    ET.indent(suite, space="  ")
    head, _, tail = ET.tostring(suite, encoding="unicode").partition(f"<{_CASES} />")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n' + head
    groups = iter_by_path(report.findings)
    group = next(groups, None)
    for i, path in enumerate(paths):
        mine: list[Finding] = []
        if group is not None and group[0] == path:
            mine = group[1]
            group = next(groups, None)
        case = _testcase(report, path, mine)
        ET.indent(case, space="  ", level=1)
        yield ("\n  " if i else "") + ET.tostring(case, encoding="unicode")
    yield tail + "\n"


_CASES = "auditor-test-cases"


def _testcase(report: Report, path: str, findings: list[Finding]) -> ET.Element:
    case = ET.Element("testcase", {"classname": "auditor", "name": _clean(path), "time": "0"})
    infos = []
    for f in findings:
        if f.severity in FAILING:
            failure = ET.SubElement(case, "failure", {"message": _clean(f.message), "type": f.severity})
            failure.text = _clean(_describe(report, f))
        else:
            infos.append(_describe(report, f))
    if infos:
        out = ET.SubElement(case, "system-out")
        out.text = _clean("\n\n".join(infos))
    return case


def _describe(report: Report, f: Finding) -> str:
    lines = [f"{location(f.path, f.line, f.column)}: {f.severity}: {f.rule}: {f.message}"]
    if f.quote:
        lines.append(f"  quote: {f.quote}")
    citation = source_citation(rule_source(report, f))
    if citation:
        lines.append(f"  Source: {citation}")
    for rel in f.related:
        lines.append(f"  related: {location(rel.path, rel.line, rel.column)}: {rel.message or rel.quote}")
    return "\n".join(lines)


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
