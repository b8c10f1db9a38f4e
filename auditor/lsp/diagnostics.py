"""Findings as LSP diagnostics.

Findings count lines and columns from 1 in code points; LSP counts from 0 in the position
encoding agreed with the client (UTF-16 unless it asked for another), so every position goes
through the source line it is on. The other places of a contradiction become
``relatedInformation``; the rule id is the ``code`` and the label link its ``codeDescription``.
``data`` keeps what the code actions need (rule, line, label link).

A contradiction is reported at its first place (by path), so that an article taking part in
it from a later place would show nothing; ``echoes`` gives each other article a diagnostic of
its own at its place, pointing back at the first place and the rest. A suppression has to go
at the first place (where ``auditor check`` reports it), so echoes offer no ignore action.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from lsprotocol import types
from pygls import uris
from pygls.workspace.position_codec import PositionCodec

from ..findings import Finding, Related
from ..reports._common import safe_url

SOURCE = "auditor"
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}

Lines = Callable[[str], Sequence[str]]  # path -> the lines of its source


def to_range(lines: Sequence[str], line: int, column: int, end_line: int, end_column: int,
             codec: PositionCodec) -> types.Range:
    """A 1-based code-point span (end exclusive) as an LSP range in the client's encoding."""
    start = types.Position(line=max(line - 1, 0), character=max(column - 1, 0))
    end = types.Position(line=max(end_line - 1, 0), character=max(end_column - 1, 0))
    if not lines:
        return types.Range(start=start, end=end)
    return types.Range(start=codec.position_to_client_units(lines, start),
                       end=codec.position_to_client_units(lines, end))


def label_url(finding: Finding) -> str | None:
    """The http(s) link of the label or guideline behind a finding, if it has one."""
    for source in (finding.source, (finding.reference or {}).get("source")):
        if isinstance(source, dict) and safe_url(source.get("url")):
            return safe_url(source.get("url"))
    return None


def echoes(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """path -> the findings of other files in which a place of that path takes part (one each)."""
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        done = {finding.path}
        for rel in finding.related:
            if rel.path in done:
                continue
            done.add(rel.path)
            first = Related(finding.path, finding.line, finding.column, finding.end_line, finding.end_column,
                            finding.quote, f"says {finding.quote}")
            others = [r for r in finding.related if r is not rel]
            # a contradiction's note on its first place ("Here, 10 mg/day differs from the label")
            message = finding.message.replace(" Here, ", f" In {os.path.basename(finding.path)}, ")
            out.setdefault(rel.path, []).append(replace(
                finding, message=message, path=rel.path, line=rel.line, column=rel.column,
                end_line=rel.end_line, end_column=rel.end_column, quote=rel.quote, related=[first, *others]))
    return out


def to_diagnostic(finding: Finding, lines: Lines, codec: PositionCodec, echo: bool = False) -> types.Diagnostic:
    """One finding as one diagnostic; ``lines`` gives the source lines of any file it names."""
    url = label_url(finding)
    section = (finding.source or {}).get("section")
    related = [_related(rel, lines, codec) for rel in finding.related]
    return types.Diagnostic(
        range=to_range(lines(finding.path), finding.line, finding.column, finding.end_line,
                       finding.end_column, codec),
        message=finding.message,
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.rule,
        code_description=types.CodeDescription(href=url) if url else None,
        source=SOURCE,
        related_information=related or None,
        data={"rule": finding.rule, "line": finding.line, "url": url, "section": section,
              "title": (finding.source or {}).get("title"), "echo": echo},
    )


def _related(rel: Related, lines: Lines, codec: PositionCodec) -> types.DiagnosticRelatedInformation:
    return types.DiagnosticRelatedInformation(
        location=types.Location(
            uri=uris.from_fs_path(rel.path) or rel.path,
            range=to_range(lines(rel.path), rel.line, rel.column, rel.end_line, rel.end_column, codec),
        ),
        message=rel.message or rel.quote,
    )
