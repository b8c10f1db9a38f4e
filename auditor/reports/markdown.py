"""A Markdown summary for a pull-request comment or a GitHub job summary.

A headline with the counts, then a table of findings. With many findings the table is split
into one collapsible ``<details>`` block per file. Cell text is escaped so that pipes, HTML
and Markdown emphasis in messages show as written.
"""

from __future__ import annotations

import re

from auditor.findings import Finding, Report
from auditor.reports._common import (
    counts_phrase,
    iter_by_path,
    plural,
    rule_source,
    safe_url,
    sorted_findings,
    source_citation,
)

COLLAPSE_OVER = 15  # more findings than this: one <details> block per file
MAX_ROWS = 500  # a job summary holds at most 1 MiB; longer reports point to the full output
SEVERITY_MARK = {"error": "🔴 error", "warning": "🟠 warning", "info": "🔵 info"}
_SPECIAL = re.compile(r"([\\`*_\[\]{}#+!~|])")


def escape_cell(text: str) -> str:
    """Make ``text`` safe for one table cell: no HTML, no Markdown markup, no line breaks."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return "<br>".join(part.strip() for part in text.splitlines()) if "\n" in text else text


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as GitHub-flavoured Markdown (``color`` is ignored)."""
    out = [_headline(report), ""]
    details = (
        f"{plural(report.claims, 'claim')} checked in {plural(report.files, 'file')} · "
        f"{len(report.suppressed)} suppressed · auditor {escape_cell(report.version)}"
    )
    out += [details, ""]
    budget = MAX_ROWS
    if len(report.findings) > COLLAPSE_OVER:
        for path, findings in iter_by_path(report.findings):  # one file at a time, up to MAX_ROWS rows
            shown = findings[:max(budget, 0)]
            budget -= len(shown)
            if not shown:
                break
            summary = f"<code>{escape_cell(path)}</code>: {_counts(findings)}"
            out += ["<details>", f"<summary>{summary}</summary>", "", *_table(report, shown), "", "</details>", ""]
    elif report.findings:
        out += [*_table(report, list(sorted_findings(report.findings))), ""]
    if len(report.findings) > MAX_ROWS:
        out += [f"_{len(report.findings) - MAX_ROWS} more findings not shown; see the full report._", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _headline(report: Report) -> str:
    by = report.by_severity()
    mark = "❌" if by["error"] else ("⚠️" if by["warning"] else "✅")
    if not report.findings:
        return f"### {mark} auditor: no findings"
    return f"### {mark} auditor: {counts_phrase(report)}"


def _counts(findings: list[Finding]) -> str:
    parts = [plural(sum(1 for f in findings if f.severity == s), s) for s in ("error", "warning", "info")]
    return ", ".join(p for p in parts if not p.startswith("0 "))


def _table(report: Report, findings: list[Finding]) -> list[str]:
    rows = ["| Location | Severity | Rule | Message |", "| --- | --- | --- | --- |"]
    for f in findings:
        rows.append(
            f"| `{_code(f'{f.path}:{f.line}:{f.column}')}` | {SEVERITY_MARK.get(f.severity, f.severity)} "
            f"| `{_code(f.rule)}` | {_message(report, f)} |"
        )
    return rows


def _message(report: Report, f: Finding) -> str:
    parts = [escape_cell(f.message)]
    for rel in f.related:
        where = _code(f"{rel.path}:{rel.line}:{rel.column}")
        parts.append(f"↳ `{where}` {escape_cell(rel.message or rel.quote)}")
    source = rule_source(report, f)
    citation = source_citation(source)
    if citation:
        url = safe_url(source.get("url")) if source else None
        text = escape_cell(citation)
        parts.append(f"Source: [{text}]({_link(url)})" if url else f"Source: {text}")
    return "<br>".join(parts)


def _code(text: str) -> str:
    """Text for a code span inside a table cell: no backticks, pipes escaped."""
    return text.replace("`", "'").replace("|", "\\|").replace("\n", " ")


def _link(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("|", "%7C")
