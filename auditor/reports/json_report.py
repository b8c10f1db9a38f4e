"""The JSON report: exactly the record of FINDINGS.md, findings in stable order."""

from __future__ import annotations

import dataclasses
import json

from auditor.findings import Report
from auditor.reports._common import sorted_findings


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as the FINDINGS.md JSON document (``color`` is ignored)."""
    ordered = dataclasses.replace(report, findings=sorted_findings(report.findings))
    return json.dumps(ordered.to_record(), indent=2, ensure_ascii=False) + "\n"
