"""``TextBuilder``: accumulates ``Document.text`` block by block, with its source map.

Format readers call ``open_block`` / ``add`` / ``close_block`` in document order; the builder
inserts the ``"\\n\\n"`` separators (mapped to -1), records block boundaries, links and excluded
source ranges, and finally produces a ``Document``. Empty blocks leave no trace.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

from auditor.document import Document, Link
from auditor.ingest.sections import finish_blocks

SEPARATOR = "\n\n"
# A bare URL left in the prose; trailing sentence punctuation is not part of it.
# Runs of spaces and tabs inside prose ("taken daily.  The dose", "1\tmg") read as one space: the
# tokenizer would otherwise make a token of the extra whitespace and part a number from its unit.
SPACE_RUN = re.compile(r"[ \t]{2,}|\t")
BARE_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?]")


def position_typecode(source_length: int) -> str:
    """The array typecode for source offsets: 32-bit ints while they suffice (half the memory)."""
    return "i" if source_length < 2**31 - 1 else "q"


_SHARED_OFFSETS = array("i")  # 0, 1, 2, ...: shared by the builders of files up to _SHARED_LIMIT chars
_SHARED_LIMIT = 1 << 20


def _offsets(code: str, length: int) -> array:
    """An array whose item k is k, at least ``length`` long (longer when shared between files)."""
    if code != _SHARED_OFFSETS.typecode or length > _SHARED_LIMIT:
        return array(code, range(length))
    have = len(_SHARED_OFFSETS)
    if have < length:
        _SHARED_OFFSETS.extend(range(have, min(_SHARED_LIMIT, max(length, 2 * have))))
    return _SHARED_OFFSETS


@dataclass
class RawBlock:
    """A finished block before headings and the sources section are resolved."""

    start: int
    end: int
    kind: str
    level: int
    cell: tuple[int, int, int] | None = None


class TextBuilder:
    """Plain text plus ``starts``/``ends`` arrays, built one character run at a time."""

    def __init__(self, source_length: int) -> None:
        # _offsets[k] == k: runs of consecutive offsets are copied out of it by slicing,
        # which is much faster than extending the arrays from ranges.
        code = position_typecode(source_length)
        self._offsets = _offsets(code, source_length + 1)
        self._parts: list[str] = []
        self.starts = array(code)
        self.ends = array(code)
        self.length = 0
        self.blocks: list[RawBlock] = []
        self.excluded: list[tuple[int, int]] = []
        self._links: list[list] = []  # [start, end, href]
        self._kind: str | None = None
        self._level = 0
        self._cell: tuple[int, int, int] | None = None
        self._block_start = -1  # text offset of the open block's first char; -1 while empty
        self._waiting: list[int] = []  # links opened before their block's first char

    # -- blocks --------------------------------------------------------------------------
    def open_block(self, kind: str, level: int = 0, cell: tuple[int, int, int] | None = None) -> None:
        """Start a block (closing any open one); its separator is written with its first char.

        ``cell`` is (table, row, column) for a table cell.
        """
        self.close_block()
        self._kind, self._level, self._cell = kind, level, cell

    def close_block(self) -> None:
        """Finish the open block, without trailing spaces; a block that received no text is dropped."""
        if self._kind is not None and self._block_start >= 0:
            self._drop_trailing_spaces()
            if self.length > self._block_start:
                self.blocks.append(RawBlock(self._block_start, self.length, self._kind, self._level, self._cell))
        self._kind, self._block_start = None, -1
        self._waiting.clear()

    def _drop_trailing_spaces(self) -> None:
        """Remove spaces at the end of the open block (and its separator if nothing is left)."""
        while self.length > self._block_start and self._parts[-1].endswith(" "):
            self._parts[-1] = self._parts[-1][:-1]
            if not self._parts[-1]:
                self._parts.pop()
            self.starts.pop()
            self.ends.pop()
            self.length -= 1
        if self.length == self._block_start and self.length:
            self._parts.pop()  # the separator, written as a part of its own
            del self.starts[-2:]
            del self.ends[-2:]
            self.length -= 2
        for link in reversed(self._links):
            if link[1] > self.length:
                link[1] = self.length
            if link[0] > self.length:
                link[0] = self.length
            if link[0] < self._block_start:
                break

    @property
    def last_char(self) -> str:
        """The last character of the text so far ("" when empty)."""
        return self._parts[-1][-1] if self._parts else ""

    @property
    def block_has_text(self) -> bool:
        """True once the open block received a character."""
        return self._block_start >= 0

    def _begin_text(self) -> None:
        if self._kind is None:
            self._kind, self._level = "paragraph", 0
        if self._block_start < 0:
            if self.length:
                self._parts.append(SEPARATOR)
                self.starts.extend((-1, -1))
                self.ends.extend((-1, -1))
                self.length += 2
            self._block_start = self.length
            for handle in self._waiting:
                link = self._links[handle]
                link[0] = self.length
                if link[1] >= 0:
                    link[1] = self.length
            self._waiting.clear()

    # -- text ----------------------------------------------------------------------------
    def add(self, text: str, src_start: int) -> None:
        """Append ``text``, whose characters stand one to one at ``source[src_start:]``."""
        if not text:
            return
        if "  " in text or "\t" in text or (text[0] == " " and self.last_char == " " and self.block_has_text):
            self._add_folding_spaces(text, src_start)
            return
        self._begin_text()
        n = len(text)
        self._parts.append(text)
        self.starts.extend(self._offsets[src_start:src_start + n])
        self.ends.extend(self._offsets[src_start + 1:src_start + n + 1])
        self.length += n

    def _add_folding_spaces(self, text: str, src_start: int) -> None:
        """``add`` for text with runs of whitespace: each run is one space mapped to the whole run."""
        pos = 0
        if text[0] == " " and self.last_char == " " and self.block_has_text:
            pos = len(text) - len(text.lstrip(" \t"))
        for m in SPACE_RUN.finditer(text, pos):
            self.add(text[pos:m.start()], src_start + pos)
            self.add_span(" ", src_start + m.start(), src_start + m.end())
            pos = m.end()
        self.add(text[pos:], src_start + pos)

    def add_span(self, text: str, src_start: int, src_end: int) -> None:
        """Append ``text`` (an entity's or escape's decoded characters), all mapped to one span."""
        if not text:
            return
        self._begin_text()
        n = len(text)
        self._parts.append(text)
        self.starts.extend([src_start] * n)
        self.ends.extend([src_end] * n)
        self.length += n

    # -- links and excluded ranges -------------------------------------------------------
    def open_link(self, href: str) -> int:
        """Start a link whose label is the text added from now on; returns a handle."""
        self._links.append([self.length, -1, href])
        if not self.block_has_text:
            self._waiting.append(len(self._links) - 1)
        return len(self._links) - 1

    def close_link(self, handle: int) -> None:
        """End the link ``handle`` at the current text position."""
        self._links[handle][1] = self.length

    def exclude(self, start: int, end: int) -> None:
        """Record ``source[start:end]`` as not prose (code, URL, script, comment, ...)."""
        if end > start:
            self.excluded.append((start, end))

    # -- result --------------------------------------------------------------------------
    def text(self) -> str:
        """The plain text built so far."""
        return "".join(self._parts)

    def links(self) -> list[Link]:
        """The links, in the order they were opened (an unclosed link ends with the text)."""
        return [Link(start, self.length if end < 0 else end, href) for start, end, href in self._links]

    def build(self, path: str, fmt: str, source: str, title: str | None = None,
              metadata: dict | None = None, warnings: list[str] | None = None,
              root_title: str | None = None, sources_to_end: bool = False) -> Document:
        """Close the open block and assemble the ``Document``.

        ``title`` defaults to the first level-1 heading. ``root_title`` is a title that is not a
        block of the text; ``sources_to_end`` makes a Sources section run to the end of the
        document (plain text has no heading levels).
        """
        self.close_block()
        text = self.text()
        blocks, sources_start = finish_blocks(text, self.blocks, root_title, sources_to_end)
        if title is None:
            title = next((text[b.start:b.end] for b in blocks if b.kind == "heading" and b.level == 1), None)
        return Document(
            path=path,
            format=fmt,
            source=source,
            text=text,
            starts=self.starts,
            ends=self.ends,
            title=title,
            metadata=metadata or {},
            blocks=blocks,
            links=self.links(),
            excluded=merge_ranges(self.excluded + self._bare_urls(text)),
            sources_start=sources_start,
            warnings=list(warnings or []),
            root_title=root_title,
        )

    def _bare_urls(self, text: str) -> list[tuple[int, int]]:
        """Source ranges of URLs written out in the text."""
        out = []
        for m in BARE_URL.finditer(text):
            start, end = self.starts[m.start()], self.ends[m.end() - 1]
            if 0 <= start < end:
                out.append((start, end))
        return out


def merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort ranges and merge the ones that overlap or touch."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
