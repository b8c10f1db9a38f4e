"""The Document: one input file as plain text, with every character mapped to its source.

Ingest (``auditor.ingest``) builds Documents; the pipeline reads ``Document.text``; every
position reported to users goes back through ``Document.source_span`` and
``Document.line_col`` so that it points into the *original* file, markup included.

Plain text layout: blocks (paragraphs, headings, list items, table cells, ...) are joined
with ``"\\n\\n"``; separator characters map to no source character (offset -1). No
sentence crosses a block boundary.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Block:
    """A run of prose in ``Document.text``: ``text[start:end]``."""

    start: int
    end: int
    kind: str  # "title", "heading", "paragraph", "list_item", "table_cell", "quote"
    level: int = 0  # heading level (1-6); 0 for other blocks
    heading: str | None = None  # text of the nearest heading above this block
    in_sources: bool = False  # inside a Sources / References / Bibliography section
    cell: tuple[int, int, int] | None = None  # table cells: (table, row, column), all from 0


@dataclass(frozen=True)
class Link:
    """A hyperlink whose visible label is ``Document.text[start:end]``."""

    start: int
    end: int
    href: str


@dataclass
class Document:
    """One input file, ready for the NLP pipeline."""

    path: str
    format: str  # "markdown", "html" or "text"
    source: str  # the decoded original file
    text: str  # the plain text the pipeline reads
    starts: array  # starts[i]: source offset of text[i], -1 for block separators
    ends: array  # ends[i]: source offset just past text[i] (entities span several chars)
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # Source ranges that are not prose: code, script/style/nav/footer/form, URLs, image paths.
    excluded: list[tuple[int, int]] = field(default_factory=list)
    # Plain-text offset where a Sources / References / Bibliography section starts, if any.
    sources_start: int | None = None
    warnings: list[str] = field(default_factory=list)
    # A title that is not a block of the text (front matter, ``<title>``): stands above every block.
    root_title: str | None = None
    # Where ``source`` starts in its file, for a part of a long file (``auditor.ingest.stream``):
    # lines before it, and the column its first line starts at (0 at a line start).
    line_base: int = 0
    col_base: int = 0
    _line_starts: list[int] | None = field(default=None, repr=False)
    _block_starts: list[int] | None = field(default=None, repr=False)

    # -- positions -------------------------------------------------------------------
    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the plain-text span ``[start, end)`` to a source span ``[s, e)``."""
        if start < 0 or end > len(self.starts) or start >= end:
            raise ValueError(f"span {start}:{end} of {self.path} lies outside its text")
        s = next((self.starts[i] for i in range(start, end) if self.starts[i] >= 0), -1)
        e = next((self.ends[i] for i in range(end - 1, start - 1, -1) if self.ends[i] >= 0), -1)
        if s < 0 or e < 0:
            raise ValueError(f"span {start}:{end} of {self.path} maps to no source text")
        return s, e

    def line_col(self, source_offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a source offset."""
        if self._line_starts is None:
            starts = [0]
            find = self.source.find
            pos = find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, source_offset) - 1
        column = source_offset - self._line_starts[line] + 1
        return line + 1 + self.line_base, column + (self.col_base if line == 0 else 0)

    def location(self, start: int, end: int) -> dict[str, Any]:
        """The CLAIMS.md location keys and quote of the plain-text span ``[start, end)``."""
        s, e = self.source_span(start, end)
        line, column = self.line_col(s)
        end_line, end_column = self.line_col(e)
        return {
            "path": self.path,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "quote": self.source[s:e],
        }

    # -- structure -------------------------------------------------------------------
    def block_at(self, offset: int) -> Block | None:
        """The block holding plain-text offset ``offset``."""
        if self._block_starts is None:
            self._block_starts = [b.start for b in self.blocks]
        i = bisect.bisect_right(self._block_starts, offset) - 1
        if i >= 0 and self.blocks[i].start <= offset < max(self.blocks[i].end, self.blocks[i].start + 1):
            return self.blocks[i]
        return None

    def links_in(self, start: int, end: int) -> list[Link]:
        """Links whose label overlaps ``[start, end)``."""
        return [lk for lk in self.links if lk.start < end and start < lk.end]
