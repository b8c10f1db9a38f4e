"""Markdown to ``Document`` with markdown-it-py (CommonMark + tables + strikethrough + front matter).

Block tokens carry line ranges (``token.map``); inline tokens carry no offsets. Each inline
``text`` token is therefore aligned into its block's source lines with a cursor that only
moves forward through the file: first by finding the whole token text when only markup
characters (emphasis delimiters, table pipes, quote markers, whitespace) lie in between, else
character by character, where a backslash escape or an entity maps all of its decoded
characters to its source span. Link destinations and titles, images, code spans and inline
HTML are stepped over explicitly (with markdown-it's own link parsers), so later text can
never align inside a URL.

Text layout: headings, paragraphs, list items (``list_item``), blockquote paragraphs
(``quote``) and table cells (``table_cell``) are blocks. A soft or hard line break is a space
mapped to the line ending. Code (blocks, fences, spans), HTML blocks, link destinations,
images, autolinks, reference definitions and front matter are ``excluded`` and not in the
text. An autolink is recorded as a link with an empty label where it stood. Inline HTML tags
are excluded too: ``<br>`` stands as a space, and what an inline ``<script>`` or ``<style>``
holds is left out up to its end tag (or the end of the block).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.common.entities import entities
from markdown_it.common.utils import fromCodePoint, isValidEntityCode
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.rules_inline.entity import DIGITAL_RE, NAMED_RE
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from auditor.document import Document
from auditor.ingest import messages
from auditor.ingest.builder import TextBuilder

_PARSER = (
    MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
)
_CONTINUED = MarkdownIt("commonmark").enable(["table", "strikethrough"])  # a later section: no front matter
_LINE_END = re.compile(r"\r\n?|\n")
# What may stand between two aligned pieces of one inline run: markup, never text.
_MARKUP_GAP = re.compile(r"[\s*_~>#|\[!]*")
# How far ahead a token is looked for as a whole: enough for any markup in between, and a
# bound that keeps a long paragraph with many escapes linear (the fallback has no limit).
_MAX_GAP = 256
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Raw-text HTML elements whose content is not prose when they appear inline.
_RAW_OPEN = re.compile(r"<(script|style|noscript|template|textarea)\b", re.IGNORECASE)
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)


def line_starts(source: str) -> list[int]:
    """Offset of every line's first character, with CommonMark line endings (CR, LF, CRLF)."""
    return [0, *(m.end() for m in _LINE_END.finditer(source))]


def _entity_at(src: str, pos: int, end: int) -> tuple[str, int] | None:
    """The characters an entity at ``src[pos]`` decodes to (as markdown-it does) and its end."""
    if src.startswith("&#", pos):
        m = DIGITAL_RE.match(src, pos, end)
        if m:
            body = m.group(1)
            code = int(body[1:], 16) if body[0] in "xX" else int(body)
            return fromCodePoint(code if isValidEntityCode(code) else 0xFFFD), m.end()
        return None
    m = NAMED_RE.match(src, pos, end)
    if m and m.group(1) in entities:
        return entities[m.group(1)], m.end()
    return None


