"""Helpers shared by the report formats: ordering, counting, wording and source lines."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from auditor.findings import Finding, Report

SEVERITY_ORDER = ("error", "warning", "info")


def sorted_findings(findings: Iterable[Finding]) -> Iterable[Finding]:
    """Findings in the stable order of FINDINGS.md (path, line, column, rule, ...): a sorted
    list, or the findings of a run's store as they are (read in that order)."""
    if getattr(findings, "ordered", False):
        return findings
    return sorted(findings, key=lambda f: f.sort_key())


def plural(count: int, word: str) -> str:
    """``"1 error"``, ``"2 errors"``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def counts_phrase(report: Report) -> str:
    """``"3 findings (1 error, 2 warnings, 0 infos)"``."""
    by = report.by_severity()
    return (
        f"{plural(len(report.findings), 'finding')} ({plural(by['error'], 'error')}, "
        f"{plural(by['warning'], 'warning')}, {plural(by['info'], 'info')})"
    )


def summary_line(report: Report) -> str:
    """The closing line of a report: counts, files and suppressed findings."""
    return f"{counts_phrase(report)} in {plural(report.files, 'file')}; {len(report.suppressed)} suppressed"


def checked_paths(report: Report) -> list[str]:
    """Every file the report speaks of: the documents checked plus files with findings, sorted."""
    paths = set(report.documents)
    paths.update(f.path for f in report.findings)
    return sorted(paths)


def group_by_path(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by file, files sorted, findings in stable order inside each file."""
    groups: dict[str, list[Finding]] = {}
    for f in sorted_findings(findings):
        groups.setdefault(f.path, []).append(f)
    return groups


def iter_by_path(findings: Iterable[Finding]) -> Iterator[tuple[str, list[Finding]]]:
    """``group_by_path`` one file at a time (only one file's findings held at once)."""
    for path, group in itertools.groupby(sorted_findings(findings), key=lambda f: f.path):
        yield path, list(group)


def location(path: str, line: int, column: int) -> str:
    """``path:line:column``, the form editors and terminals turn into links."""
    return f"{path}:{line}:{column}"


def source_citation(source: dict[str, Any] | None) -> str | None:
    """``"<title>, <section>"`` for a rule's source, or None when there is none."""
    if not source:
        return None
    parts = [str(source[k]) for k in ("title", "section") if source.get(k)]
    return ", ".join(parts) or None


def rule_source(report: Report, finding: Finding) -> dict[str, Any] | None:
    """The citation behind a finding: its own, the rule's, or its reference's."""
    if finding.source:
        return finding.source
    meta = report.rules.get(finding.rule) or {}
    if isinstance(meta.get("source"), dict):
        return meta["source"]
    if finding.reference and isinstance(finding.reference.get("source"), dict):
        return finding.reference["source"]
    return None


def source_line(report: Report, path: str, line: int) -> str | None:
    """Line ``line`` (1-based) of the original file, without its line break; None if unknown."""
    read = getattr(report.documents, "source_text", None)  # a DocumentStore reads the file, without parsing it
    doc = read(path) if read is not None else report.documents.get(path)
    source = doc if isinstance(doc, str) else getattr(doc, "source", None)
    if not isinstance(source, str):  # a file read a section at a time: the line is read back from it
        read = getattr(doc, "line", None)
        return read(line) if callable(read) else None
    if line < 1:
        return None
    lines = source.split("\n")
    if line > len(lines):
        return None
    return lines[line - 1].rstrip("\r")


def safe_url(url: Any) -> str | None:
    """``url`` if it is an http(s) address, else None (never a ``javascript:`` or data URL)."""
    if isinstance(url, str) and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None
