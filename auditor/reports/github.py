"""GitHub Actions workflow commands: one annotation per finding.

``::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=RULE::MESSAGE``; ``warning``
findings use ``::warning`` and ``info`` findings ``::notice``. Messages and properties are
escaped as the Actions runner expects (``%``, CR and LF everywhere; ``:`` and ``,`` in
properties as well).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.findings import Finding, Report
from auditor.reports._common import location, rule_source, sorted_findings, source_citation

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as workflow commands, one line per finding, then a summary notice
    (``color`` is ignored)."""
    return "".join(chunks(report))


def chunks(report: Report, *, color: bool = False) -> Iterator[str]:
    """The lines of ``render``, one at a time."""
    for f in sorted_findings(report.findings):
        yield command(report, f) + "\n"
    counts = report.by_severity()
    summary = (f"{len(report.findings)} findings ({counts['error']} errors, {counts['warning']} warnings, "
               f"{counts['info']} infos) in {report.files} files; {len(report.suppressed)} suppressed")
    yield f"::notice title=auditor::{escape_data(summary)}\n"


def command(report: Report, f: Finding) -> str:
    """The workflow command line for one finding."""
    props = {
        "file": f.path,
        "line": str(f.line),
        "col": str(f.column),
        "endLine": str(f.end_line),
        "endColumn": str(f.end_column),
        "title": f.rule,
    }
    prop_text = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    message = [f.message]
    citation = source_citation(rule_source(report, f))
    if citation:
        message.append(f"Source: {citation}")
    for rel in f.related:
        message.append(f"Related: {location(rel.path, rel.line, rel.column)} {rel.message or rel.quote}")
    return f"::{COMMANDS.get(f.severity, 'warning')} {prop_text}::{escape_data(chr(10).join(message))}"