class _InlineAligner:
    """Walks inline tokens over the source with a forward-only cursor, feeding a TextBuilder."""

    def __init__(self, src: str, builder: TextBuilder) -> None:
        self.src = src
        self.b = builder
        self.cur = 0
        self.end = len(src)
        self.emit = True
        self._raw_tag: str | None = None  # inside inline <script> ... </script>
        self._raw_start = 0
        self._squeeze = False  # something was left out: don't double the space around it

    # -- entry points ----------------------------------------------------------------------
    def run(self, children: list[Token], start: int, end: int) -> None:
        """Align ``children`` of an inline token whose lines are ``src[start:end]``."""
        self.cur = max(self.cur, start)
        self.end = end
        auto = False  # inside an autolink: its text is the URL, already excluded
        links: list[int] = []
        for tok in children:
            t = tok.type
            if auto and t != "link_close":
                continue
            if t == "text":
                self.text(tok.content)
            elif t in ("softbreak", "hardbreak"):
                self.line_break()
            elif t == "code_inline":
                self.code_span(len(tok.markup))
            elif t == "link_open":
                if tok.markup == "autolink":
                    auto = True
                    self.autolink(str(tok.attrs.get("href", "")))
                elif self.emit:
                    links.append(self.b.open_link(str(tok.attrs.get("href", ""))))
            elif t == "link_close":
                if auto:
                    auto = False
                    continue
                if self.emit and links:
                    self.b.close_link(links.pop())
                self.link_tail()
            elif t == "image":
                self.image(tok)
            elif t == "html_inline":
                self.html_inline(tok.content)

    def finish_block(self) -> None:
        """An inline ``<script>`` left open ends with its block."""
        if self._raw_tag:
            self.b.exclude(self._raw_start, self.cur)
            self._raw_tag = None

    def skip_marker(self, line_start: int, line_end: int, marker: str) -> None:
        """Step over a list item's marker (``-``, ``1.``) on the line ``src[line_start:line_end]``."""
        self.cur = max(self.cur, line_start)
        pos = self.src.find(marker, self.cur, line_end)
        if pos >= 0:
            self.cur = pos + len(marker)

    # -- text ------------------------------------------------------------------------------
    def _put(self, text: str, start: int, end: int) -> None:
        if not text or not self.emit or self._raw_tag:
            return
        if self._squeeze:
            self._squeeze = False
            at_edge = not self.b.block_has_text or self.b.last_char == " "
            if text[0] == " " and end - start == len(text) and at_edge:
                text, start = text[1:], start + 1
                if not text:
                    return
        if end - start == len(text):
            self.b.add(text, start)
        else:
            self.b.add_span(text, start, end)

    def text(self, content: str) -> None:
        """Align one ``text`` token's content."""
        src, cur = self.src, self.cur
        pos = src.find(content, cur, min(self.end, cur + len(content) + _MAX_GAP))
        if pos >= 0 and (pos == cur or _MARKUP_GAP.fullmatch(src, cur, pos)):
            self._put(content, pos, pos + len(content))
            self.cur = pos + len(content)
            return
        self._align_chars(content)

    def _align_chars(self, content: str) -> None:
        """Character-by-character alignment through escapes, entities and markup."""
        src, end, p = self.src, self.end, self.cur
        i, n = 0, len(content)
        while i < n:
            ch = content[i]
            q, hit = p, None
            while q < end:
                c = src[q]
                if c == "\\" and q + 1 < end and src[q + 1] == ch and ch in _ESCAPABLE:
                    hit = (ch, q, q + 2)
                elif c == "&" and (ent := _entity_at(src, q, end)) and content.startswith(ent[0], i):
                    hit = (ent[0], q, ent[1])
                elif c == ch or (ch == "\ufffd" and c == "\x00"):
                    j = 1  # extend over the literal run, up to a possible escape or entity
                    while (i + j < n and q + j < end and src[q + j] == content[i + j]
                           and src[q + j] not in "\\&"):
                        j += 1
                    hit = (content[i:i + j], q, q + j)
                if hit:
                    break
                q += 1
            if hit is None:  # not in the source: keep the character, anchored at the cursor
                self._put(ch, p, p)
                i += 1
                continue
            decoded, s, e = hit
            self._put(decoded, s, e)
            i += len(decoded)
            p = e
        self.cur = p

    def line_break(self) -> None:
        """A soft or hard line break: one space mapped to the line ending."""
        m = _LINE_END.search(self.src, self.cur, self.end)
        if m:
            if self.b.block_has_text:
                self._put(" ", m.start(), m.end())
            self.cur = m.end()

    # -- things that are not text --------------------------------------------------------------
    def _backtick_run(self, n: int, pos: int) -> int:
        """Start of the first run of exactly ``n`` backticks at or after ``pos`` (-1 if none)."""
        src, end = self.src, self.end
        while True:
            start = src.find("`", pos, end)
            if start < 0:
                return -1
            stop = start
            while stop < end and src[stop] == "`":
                stop += 1
            if stop - start == n:
                return start
            pos = stop

    def code_span(self, n: int) -> None:
        """Step over a code span opened and closed by ``n`` backticks; exclude it."""
        start = self._backtick_run(n, self.cur)
        if start < 0:
            return
        close = self._backtick_run(n, start + n)
        stop = self.end if close < 0 else close + n
        self.b.exclude(start, stop)
        self.cur = stop
        self._squeeze = True

    def autolink(self, href: str) -> None:
        """``<https://...>``: excluded, recorded as a link with an empty label."""
        lt = self.src.find("<", self.cur, self.end)
        gt = self.src.find(">", lt + 1, self.end) if lt >= 0 else -1
        if gt < 0:
            return
        self.b.exclude(lt, gt + 1)
        self.cur = gt + 1
        self._squeeze = True
        if self.emit:
            self.b.close_link(self.b.open_link(href))

    def link_tail(self) -> None:
        """Step over ``](destination "title")`` or ``][label]`` after a link or image label."""
        src, end = self.src, self.end
        close = src.find("]", self.cur, end)
        if close < 0:
            return
        self.cur = close + 1
        p = close + 1
        if p < end and src[p] == "(":
            stop = self._inline_destination(p + 1)
            if stop > 0:
                self.b.exclude(p, stop)
                self.cur = stop
        elif p < end and src[p] == "[":
            q = p + 1
            while q < end and src[q] != "]":
                q += 2 if src[q] == "\\" else 1
            if q < end:
                self.b.exclude(p, q + 1)
                self.cur = q + 1

    def _skip_space(self, p: int) -> int:
        src, end = self.src, self.end
        while p < end and src[p] in " \t\r\n":
            p += 1
        return p

    def _inline_destination(self, p: int) -> int:
        """End (past ``)``) of an inline link's destination and title starting at ``p``; -1 if none."""
        src, end = self.src, self.end
        p = self._skip_space(p)
        dest = parseLinkDestination(src, p, end)
        if dest.ok:
            p = self._skip_space(dest.pos)
            title = parseLinkTitle(src, p, end)
            if title.ok:
                p = self._skip_space(title.pos)
        return p + 1 if p < end and src[p] == ")" else -1

    def image(self, tok: Token) -> None:
        """``![alt](src)``: neither alt text nor path is prose; the whole image is excluded."""
        bang = self.src.find("![", self.cur, self.end)
        if bang < 0:
            return
        self.cur = bang + 2
        emit, self.emit = self.emit, False
        self.run(tok.children or [], self.cur, self.end)
        self.emit = emit
        self.link_tail()
        self.b.exclude(bang, self.cur)
        self._squeeze = True

    def html_inline(self, content: str) -> None:
        """Inline HTML is excluded; ``<br>`` is a space; inline ``<script>`` hides what follows."""
        pos = self.src.find(content, self.cur, min(self.end, self.cur + len(content) + _MAX_GAP))
        if pos < 0:
            return
        stop = pos + len(content)
        self.cur = stop
        if self._raw_tag:
            if content.lower().startswith("</" + self._raw_tag):
                self.b.exclude(self._raw_start, stop)
                self._raw_tag = None
            return
        self.b.exclude(pos, stop)
        self._squeeze = True
        opened = _RAW_OPEN.match(content)
        if opened:
            self._raw_tag, self._raw_start = opened.group(1).lower(), pos
        elif _BREAK_TAG.fullmatch(content) and self.b.block_has_text:
            self._put(" ", pos, stop)
            self._squeeze = True


