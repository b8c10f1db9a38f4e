"""The finding model: what a rule or a consistency check says about the text.

``Finding.to_record()`` produces the FINDING object of ``FINDINGS.md``; every report format
reads Findings, never raw claims.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(slots=True)
class Related:
    """Another place that takes part in a finding (the other side of a contradiction)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    quote: str
    message: str

    def to_record(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "quote": self.quote,
            "message": self.message,
        }


@dataclass(slots=True)
class Finding:
    """One problem at one place, with the rule that found it."""

    rule: str
    severity: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    quote: str
    claim: dict[str, Any] | None = None  # the claim record (CLAIMS.md), if any
    reference: dict[str, Any] | None = None
    related: list[Related] = field(default_factory=list)
    fingerprint: str = ""
    # Extras for reports: the rule's source citation and help text.
    source: dict[str, Any] | None = None
    help: str | None = None
    suppressed: bool = False

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.end_line, self.end_column, self.message)

    def to_record(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "quote": self.quote,
            "claim": self.claim,
            "reference": self.reference,
            "related": [r.to_record() for r in self.related],
            "fingerprint": self.fingerprint,
        }


def fingerprint(rule: str, path: str, context: str, occurrence: int = 0) -> str:
    """A stable id: the rule, the file and the text around the finding, not its line.

    ``context`` should be position-free text (the quote and its sentence); ``occurrence``
    tells apart identical contexts in one file.
    """
    normalized = " ".join(context.split()).lower()
    digest = hashlib.sha256(f"{rule}\0{path}\0{normalized}\0{occurrence}".encode()).hexdigest()
    return digest[:16]


@dataclass
class Report:
    """All findings of a run, with the counts the summary needs."""

    findings: list[Finding]  # or the StoredFindings of a streamed run (``Auditor.finish(stream=True)``)
    files: int
    claims: int
    version: str
    suppressed: list[Finding] = field(default_factory=list)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> metadata for SARIF
    documents: dict[str, Any] = field(default_factory=dict)  # path -> Document, for HTML/text
    claims_by_path: dict[str, list[Any]] = field(default_factory=dict)  # path -> [Claim]
    store: Any = field(default=None, repr=False, compare=False)  # the RunStore ``findings`` are read from, if any

    def by_severity(self) -> dict[str, int]:
        if hasattr(self.findings, "by_severity"):  # StoredFindings: counted once
            return self.findings.by_severity()
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    def to_record(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "findings": [f.to_record() for f in self.findings],
            "summary": {
                "files": self.files,
                "claims": self.claims,
                "findings": len(self.findings),
                "by_severity": self.by_severity(),
                "suppressed": len(self.suppressed),
            },
        }

    def close(self) -> None:
        """Remove the run's temporary store (a streamed Report cannot be read afterwards)."""
        if self.store is not None:
            self.store.close()
