"""The default report for people: findings grouped by file, each with its source line underlined."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from auditor.findings import Finding, Related, Report
from auditor.reports._common import (
    iter_by_path,
    location,
    rule_source,
    source_citation,
    source_line,
    summary_line,
)

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
WINDOW = 120  # longest stretch of a source line shown; longer lines are cut around the value
CONTEXT = 40  # characters kept before the value when a line is cut


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as text; ``color`` adds ANSI colors (for a terminal)."""
    return "".join(chunks(report, color=color))


def chunks(report: Report, *, color: bool = False) -> Iterator[str]:
    """The text of ``render``, one file's findings at a time."""
    draw = _draw(color)
    for path, findings in iter_by_path(report.findings):
        lines = [Text(path, style="bold underline")]
        for finding in findings:
            lines.extend(_finding_lines(report, finding))
        lines.append(Text(""))
        yield draw(lines)
    yield draw([Text(summary_line(report), style="bold")])


def _draw(color: bool) -> Callable[[list[Text]], str]:
    """Lines to text: plain, or with ANSI colors through one rich Console."""
    if not color:
        return lambda lines: "".join(line.plain + "\n" for line in lines)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        width=10_000,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )

    def draw(lines: list[Text]) -> str:
        buffer.seek(0)
        buffer.truncate()
        for line in lines:
            console.print(line)
        return buffer.getvalue()
    return draw


def _finding_lines(report: Report, finding: Finding) -> list[Text]:
    head = Text()
    head.append(location(finding.path, finding.line, finding.column), style="bold")
    head.append("  ")
    head.append(finding.severity, style=SEVERITY_STYLE.get(finding.severity, ""))
    head.append("  ")
    head.append(finding.rule, style="dim")
    head.append("  ")
    head.append(finding.message)
    out = [head]
    out.extend(_excerpt(report, finding.path, finding.line, finding.column, finding.end_line,
                        finding.end_column, indent="  "))
    citation = source_citation(rule_source(report, finding))
    if citation:
        out.append(Text(f"  Source: {citation}", style="dim"))
    for rel in finding.related:
        out.extend(_related_lines(report, rel))
    return out


def _related_lines(report: Report, rel: Related) -> list[Text]:
    head = Text("    ")
    head.append(location(rel.path, rel.line, rel.column), style="bold")
    head.append("  ")
    head.append(rel.message or rel.quote)
    return [head, *_excerpt(report, rel.path, rel.line, rel.column, rel.end_line, rel.end_column,
                            indent="    ")]


def _excerpt(
    report: Report, path: str, line: int, column: int, end_line: int, end_column: int, *, indent: str
) -> list[Text]:
    """The source line with the value underlined, or nothing when the source is not at hand."""
    raw = source_line(report, path, line)
    if raw is None:
        return []
    text = raw.replace("\t", " ")
    start = max(0, min(column - 1, len(text)))
    end = end_column - 1 if end_line == line else len(text)
    end = max(start + 1, min(end, len(text)))
    shown, offset, lead, tail = text, 0, "", ""
    if len(text) > WINDOW:
        offset = max(0, min(start - CONTEXT, len(text) - WINDOW))
        shown = text[offset:offset + WINDOW]
        lead = "…" if offset > 0 else ""
        tail = "…" if offset + WINDOW < len(text) else ""
    gutter = f"{indent}{line:>5} | "
    pad = " " * len(f"{indent}{line:>5}") + " | "
    before = lead + shown[: start - offset]
    value = text[start:min(end, offset + WINDOW)]
    code = Text(gutter, style="dim")
    code.append(lead + shown + tail)
    marks = Text(pad, style="dim")
    marks.append(" " * cell_len(before))
    marks.append("^" * max(1, cell_len(value)), style="bold magenta")
    return [code, marks]