def _front_matter(tok: Token, path: str, warnings: list[str]) -> dict[str, Any]:
    """Parse YAML front matter; problems become warnings naming the file line."""
    first = (tok.map[0] if tok.map else 0) + 2  # file line of the first YAML line
    try:
        data = _load_yaml(tok.content)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        warnings.append(messages.bad_front_matter(path, first + (mark.line if mark else 0), problem))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        warnings.append(messages.front_matter_not_mapping(path, first))
        return {}
    return _json_safe(data)


# libyaml's parser (when PyYAML has it) reads plain front matter many times faster; text that
# PyYAML's own reader would refuse, text with a tab, tag, block scalar, anchor, directive or
# escape (where the two may read it apart), and anything libyaml cannot read go to
# ``yaml.safe_load`` (whose errors name the problem as before).
_C_LOADER = getattr(yaml, "CSafeLoader", None)
_YAML_SPECIAL = re.compile(r"[\ufeff!|>&*%@`\\]")  # tags, block scalars, anchors, directives, escapes
_PLAIN_YAML = re.compile(r"[\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]*")


def _load_yaml(content: str) -> Any:
    if _C_LOADER is not None and _PLAIN_YAML.fullmatch(content) and not _YAML_SPECIAL.search(content):
        try:
            return yaml.load(content, Loader=_C_LOADER)  # CSafeLoader: the constructors of safe_load
        except yaml.YAMLError:
            pass
    return yaml.safe_load(content)


