"""Inline suppressions: ``<!-- auditor-ignore RULE-ID: reason -->``.

A suppression silences findings of RULE-ID (an id or a glob) that start on its own line or
on the line after it. The reason is required: a suppression without one does not apply and is
itself reported. A suppression that silences nothing is reported too, as Vale and ruff do,
so stale ones do not pile up.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .findings import Finding, fingerprint

if TYPE_CHECKING:
    from .document import Document

PATTERN = re.compile(r"(?:<!--|#|//)\s*auditor-ignore\s+(?P<rule>[A-Za-z0-9_.*?\[\]-]+)\s*(?::\s*(?P<reason>.*?))?\s*(?:-->|$)", re.M)
UNUSED = "auditor.unused-suppression"
NO_REASON = "auditor.suppression-without-reason"


@dataclass
class Suppression:
    path: str
    line: int
    column: int
    end_column: int
    rule: str
    reason: str
    quote: str
    used: int = 0


def find_suppressions(document: Document) -> list[Suppression]:
    out = []
    for m in PATTERN.finditer(document.source):
        line, column = document.line_col(m.start())
        _, end_column = document.line_col(m.end())
        out.append(Suppression(document.path, line, column, end_column, m.group("rule"),
                               (m.group("reason") or "").strip(), m.group(0)))
    return out


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """Split findings into (kept, suppressed) and report bad or unused suppressions."""
    by_path: dict[str, list[Suppression]] = {}
    for s in suppressions:
        by_path.setdefault(s.path, []).append(s)
    kept, suppressed = [], []
    for finding in findings:
        match = None
        for s in by_path.get(finding.path, []):
            if s.reason and s.line in (finding.line, finding.line - 1) and fnmatch.fnmatchcase(finding.rule, s.rule):
                match = s
                break
        if match is None:
            kept.append(finding)
        else:
            match.used += 1
            finding.suppressed = True
            suppressed.append(finding)
    problems = []
    for s in suppressions:
        if not s.reason:
            problems.append(_finding(s, NO_REASON, f"Suppression of {s.rule} has no reason; write `auditor-ignore {s.rule}: why`. It was not applied."))
        elif not s.used:
            problems.append(_finding(s, UNUSED, f"Suppression of {s.rule} matches no finding on this line or the next; remove it."))
    return kept, suppressed, problems


def _finding(s: Suppression, rule: str, message: str) -> Finding:
    return Finding(rule=rule, severity="warning", message=message, path=s.path, line=s.line, column=s.column,
                   end_line=s.line, end_column=s.end_column, quote=s.quote,
                   fingerprint=fingerprint(rule, s.path, s.quote))
