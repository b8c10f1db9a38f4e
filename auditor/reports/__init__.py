"""Report formats: every way ``auditor check`` can show a Report.

Each format is a module with ``render(report, *, color=False) -> str``; ``FORMATS`` maps
the name the CLI accepts to that function. Output is deterministic: the same Report gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.errors import AuditorError
from auditor.findings import Report
from auditor.reports import github, json_report, junit, markdown, sarif, text
from auditor.reports.atomic import write_atomic

Renderer = Callable[..., str]


def _html(report: Report, *, color: bool = False) -> str:
    """The html format; its module (and spaCy's displaCy, which it draws with) load when it is used."""
    from auditor.reports import html_report

    return html_report.render(report, color=color)


FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
    "html": _html,
}


def render(fmt: str, report: Report, *, color: bool = False) -> str:
    """Render ``report`` in format ``fmt``; an unknown format is a usage error."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise AuditorError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}") from None
    return renderer(report, color=color)


__all__ = ["FORMATS", "render", "write_atomic"]
