"""Report formats: every way ``auditor check`` can show a Report.

Each format is a module with ``render(report, *, color=False) -> str``; ``FORMATS`` maps
the name the CLI accepts to that function. A format may also have ``chunks(report, *,
color=False)``, the same text piece by piece (``render_chunks`` uses it, so that a long report
is written without being held whole). Output is deterministic: the same Report gives the same
bytes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

from auditor.errors import AuditorError
from auditor.findings import Report
from auditor.reports.atomic import AtomicFile, write_atomic

Renderer = Callable[..., str]


def _lazy(module: str) -> Renderer:
    """The ``render`` of ``auditor.reports.<module>``, imported when a report is first drawn
    (the html format loads spaCy's displaCy; a run that writes only json need not)."""

    def renderer(report: Report, *, color: bool = False) -> str:
        return importlib.import_module(f"auditor.reports.{module}").render(report, color=color)

    def chunks(report: Report, *, color: bool = False) -> Iterator[str]:
        loaded = importlib.import_module(f"auditor.reports.{module}")
        if hasattr(loaded, "chunks"):
            yield from loaded.chunks(report, color=color)
        else:
            yield loaded.render(report, color=color)

    renderer.__name__ = renderer.__qualname__ = f"render_{module}"
    renderer.chunks = chunks  # type: ignore[attr-defined]
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


def render_chunks(fmt: str, report: Report, *, color: bool = False) -> Iterator[str]:
    """The text of ``render(fmt, report)`` in pieces: those of the format's ``chunks`` where it
    has one, else the whole text at once."""
    if fmt not in FORMATS:
        render(fmt, report)  # the usage error
    chunks = getattr(FORMATS[fmt], "chunks", None)
    if chunks is None:
        yield FORMATS[fmt](report, color=color)
    else:
        yield from chunks(report, color=color)


__all__ = ["FORMATS", "AtomicFile", "render", "render_chunks", "write_atomic"]
