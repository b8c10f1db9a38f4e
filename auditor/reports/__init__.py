"""Report formats: every way ``auditor check`` can show a Report.

Each format is a module with ``render(report, *, color=False) -> str``; ``FORMATS`` maps
the name the CLI accepts to that function. Output is deterministic: the same Report gives
the same bytes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from auditor.errors import AuditorError
from auditor.findings import Report
from auditor.reports.atomic import write_atomic

Renderer = Callable[..., str]


def _lazy(module: str) -> Renderer:
    """The ``render`` of ``auditor.reports.<module>``, imported when a report is first drawn
    (the html format loads spaCy's displaCy; a run that writes only json need not)."""

    def renderer(report: Report, *, color: bool = False) -> str:
        return importlib.import_module(f"auditor.reports.{module}").render(report, color=color)

    renderer.__name__ = renderer.__qualname__ = f"render_{module}"
    return renderer


FORMATS: dict[str, Renderer] = {
    "text": _lazy("text"),
    "json": _lazy("json_report"),
    "sarif": _lazy("sarif"),
    "junit": _lazy("junit"),
    "github": _lazy("github"),
    "markdown": _lazy("markdown"),
    "html": _lazy("html_report"),
}


def render(fmt: str, report: Report, *, color: bool = False) -> str:
    """Render ``report`` in format ``fmt``; an unknown format is a usage error."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise AuditorError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}") from None
    return renderer(report, color=color)


__all__ = ["FORMATS", "render", "write_atomic"]
