"""Article text with claims and findings highlighted, drawn by spaCy's displaCy span renderer.

Each block of ``Document.text`` (paragraph, heading, list item, ...) becomes one small spaCy
``Doc`` whose tokens are the stretches of text between span edges, so that displaCy adds no
spaces the article does not have. Labels are escaped here: displaCy inserts them as markup.
"""

from __future__ import annotations

import bisect
import html
import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import spacy
from spacy import displacy
from spacy.displacy.templates import TPL_SPAN, TPL_SPAN_SLICE, TPL_SPAN_START
from spacy.tokens import Doc, Span

from auditor.findings import Finding

SPANS_KEY = "auditor"
_GLUE = "\ue000"  # marks the end of every token; displaCy's added space after it is removed
_TEMPLATE = {"span": TPL_SPAN.strip(), "slice": TPL_SPAN_SLICE.strip(), "start": TPL_SPAN_START.strip()}
_CONTAINER = '<div class="spans"'
SEVERITY_COLORS = {"error": "#f28b82", "warning": "#fbbc04", "info": "#8ab4f8"}
CLAIM_COLOR = "#a8dab5"
FALLBACK_CLAIM_COLOR = "#d7dbe0"


@dataclass(frozen=True)
class Mark:
    """A highlighted stretch ``[start, end)`` of ``Document.text``."""

    start: int
    end: int
    label: str  # plain text; escaped before displaCy sees it
    color: str


@lru_cache(maxsize=1)
def _vocab() -> Any:
    return spacy.blank("en").vocab


class SourceMap:
    """Finds the plain-text span of ``doc`` that a source range (1-based lines, columns) covers."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(doc.source) if ch == "\n"]
        count = min(len(doc.text), len(doc.starts), len(doc.ends))
        self.index = [i for i in range(count) if doc.starts[i] >= 0]  # text offsets with a source
        self.keys = [doc.starts[i] for i in self.index]
        self.ordered = all(a <= b for a, b in itertools.pairwise(self.keys))

    def span(self, line: int, column: int, end_line: int, end_column: int) -> tuple[int, int] | None:
        """``(start, end)`` in ``doc.text``, or None when no text character lies in the range."""
        if not (1 <= line <= len(self.line_starts) and 1 <= end_line <= len(self.line_starts)):
            return None
        s = self.line_starts[line - 1] + column - 1
        e = self.line_starts[end_line - 1] + end_column - 1
        first = bisect.bisect_left(self.keys, s) if self.ordered else 0
        inside = []
        for k in range(first, len(self.keys)):
            if self.ordered and self.keys[k] >= e:
                break
            i = self.index[k]
            if s <= self.keys[k] and self.doc.ends[i] <= e:
                inside.append(i)
        return (inside[0], inside[-1] + 1) if inside else None


def text_span(doc: Any, line: int, column: int, end_line: int, end_column: int) -> tuple[int, int] | None:
    """The plain-text span of ``doc`` that the source range covers (see ``SourceMap``)."""
    return SourceMap(doc).span(line, column, end_line, end_column)


def claim_marks(claims: list[Any]) -> list[Mark]:
    """One mark per claim, labelled with its attribute."""
    marks = []
    for claim in claims:
        if 0 <= claim.start < claim.end:
            color = CLAIM_COLOR if claim.attribute.startswith("dose.") else FALLBACK_CLAIM_COLOR
            marks.append(Mark(claim.start, claim.end, claim.attribute, color))
    return marks


def finding_marks(doc: Any, findings: list[tuple[int, Finding]]) -> list[Mark]:
    """One mark per numbered finding that can be placed in the plain text: "error #3"."""
    marks = []
    source_map = SourceMap(doc)
    for number, f in findings:
        span = source_map.span(f.line, f.column, f.end_line, f.end_column)
        if span:
            color = SEVERITY_COLORS.get(f.severity, SEVERITY_COLORS["info"])
            marks.append(Mark(span[0], span[1], f"{f.severity} #{number}", color))
    return marks


def render_article(doc: Any, marks: list[Mark]) -> str:
    """The article's blocks as HTML, highlighted where ``marks`` fall."""
    text: str = doc.text.replace(_GLUE, " ")
    blocks = [(b.start, b.end, b.kind, b.level) for b in doc.blocks] or _paragraphs(text)
    ordered = sorted(marks, key=lambda m: (m.start, -m.end, m.label))
    starts = [m.start for m in ordered]
    bodies: list[str | None] = []
    span_docs: list[Doc] = []
    colors: dict[str, str] = {}
    for start, end, _kind, _level in blocks:
        inside = [m for m in ordered[: bisect.bisect_left(starts, end)] if m.end > start] if end > start else []
        if inside:
            span_docs.append(_block_doc(text, start, end, inside, colors))
            bodies.append(None)
        else:
            bodies.append(html.escape(text[start:end]))
    rendered = iter(_render_docs(span_docs, colors))
    parts = []
    for (start, end, kind, level), body in zip(blocks, bodies, strict=True):
        if end <= start:
            continue
        cls = f"block {html.escape(kind)}" + (f" h{level}" if kind in {"heading", "title"} and level else "")
        parts.append(f'<div class="{cls}">{next(rendered) if body is None else body}</div>')
    return "\n".join(parts)


def _paragraphs(text: str) -> list[tuple[int, int, str, int]]:
    out, pos = [], 0
    for piece in text.split("\n\n"):
        out.append((pos, pos + len(piece), "paragraph", 0))
        pos += len(piece) + 2
    return out


def _block_doc(text: str, start: int, end: int, marks: list[Mark], colors: dict[str, str]) -> Doc:
    """One block as a Doc whose tokens break at every mark edge, with the marks as spans."""
    edges = {start, end}
    for m in marks:
        edges.update((max(m.start, start), min(m.end, end)))
    cuts = sorted(edges)
    words = [text[a:b] for a, b in itertools.pairwise(cuts)]
    token_at = {a: i for i, a in enumerate(cuts)}
    sdoc = Doc(_vocab(), words=[w + _GLUE for w in words], spaces=[False] * len(words))
    spans = []
    for m in marks:
        label = html.escape(m.label)
        colors[label] = m.color
        spans.append(Span(sdoc, token_at[max(m.start, start)], token_at[min(m.end, end)], label=label))
    sdoc.spans[SPANS_KEY] = spans
    return sdoc


def _render_docs(docs: list[Doc], colors: dict[str, str]) -> list[str]:
    """displaCy markup for each doc (one call for all, split at each doc's container)."""
    if not docs:
        return []
    markup = displacy.render(
        docs,
        style="span",
        page=False,
        jupyter=False,
        options={
            "spans_key": SPANS_KEY,
            "colors": colors,
            "template": _TEMPLATE,
            "top_offset": 36,  # px from the top of a highlighted token to its first underline
            "span_label_offset": 14,
            "top_offset_step": 16,
        },
    )
    markup = markup.replace(_GLUE + " ", "").replace(_GLUE, "")
    # Token text and labels are escaped, so this tag only opens a doc's container.
    pieces = [_CONTAINER + piece for piece in markup.split(_CONTAINER)[1:]]
    if len(pieces) != len(docs):
        raise ValueError(f"displaCy returned {len(pieces)} blocks for {len(docs)} docs")
    return [piece.strip() for piece in pieces]
