"""The JSON report: exactly the record of FINDINGS.md, findings in stable order."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.findings import Report
from auditor.reports._common import sorted_findings
from auditor.reports._stream import LIST_HERE, json_chunks


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as the FINDINGS.md JSON document (``color`` is ignored)."""
    return "".join(chunks(report))


def chunks(report: Report, *, color: bool = False) -> Iterator[str]:
    """The text of ``render``, one finding at a time (the findings are never all in memory)."""
    document = {
        "version": report.version,
        "findings": LIST_HERE,
        "summary": {
            "files": report.files,
            "claims": report.claims,
            "findings": len(report.findings),
            "by_severity": report.by_severity(),
            "suppressed": len(report.suppressed),
        },
    }
    yield from json_chunks(document, (f.to_record() for f in sorted_findings(report.findings)))
    yield "\n"
