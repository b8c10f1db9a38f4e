"""HTML to ``Document``, with every text character mapped to its exact source span.

Why the standard library's ``html.parser``: lxml (libxml2) reports only the line of each
element's start tag and selectolax reports no positions at all, so neither can say where a
text node's characters are. ``html.parser`` reports the line and column of every event (start
tag, end tag, text, comment), which is what exact positions need. The element structure is
built from that same event stream with the HTML rules for the end tags authors leave out
(``<p>``, ``<li>``, ``<td>``, ``<tr>``, ``<dt>``/``<dd>``, ``<head>`` before body content, an
ancestor's end tag closing its open children); mixing two parsers would mean aligning two
trees that disagree exactly on malformed input.

Text: character references decode (``&nbsp;`` stays U+00A0) and map to their source span;
runs of ASCII whitespace collapse to one space mapped to the run; whitespace at block edges
is dropped. Blocks: ``p``, ``li``, ``h1``-``h6``, ``td``/``th``, ``div`` and other block
elements, ``blockquote`` (kind ``quote``), ``dt``/``dd`` (kind ``list_item``), captions;
``<br>`` ends a block. ``script``, ``style``, ``nav``, ``footer``, ``form``, ``head`` (its
``<title>`` becomes the title), ``noscript``, ``template``, ``svg``, code (``code``, ``pre``,
``kbd``, ``samp``) and comments are left out of the text and recorded in ``excluded``, as are
``<img>`` tags and the start tags of links.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from auditor.document import Document
from auditor.ingest import messages
from auditor.ingest.builder import TextBuilder

VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
})
DROP = frozenset({
    "script", "style", "nav", "footer", "form", "head", "noscript", "template", "svg", "math",
    "iframe", "object", "select", "button", "textarea", "canvas", "audio", "video", "code", "pre",
    "kbd", "samp",
})
# Dropped elements that are blocks: text before and after them belongs to different blocks.
DROP_BLOCK = frozenset({"nav", "footer", "form", "head", "pre"})
HEAD_CONTENT = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})
BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
    "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "ol",
    "optgroup", "option", "p", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Elements whose start closes an open <p> (HTML "closes a p element").
CLOSES_P = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
    "table", "ul", "li", "dd", "dt",
})
P_SCOPE = frozenset({"button", "table", "td", "th", "caption", "html", "template", "object", "applet"})
# For an element starting: (elements it closes, elements that bound the search).
IMPLIED = {
    "li": ({"li"}, {"ul", "ol", "menu", "table"}),
    "dt": ({"dt", "dd"}, {"dl", "table"}),
    "dd": ({"dt", "dd"}, {"dl", "table"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead", "tfoot"}),
    "tbody": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "thead": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "tfoot": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "option": ({"option"}, {"select", "datalist"}),
    "a": ({"a"}, set()),
}
# Kind of a block by its innermost deciding ancestor.
KIND_OF = {"li": "list_item", "dt": "list_item", "dd": "list_item", "td": "table_cell",
           "th": "table_cell", "blockquote": "quote"}
# Character references exactly as html.unescape (and so html.parser) finds them.
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_LEADING_WS = re.compile(r"[ \t\n\r\f]*")
_COLLAPSE = re.compile(r"[ \t\n\r\f]{2,}|[\t\n\r\f]")  # whitespace that is not one plain space
_WS = frozenset(" \t\n\r\f")


# -- event stream ---------------------------------------------------------------------------
@dataclass
class Event:
    kind: str  # "start", "end", "data", "comment", "other"
    pos: int  # source offset where the event starts
    tag: str = ""
    data: str = ""
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    length: int = 0  # start tags: length of the raw tag


class _Recorder(HTMLParser):
    """Collects html.parser events with their source offsets."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self.events: list[Event] = []

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        self.events.append(Event("start", self._pos(), tag, attrs=attrs, length=len(raw)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.events.append(Event("end", self._pos() + self.events[-1].length, tag))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(Event("end", self._pos(), tag))

    def handle_data(self, data: str) -> None:
        self.events.append(Event("data", self._pos(), data=data))

    def handle_comment(self, data: str) -> None:
        self.events.append(Event("comment", self._pos()))

    def handle_decl(self, decl: str) -> None:
        self.events.append(Event("other", self._pos()))

    def handle_pi(self, data: str) -> None:
        self.events.append(Event("other", self._pos()))

    def unknown_decl(self, data: str) -> None:
        self.events.append(Event("other", self._pos()))

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """``<![...>`` in HTML content is a bogus comment up to the next ``>`` (as browsers read it).

        The inherited version follows SGML and raises on anything but a well-formed section.
        """
        j = self.rawdata.find(">", i + 3)
        if j < 0:
            return -1
        self.handle_comment(self.rawdata[i + 3:j])
        return j + 1


def events_of(source: str) -> tuple[list[Event], int | None]:
    """Every parser event of ``source`` in order, with offsets, and where parsing gave up (if it did)."""
    rec = _Recorder(source)
    try:
        rec.feed(source)
        rec.close()
    except AssertionError:  # html.parser's way of rejecting markup it cannot read
        return rec.events, rec._pos()
    return rec.events, None


# -- text flow --------------------------------------------------------------------------------
class _Flow:
    """Decoded, whitespace-collapsed text into the builder; opens blocks lazily."""

    def __init__(self, source: str, builder: TextBuilder) -> None:
        self.src = source
        self.b = builder
        self.pending: tuple[int, int] | None = None  # whitespace run not yet written
        self.kind: tuple[str, int] = ("paragraph", 0)
        self.fresh = True  # a boundary passed: the next text opens a block of ``kind``
        self.href: str | None = None  # the open <a href>, if any
        self.link: int | None = None  # its builder handle in the current block

    def boundary(self, kind: tuple[str, int]) -> None:
        """A block edge: close the block (and the link label part in it)."""
        self.end_link()
        self.b.close_block()
        self.pending = None
        self.kind, self.fresh = kind, True

    def begin_link(self, href: str) -> None:
        self.end_link()
        self.href = href

    def end_link(self) -> None:
        if self.link is not None:
            self.b.close_link(self.link)
        self.link = None

    def _write(self) -> None:
        """Prepare to write a visible character: block, pending space, link."""
        if self.fresh:
            self.b.open_block(*self.kind)
            self.fresh = False
        if self.pending is not None:
            if self.b.block_has_text:
                self.b.add_span(" ", *self.pending)
            self.pending = None
        if self.href is not None and self.link is None:
            self.link = self.b.open_link(self.href)

    def space(self, start: int, end: int) -> None:
        if self.pending is None:
            self.pending = (start, end)

    def chars(self, text: str, start: int) -> None:
        """Text whose characters stand one to one at ``source[start:]``."""
        n = len(text)
        i = _LEADING_WS.match(text).end()  # type: ignore[union-attr]
        if i:
            self.space(start, start + i)
        if i == n:
            return
        j = n
        while text[j - 1] in _WS:
            j -= 1
        self._write()
        pos = i
        for m in _COLLAPSE.finditer(text, i, j):
            if m.start() > pos:
                self.b.add(text[pos:m.start()], start + pos)
            self.b.add_span(" ", start + m.start(), start + m.end())
            pos = m.end()
        self.b.add(text[pos:j], start + pos)
        if j < n:
            self.space(start + j, start + n)

    def decoded(self, text: str, start: int, end: int) -> None:
        """Characters decoded from one character reference at ``source[start:end]``."""
        if not text:  # a reference to a code point HTML drops
            return
        if all(c in _WS for c in text):
            self.space(start, end)
        else:
            self._write()
            self.b.add_span(text, start, end)

    def data(self, text: str, start: int, limit: int) -> None:
        """A data event: ``text`` decoded from the source starting at ``start`` (before ``limit``)."""
        src = self.src
        if "&" not in text and src.startswith(text, start):
            self.chars(text, start)
            return
        i, p, n = 0, start, len(text)
        while i < n and p < limit:
            if src[p] == "&" and (m := _CHARREF.match(src, p, limit)):
                dec = html.unescape(m.group())
                if dec != m.group() and text.startswith(dec, i):
                    self.decoded(dec, p, m.end())
                    i, p = i + len(dec), m.end()
                    continue
            if src[p] == text[i]:
                j = i + 1  # extend over the literal run
                while j < n and p + (j - i) < limit and src[p + j - i] == text[j] and text[j] != "&":
                    j += 1
                self.chars(text[i:j], p)
                p += j - i
                i = j
            else:
                p += 1  # a source character the parser dropped
        if i < n:  # could not align the rest: keep it, anchored at the end
            self._write()
            self.b.add_span(text[i:], p, p)


# -- structure --------------------------------------------------------------------------------
DECIDES_KIND = frozenset(HEADINGS) | frozenset(KIND_OF)


class TagStack:
    """Open elements, innermost last, with where each tag name stands: every lookup takes the
    same time however deep the nesting (20,000 nested ``<div>`` elements read in linear time)."""

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.where: dict[str, list[int]] = {}

    def append(self, tag: str) -> None:
        self.where.setdefault(tag, []).append(len(self.tags))
        self.tags.append(tag)

    def pop(self) -> str:
        tag = self.tags.pop()
        self.where[tag].pop()
        return tag

    def truncate(self, index: int) -> None:
        """Drop ``tags[index:]``."""
        while len(self.tags) > index:
            self.pop()

    def last(self, tag: str) -> int:
        """Index of the innermost ``tag``; -1."""
        positions = self.where.get(tag)
        return positions[-1] if positions else -1

    def innermost(self, names: set[str] | frozenset[str]) -> int:
        """Index of the innermost element whose tag is in ``names``; -1."""
        return max((self.last(t) for t in names), default=-1)

    def __contains__(self, tag: object) -> bool:
        return bool(self.where.get(tag))  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> str:
        return self.tags[index]

    def __len__(self) -> int:
        return len(self.tags)


class _Reader:
    """Consumes the event stream: element stack, dropped subtrees, title, links, blocks."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.b = TextBuilder(len(source))
        self.flow = _Flow(source, self.b)
        self.stack = TagStack()
        self.title: str | None = None
        self._title_parts: list[str] | None = None
        # dropped subtree: its tag, start offset, and its own open elements
        self.drop: tuple[str, int] | None = None
        self.drop_stack = TagStack()
        self.tables: list[list[int]] = []  # open tables: [table number, row, column]
        self.table_count = 0

    def kind(self) -> tuple[str, int] | tuple[str, int, tuple[int, int, int]]:
        """The kind of block the innermost heading, cell, list item or quote makes; else a paragraph."""
        i = self.stack.innermost(DECIDES_KIND)
        if i < 0:
            return "paragraph", 0
        tag = self.stack[i]
        if tag in HEADINGS:
            return "heading", HEADINGS[tag]
        if tag in ("td", "th") and self.tables:
            table, row, col = self.tables[-1]
            return "table_cell", 0, (table, max(row, 0), max(col, 0))
        return KIND_OF[tag], 0

    # elements -----------------------------------------------------------------------------
    def _pop_to(self, index: int) -> None:
        """Close ``stack[index:]`` (innermost first)."""
        while len(self.stack) > index:
            tag = self.stack.pop()
            if tag == "a":
                self.flow.end_link()
                self.flow.href = None
            if tag in BLOCK:
                self.flow.boundary(self.kind())

    def _last(self, names: set[str] | frozenset[str], bounds: set[str] | frozenset[str]) -> int:
        """Index of the innermost open element in ``names`` not beyond one in ``bounds``; -1."""
        i = self.stack.innermost(names)
        return i if i >= 0 and i >= self.stack.innermost(bounds) else -1

    def start(self, ev: Event) -> None:
        tag = ev.tag
        if tag == "title":
            self._title_parts = []
            return
        if tag in DROP:
            self.drop, self.drop_stack = (tag, ev.pos), TagStack()
            if tag in DROP_BLOCK:
                self.flow.boundary(self.kind())
            return
        if tag in CLOSES_P and (i := self._last({"p"}, P_SCOPE)) >= 0:
            self._pop_to(i)
        if tag in HEADINGS and self.stack and self.stack[-1] in HEADINGS:
            self._pop_to(len(self.stack) - 1)
        if tag in IMPLIED and (i := self._last(*IMPLIED[tag])) >= 0:
            self._pop_to(i)
        if tag == "img":
            self.b.exclude(ev.pos, ev.pos + ev.length)
        if tag not in VOID:
            self.stack.append(tag)
        self._count_cells(tag)
        if tag == "a":
            href = dict(ev.attrs).get("href")
            if href is not None:
                self.flow.begin_link(href)
                self.b.exclude(ev.pos, ev.pos + ev.length)
        if tag in BLOCK:  # after <br> or <hr>, a new block of the same kind
            self.flow.boundary(self.kind())

    def _count_cells(self, tag: str) -> None:
        """Keep (table, row, column) of the innermost table up to date."""
        if tag == "table":
            self.tables.append([self.table_count, -1, -1])
            self.table_count += 1
        elif tag == "tr" and self.tables:
            self.tables[-1][1] += 1
            self.tables[-1][2] = -1
        elif tag in ("td", "th") and self.tables:
            if self.tables[-1][1] < 0:
                self.tables[-1][1] = 0
            self.tables[-1][2] += 1

    def end(self, ev: Event) -> None:
        tag = ev.tag
        if tag == "table" and self.tables:
            self.tables.pop()
        if tag == "title":
            self._end_title()
            return
        if tag == "br":  # </br> acts as <br>
            self.flow.boundary(self.kind())
            return
        if tag in self.stack:
            self._pop_to(self.stack.last(tag))

    def _end_title(self) -> None:
        if self._title_parts is not None:
            text = " ".join("".join(self._title_parts).split())
            if text and self.title is None:
                self.title = text
            self._title_parts = None

    # dropped subtrees ---------------------------------------------------------------------
    def dropped(self, ev: Event, stop: int) -> bool:
        """Handle ``ev`` inside a dropped subtree; False when it ended the subtree unconsumed."""
        tag = self.drop[0]  # type: ignore[index]
        if ev.kind == "start":
            if tag == "head" and ev.tag not in HEAD_CONTENT:
                self._end_drop(ev.pos)  # body content closes an open <head>
                return False
            if ev.tag == "title" and tag == "head":
                self._title_parts = []
            elif ev.tag not in VOID:
                self.drop_stack.append(ev.tag)
        elif ev.kind == "end":
            if ev.tag == "title" and tag == "head":
                self._end_title()
            elif ev.tag in self.drop_stack:
                self.drop_stack.truncate(self.drop_stack.last(ev.tag))
            elif ev.tag == tag:
                self._end_drop(stop)
            elif ev.tag in self.stack:  # an ancestor ends: so does the dropped element
                self._end_drop(ev.pos)
                return False
        elif ev.kind == "data":
            if self._title_parts is not None:
                self._title_parts.append(ev.data)
            elif tag == "head" and ev.data.strip() and not self.drop_stack:
                self._end_drop(ev.pos)  # text closes an open <head>, as body content does
                return False
        return True

    def _end_drop(self, stop: int) -> None:
        tag, begin = self.drop  # type: ignore[misc]
        self.b.exclude(begin, stop)
        self.drop, self.drop_stack = None, TagStack()
        if tag in DROP_BLOCK:
            self.flow.boundary(self.kind())

    # driver ---------------------------------------------------------------------------------
    def read(self, events: list[Event]) -> None:
        n = len(events)
        for k, ev in enumerate(events):
            stop = events[k + 1].pos if k + 1 < n else len(self.src)
            if ev.kind == "start" and self._title_parts is not None and ev.tag != "title":
                self._end_title()  # a tag inside <title>: the title was left open
            if self.drop is not None and self.dropped(ev, stop):
                continue
            if ev.kind == "start":
                self.start(ev)
            elif ev.kind == "end":
                self.end(ev)
            elif ev.kind == "data":
                if self._title_parts is not None:
                    self._title_parts.append(ev.data)
                else:
                    self.flow.data(ev.data, ev.pos, stop)
            elif ev.kind == "comment":
                self.b.exclude(ev.pos, stop)
        if self.drop is not None:
            self._end_drop(len(self.src))


def read_html(path: str, source: str, warnings: list[str], *, continued: bool = False) -> Document:
    """Build the ``Document`` of an HTML file (see the module docstring for the layout).

    ``continued``: a later section of a long file (``auditor.ingest.stream``); read the same way.
    """
    reader = _Reader(source)
    events, stopped = events_of(source)
    reader.read(events)
    reader.flow.boundary(("paragraph", 0))
    if stopped is not None:
        reader.b.exclude(stopped, len(source))
        warnings = [*warnings, messages.html_parse_stopped(path, source.count("\n", 0, stopped) + 1)]
    title = reader.title
    return reader.b.build(path, "html", source, title=title, warnings=warnings, root_title=title)