def _json_safe(value: Any) -> Any:
    """YAML values as JSON can hold them: dates become ISO strings, keys strings."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _title_from(metadata: dict[str, Any]) -> str | None:
    title = metadata.get("title")
    if isinstance(title, (str, int, float)) and not isinstance(title, bool):
        return str(title).strip() or None
    return None


def read_markdown(path: str, source: str, warnings: list[str], *, continued: bool = False,
                  references: dict | None = None) -> Document:
    """Build the ``Document`` of a Markdown file (see the module docstring for the layout).

    For a section of a long file (``auditor.ingest.stream``): ``continued`` when it is not the
    file's start (no front matter), ``references`` the link reference definitions of the file
    (gathered into it as they are read).
    """
    env: dict = {} if references is None else {"references": references}
    tokens = (_CONTINUED if continued else _PARSER).parse(source, env)
    lines = line_starts(source)
    nlines = len(lines)

    def at(line: int) -> int:
        return lines[line] if line < nlines else len(source)

    b = TextBuilder(len(source))
    aligner = _InlineAligner(source, b)
    metadata: dict[str, Any] = {}
    containers: list[str] = []  # "list_item" / "quote", innermost last
    kind, level = "paragraph", 0
    cell: tuple[int, int, int] | None = None
    table, row, col = -1, -1, -1  # the current table cell (tables do not nest in Markdown)
    covered: list[tuple[int, int]] = []  # line ranges of top-level blocks

    for tok in tokens:
        t = tok.type
        if tok.level == 0 and tok.map:
            covered.append((tok.map[0], tok.map[1]))
        if t == "front_matter":
            metadata = _front_matter(tok, path, warnings)
            b.exclude(at(tok.map[0]), at(tok.map[1]))
            aligner.cur = at(tok.map[1])
        elif t == "heading_open":
            kind, level = "heading", int(tok.tag[1:])
        elif t == "paragraph_open":
            kind, level = (containers[-1] if containers else "paragraph"), 0
        elif t == "table_open":
            table, row = table + 1, -1
        elif t == "tr_open":
            row, col = row + 1, -1
        elif t in ("th_open", "td_open"):
            col += 1
            kind, level, cell = "table_cell", 0, (table, row, col)
        elif t == "list_item_open":
            containers.append("list_item")
            if tok.map:
                aligner.skip_marker(at(tok.map[0]), at(tok.map[0] + 1), tok.info + tok.markup)
        elif t == "blockquote_open":
            containers.append("quote")
        elif t in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif t == "inline":
            start, end = (at(tok.map[0]), at(tok.map[1])) if tok.map else (aligner.cur, len(source))
            b.open_block(kind, level, cell if kind == "table_cell" else None)
            aligner.run(tok.children or [], start, end)
            aligner.finish_block()
            b.close_block()
        elif t in ("fence", "code_block", "html_block") and tok.map:
            b.exclude(at(tok.map[0]), at(tok.map[1]))
            aligner.cur = max(aligner.cur, at(tok.map[1]))

    # Lines no top-level block covers hold reference definitions ([x]: https://...).
    prev = 0
    for first, stop in [*covered, (nlines, nlines)]:
        if first > prev and source[at(prev):at(first)].strip():
            b.exclude(at(prev), at(first))
        prev = max(prev, stop)

    title = _title_from(metadata)
    return b.build(path, "markdown", source, title=title, metadata=metadata, warnings=warnings,
                   root_title=title)
