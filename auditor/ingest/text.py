"""Plain text to ``Document``: every non-empty line is a block, mapped one to one.

Real articles saved as text put headings and list items on lines of their own with no blank
line in between, so a line is the unit. Leading and trailing whitespace (and a CR before the
LF) are not part of a block; a list marker (``- ``, ``* ``, ``• ``, ``1. ``, ``1) ``) is not
part of a list item's text.

A line is a heading (level 2) when it is short (at most 90 characters), starts with an
uppercase letter or a digit, has no ``:``, does not end in ``. ! ? ; ,`` and some non-empty
line follows it; a date ("July 22, 2021") or a line ending in a word such as "by" or "of"
("Medically reviewed by") is not a heading. The first non-empty line is the title (kind
``title``, level 1) under the same test, except that a colon is allowed there when no digit
follows it ("Klonopin for sleep: dosage, uses, and side effects"; "Dose: 0.5 mg" stays a
paragraph).

Lists whose markers were lost: after a line ending in ``:`` ("Side effects include:"), the
short lines that follow (at most 90 characters, not ending in ``. ! ? :``) are list items until
a longer line, a line in Title Case ("Divided Dosing (0.5 mg Twice Daily)", a heading) or a
Sources heading.

A Sources heading opens a section that runs to the end of the file; the lines after it are
entries, never headings.

Tables flattened into lines with ``|`` between cells (``Group | Mean half-life``): two or more
consecutive lines with the same number of ``|`` are the rows of a table, and each trimmed cell
is a ``table_cell`` block with its (table, row, column), the first row being the header.
"""

from __future__ import annotations

import re

from auditor.document import Document
from auditor.ingest.builder import TextBuilder
from auditor.ingest.sections import is_sources_heading

MAX_HEADING_CHARS = 90
_LIST_MARKER = re.compile(r"(?:[-*•◦▪‣]|\d{1,3}[.)])[ \t]+")
_NO_END = (".", "!", "?", ";", ",")
_COLON_THEN_DIGIT = re.compile(r":.*\d")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    rf"|\b\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}\b"
    r"|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b",
    re.IGNORECASE,
)
_DANGLING = frozenset({
    "a", "an", "and", "or", "the", "of", "by", "to", "for", "with", "in", "on", "at", "from",
    "about", "into", "than", "that", "despite",
})
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _heading_like(line: str, as_title: bool) -> bool:
    if len(line) > MAX_HEADING_CHARS or line.endswith(_NO_END):
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    if ":" in line and not (as_title and not _COLON_THEN_DIGIT.search(line)):
        return False
    words = _WORD.findall(line)
    return bool(words) and words[-1].lower() not in _DANGLING and not _DATE.search(line)


def _item_like(line: str) -> bool:
    """A short line that can be an item of a list introduced by ``...:``."""
    return len(line) <= MAX_HEADING_CHARS and not line.endswith((".", "!", "?", ":"))


def _title_case(line: str) -> bool:
    """Every word of four letters or more is capitalized, and there are two of them."""
    long_words = [w for w in _WORD.findall(line) if len(w) >= 4]
    return len(long_words) >= 2 and all(w[0].isupper() for w in long_words)


def _lines(source: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-empty line, whitespace trimmed (CR included)."""
    out = []
    pos, n = 0, len(source)
    while pos <= n:
        nl = source.find("\n", pos)
        stop = n if nl < 0 else nl
        line = source[pos:stop]
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            out.append((start, start + len(stripped)))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _cells(line: str) -> list[tuple[int, int, int]]:
    """``(column, start, end)`` of the non-empty, trimmed cells of a line with ``|`` between cells.

    An empty cell keeps its column (`` | Hydroxyzine | Xanax`` has its names in columns 1 and 2).
    """
    out, pos = [], 0
    for col, part in enumerate(line.split("|")):
        stripped = part.strip()
        if stripped:
            lead = len(part) - len(part.lstrip())
            out.append((col, pos + lead, pos + lead + len(stripped)))
        pos += len(part) + 1
    return out


def _table_rows(source: str, lines: list[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Line index -> (table, row) for runs of two or more lines that are rows of a ``|`` table.

    Scraped pages flatten tables into lines such as ``Group | Mean half-life``; every line of a
    run has the same number of ``|`` separators.
    """
    rows: dict[int, tuple[int, int]] = {}
    table, i = 0, 0
    while i < len(lines):
        count = source[lines[i][0]:lines[i][1]].count("|")
        j = i
        while j < len(lines) and count and source[lines[j][0]:lines[j][1]].count("|") == count:
            j += 1
        if j - i >= 2:
            for row, k in enumerate(range(i, j)):
                rows[k] = (table, row)
            table += 1
            i = j
        else:
            i += 1
    return rows


def read_text(path: str, source: str, warnings: list[str], *, continued: bool = False,
              in_sources: bool = False) -> Document:
    """Build the ``Document`` of a plain-text file (see the module docstring for the layout).

    For a section of a long file (``auditor.ingest.stream``): ``continued`` when it is not the
    file's start (its first line is no title), ``in_sources`` when a Sources heading came before.
    """
    b = TextBuilder(len(source))
    lines = _lines(source)
    table_rows = _table_rows(source, lines)
    title = None
    in_list = False  # after a "...:" line, inside the short lines that follow it
    for i, (start, end) in enumerate(lines):
        line = source[start:end]
        has_next = i + 1 < len(lines)
        if i in table_rows and not in_sources:
            table, row = table_rows[i]
            for col, a, z in _cells(line):
                b.open_block("table_cell", 0, (table, row, col))
                b.add(line[a:z], start + a)
            in_list = False
            continue
        marker = _LIST_MARKER.match(line)
        if marker and marker.end() < len(line):
            b.open_block("list_item")
            b.add(line[marker.end():], start + marker.end())
            continue
        item = in_list and _item_like(line) and not _title_case(line) and not is_sources_heading(line)
        if item:
            b.open_block("list_item")
        elif i == 0 and not continued and has_next and _heading_like(line, as_title=True):
            b.open_block("title", 1)
            title = line
        elif not in_sources and has_next and _heading_like(line, as_title=False):
            b.open_block("heading", 2)
            in_sources = is_sources_heading(line)
        else:
            b.open_block("paragraph")
        b.add(line, start)
        in_list = item or line.endswith(":")
    return b.build(path, "text", source, title=title, warnings=warnings, sources_to_end=True)
