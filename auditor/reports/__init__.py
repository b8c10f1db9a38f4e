"""Report formats: every way ``auditor check`` can show a Report.

Each format is a module with ``render(report, *, color=False) -> str``; ``FORMATS`` maps
the name the CLI accepts to that function. Output is deterministic: the same Report gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.errors import AuditorError
from auditor.findings import Report
from auditor.reports import github, html_report, json_report, junit, markdown, sarif, text
from auditor.reports.atomic import write_atomic

Renderer = Callable[..., str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
    "html": html_report.render,
}


def render(fmt: str, report: Report, *, color: bool = False) -> str:
    """Render ``report`` in format ``fmt``; an unknown format is a usage error."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise AuditorError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}") from None
    return renderer(report, color=color)


__all__ = ["FORMATS", "render", "write_atomic"]
