"""Section structure: each block's nearest heading and the Sources / References section.

A heading (or title) whose whole text is "Sources", "References", "Bibliography",
"Citations", "Works cited" or "Further reading" (any case, optional trailing colon, optional
section number) starts the sources section; it runs until a heading of the same or a higher
level, or to the end of the document for plain text, whose headings have no levels. A
paragraph that consists of nothing but such a word (``**Sources:**``) starts it as well and
runs until the next heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from auditor.document import Block

SOURCES_HEADING = re.compile(
    r"(?:\d+(?:\.\d+)*[.)]?\s+)?"
    r"(?:sources|references|bibliography|citations|works\s+cited|further\s+reading"
    r"|article\s+sources|literature\s+cited|sources\s+and\s+references"
    r"|references\s+and\s+further\s+reading)"
    r"\s*:?",
    re.IGNORECASE,
)
HEADING_KINDS = ("title", "heading")
_PARAGRAPH_LEVEL = 7  # a pseudo-heading paragraph ends at any real heading


class RawBlockLike(Protocol):
    start: int
    end: int
    kind: str
    level: int


def is_sources_heading(text: str) -> bool:
    """True when ``text`` names a sources / references section."""
    return SOURCES_HEADING.fullmatch(text.strip()) is not None


def finish_blocks(
    text: str, raw: Sequence[RawBlockLike], root: str | None = None, sources_to_end: bool = False
) -> tuple[list[Block], int | None]:
    """Resolve ``heading`` and ``in_sources`` for every block; return blocks and ``sources_start``.

    A heading block's ``heading`` is its parent: the nearest heading above it with a lower
    level (or the title). Any other block's ``heading`` is the nearest heading above it.
    ``root`` is a document title that is not itself a block (front matter, ``<title>``): it
    stands above every block.
    """
    blocks: list[Block] = []
    # open headings: (level, text), levels increasing
    outline: list[tuple[int, str]] = [(0, root)] if root else []
    sources_start: int | None = None
    sources_level: int | None = None  # level of the heading that opened the section, if open
    for rb in raw:
        body = text[rb.start:rb.end]
        is_heading = rb.kind in HEADING_KINDS
        level = rb.level or 1
        if is_heading:
            while outline and outline[-1][0] >= level:
                outline.pop()
            above = outline[-1][1] if outline else None
            outline.append((level, body))
            if sources_level is not None and not sources_to_end and level <= sources_level:
                sources_level = None
        else:
            above = outline[-1][1] if outline else None
        if sources_level is None and is_sources_heading(body):
            sources_level = level if is_heading else _PARAGRAPH_LEVEL
            if sources_start is None:
                sources_start = rb.start
        blocks.append(Block(rb.start, rb.end, rb.kind, rb.level, above, sources_level is not None, rb.cell))
    return blocks, sources_start
