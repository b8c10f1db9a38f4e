"""Long files a section at a time: memory bounded by the section size, not by the file.

A file over ``STREAM_BYTES`` is not read into one ``Document``. Its bytes are decoded in chunks
(cut at character boundaries, so the text is the one a whole decode gives) and the text is cut,
before parsing, at block boundaries the format's own rules make safe:

- Markdown: a line that starts a new top-level block after a blank line: not indented, not a
  list item, outside fenced code, raw HTML blocks (``<script>``, ``<pre>``, ``<style>``,
  ``<textarea>``, comments, ``<?``, ``<!``, CDATA) and front matter;
- HTML: the start tag of a block element when only neutral containers (``html``, ``body``,
  ``div``, ``section``, ``article``, ...) are open, found with ``html.parser``'s incremental
  feed;
- plain text: a line after a blank line.

A section of about ``SECTION_CHARS`` characters is parsed with the reader of its format together
with ``OVERLAP_CHARS`` (and at least ``OVERLAP_CUTS`` blocks) of the text on each side, and with
the headings it stands under replayed as blocks before it (the document's first heading, the
open outline, an open Sources section), so that ``auditor.pieces`` reads it as in one pass; the
claims of the overlap belong to the neighbouring sections. A single block longer than a section
(no safe cut) is cut at a line end, else a sentence end, else a space.

``StreamedDocument`` stands for such a file in a run: ``sections()`` yields ``Section``s, each a
``Document`` of the text it was parsed from (its positions are the file's: ``line_base`` and
``col_base``) and the text range it owns. Only what a run keeps (claims, matches, mentions,
suppressions, warnings) outlives a section.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import stat
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from auditor.document import Document, Link
from auditor.errors import InputWarning
from auditor.ingest import messages
from auditor.ingest.builder import SEPARATOR, RawBlock
from auditor.ingest.decode import detect
from auditor.ingest.sections import HEADING_KINDS, finish_blocks, is_sources_heading

STREAM_BYTES = 4 * 1024 * 1024  # files larger than this are read a section at a time
SECTION_CHARS = 1_000_000  # source characters a section owns, about
OVERLAP_CHARS = 40_000  # source characters parsed with a section on each side, at least ...
OVERLAP_CUTS = 10  # ... and this many blocks, when there are
READ_BYTES = 1 << 20

_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_RAW_HTML = re.compile(r" {0,3}<(script|pre|style|textarea)(?:[\s>]|$)", re.IGNORECASE)
_HTML_ENDS = ((" {0,3}<!--", "-->"), (r" {0,3}<\?", "?>"), (r" {0,3}<!\[CDATA\[", "]]>"), (" {0,3}<![A-Za-z]", ">"))
_HTML_ENDS_RE = [(re.compile(a), b) for a, b in _HTML_ENDS]
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*[ \t]+(?=[A-Z0-9\"“(\[‘])")
_SPACE = re.compile(r"[ \t\r\n]+")


# -- bytes to text, a chunk at a time ----------------------------------------------------------
def _boundary(buf: bytes, codec: str) -> int:
    """How much of ``buf`` can be decoded now without parting a character."""
    n = len(buf)
    if codec == "utf-8":
        for i in range(n - 1, max(n - 4, 0) - 1, -1):
            if buf[i] >= 0xC0:
                return i
            if buf[i] < 0x80:
                return n
        return n
    if codec.startswith("utf-32"):
        return n - n % 4
    n -= n % 2
    if n >= 2:
        unit = buf[n - 2] | buf[n - 1] << 8 if codec.endswith("le") else buf[n - 2] << 8 | buf[n - 1]
        if 0xD800 <= unit <= 0xDBFF:
            n -= 2
    return n


def _byte_chunks(path: str, data: bytes | None, reads: list[str | None] | None = None) -> Iterator[bytes]:
    """``data`` or the file's bytes in chunks; ``reads`` (from the file): gets None when the file is
    opened, replaced by the SHA-256 of the bytes read once they are all read."""
    if data is not None:
        view = memoryview(data)
        for k in range(0, len(data), READ_BYTES):
            yield bytes(view[k:k + READ_BYTES])
        return
    digest = hashlib.sha256() if reads is not None else None
    with open(path, "rb") as f:
        if reads is not None:
            reads.append(None)
            n = len(reads) - 1
        while chunk := f.read(READ_BYTES):
            if digest is not None:
                digest.update(chunk)
            yield chunk
    if reads is not None and digest is not None:
        reads[n] = digest.hexdigest()


def decoded_chunks(path: str, data: bytes | None, warnings: list[str] | None = None,
                   max_bytes: int | None = None, reads: list[str | None] | None = None) -> Iterator[str]:
    """The file's text in chunks, as ``decode`` would give it whole (the mark dropped, bad bytes
    replaced). ``warnings`` receives the invalid-encoding line; a NUL byte in a file without a
    UTF-16/32 mark raises ``InputWarning`` (binary), as does a file that grew past ``max_bytes``.
    ``reads``: the digest of each pass over the file on disk (``_byte_chunks``)."""
    codec = name = None
    rest = b""
    done = 0  # bytes before ``rest``
    bad = False
    for chunk in _byte_chunks(path, data, reads):
        if codec is None:
            chunk = rest + chunk
            if len(chunk) < 4 and data is None:
                rest = chunk
                continue
            codec, name, skip = detect(chunk)
            chunk, rest, done = chunk[skip:], b"", skip
        if codec == "utf-8" and b"\x00" in chunk:
            raise InputWarning(path, messages.BINARY)
        buf = rest + chunk
        cut = _boundary(buf, codec)
        yield _decode(buf[:cut], codec, done, name, path, warnings, bad)
        bad = bad or (warnings is not None and any("invalid" in w for w in warnings))
        done += cut
        rest = buf[cut:]
        if max_bytes is not None and done > max_bytes:
            raise InputWarning(path, messages.too_large(done, max_bytes))
    if codec is None and rest:  # a file of fewer than 4 bytes
        codec, name, skip = detect(rest)
        rest, done = rest[skip:], skip
    if rest:
        yield _decode(rest, codec or "utf-8", done, name or "UTF-8", path, warnings, bad)


def _decode(raw: bytes, codec: str, done: int, name: str | None, path: str, warnings: list[str] | None,
            bad: bool) -> str:
    try:
        return str(raw, codec)
    except UnicodeDecodeError as err:
        if warnings is not None and not bad:
            warnings.append(messages.invalid_encoding(path, name or "UTF-8", done + err.start))
        return str(raw, codec, "replace")


# -- where a section may be cut --------------------------------------------------------------
class _Lines:
    """Cut points of a line-based format, found one complete line at a time."""

    def __init__(self) -> None:
        self.pos = 0  # file offset of the next line to read
        self.cuts: list[int] = []
        self.blank = True  # the previous line was blank (the file start counts as one)

    def scan(self, buf: str, base: int, final: bool) -> None:
        while True:
            nl = buf.find("\n", self.pos - base)
            if nl < 0:
                if final and self.pos - base < len(buf):
                    self.line(buf[self.pos - base:], self.pos)
                    self.pos = base + len(buf)
                return
            self.line(buf[self.pos - base:nl + 1], self.pos)
            self.pos = base + nl + 1

    def line(self, line: str, pos: int) -> None:
        stripped = line.strip()
        if stripped and self.blank:
            self.cuts.append(pos)
        self.blank = not stripped


class _MarkdownLines(_Lines):
    """Top-level block starts after a blank line, outside code fences, raw HTML and front matter."""

    def __init__(self) -> None:
        super().__init__()
        self.fence: tuple[str, int] | None = None
        self.html_end: str | None = None
        self.front = False

    def line(self, line: str, pos: int) -> None:
        body = line.rstrip("\r\n")
        if pos == 0 and body.rstrip() == "---":
            self.front = True
            self.cuts.append(0)
            return
        if self.front:
            self.front = body.rstrip() not in ("---", "...")
            self.blank = False
            return
        if self.fence is not None:
            m = _FENCE.match(body)
            if m and m.group(1)[0] == self.fence[0] and len(m.group(1)) >= self.fence[1] and not body[m.end():].strip():
                self.fence = None
            self.blank = False
            return
        if self.html_end is not None:
            if self.html_end in body.lower():
                self.html_end = None
            self.blank = False
            return
        if not body.strip():
            self.blank = True
            return
        if self.blank and body[0] not in " \t" and not _LIST_ITEM.match(body):
            self.cuts.append(pos)
        self.blank = False
        m = _FENCE.match(body)
        if m and not (m.group(1)[0] == "`" and "`" in body[m.end():]):
            self.fence = (m.group(1)[0], len(m.group(1)))
            return
        m = _RAW_HTML.match(body)
        if m:
            end = f"</{m.group(1).lower()}>"
            if end not in body.lower()[m.end():]:
                self.html_end = end
            return
        for regex, end in _HTML_ENDS_RE:
            m = regex.match(body)
            if m:
                if end not in body[m.end():]:
                    self.html_end = end
                return


# Containers a cut may stand inside of, and the elements a cut may come before.
_NEUTRAL = frozenset({"html", "body", "div", "section", "article", "main", "header", "aside", "center", "hgroup"})
_CUT_BEFORE = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "ul", "ol", "table", "blockquote",
    "dl", "figure", "header", "main", "aside", "hr", "address", "details", "center", "hgroup", "nav",
    "footer", "form", "pre",
})


class _HtmlCuts(HTMLParser):
    """Block element starts with only neutral containers open, from ``html.parser``'s incremental feed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        from auditor.ingest.html import CLOSES_P, HEAD_CONTENT, IMPLIED, VOID

        self._closes_p, self._head, self._implied, self._void = CLOSES_P, HEAD_CONTENT, IMPLIED, VOID
        self.cuts: list[int] = [0]
        self.stack: list[str] = []
        self.line_starts = array("q", [0])
        self.fed = 0

    def scan(self, buf: str, base: int, final: bool) -> None:
        text = buf[self.fed - base:]
        start = self.fed
        pos = text.find("\n")
        while pos >= 0:
            self.line_starts.append(start + pos + 1)
            pos = text.find("\n", pos + 1)
        self.fed = base + len(buf)
        try:
            self.feed(text)
            if final:
                self.close()
        except AssertionError:  # markup html.parser gives up on: no more cuts
            self.reset()
            self.stack = ["#stopped"]

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _pop_to_last(self, names, bounds=frozenset()) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i] in bounds:
                return
            if self.stack[i] in names:
                del self.stack[i:]
                return

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.stack and self.stack[-1] == "head" and tag not in self._head:
            self.stack.pop()
        if tag in self._closes_p:
            self._pop_to_last({"p"}, {"table", "td", "th", "button"})
        if tag in self._implied:
            self._pop_to_last(*self._implied[tag])
        if tag in _CUT_BEFORE and all(t in _NEUTRAL for t in self.stack):
            self.cuts.append(self._offset())
        if tag not in self._void:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _CUT_BEFORE and all(t in _NEUTRAL for t in self.stack):
            self.cuts.append(self._offset())

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            self._pop_to_last({tag})


_SCANNERS = {"markdown": _MarkdownLines, "html": _HtmlCuts, "text": _Lines}


# -- sections ------------------------------------------------------------------------------
@dataclass
class Section:
    """A part of a long file: ``document`` (parsed with its context) and the text range it owns."""

    document: Document
    own: tuple[int, int]  # text offsets in document.text
    source_own: tuple[int, int]  # the file's source offsets it owns


@dataclass
class _Raw:
    """Source text of a section: ``text`` starts at file offset ``start``; it owns ``[a, b)``."""

    text: str
    start: int
    a: int
    b: int
    line_base: int
    col_base: int


def raw_sections(chunks: Iterator[str], fmt: str, size: int = SECTION_CHARS,
                 overlap: int = OVERLAP_CHARS) -> Iterator[_Raw]:
    """Cut the decoded text into sections (see the module docstring), with their context."""
    scanner = _SCANNERS[fmt]()
    buf, base, lines_before, col_at_base = "", 0, 0, 0
    own_start, eof = 0, False
    while True:
        need = own_start + size + 2 * overlap
        while not eof and base + len(buf) < need:
            chunk = next(chunks, None)
            if chunk is None:
                eof = True
            else:
                buf += chunk
            scanner.scan(buf, base, eof)
        end = base + len(buf)
        cuts = [c for c in scanner.cuts if base <= c <= end]
        if eof and end - own_start <= size + overlap // 2:
            own_end = end
        else:
            inside = [c for c in cuts if own_start < c <= own_start + size]
            own_end = inside[-1] if inside else _fallback_cut(buf, base, own_start, own_start + size)
        before = [c for c in cuts if c < own_start]
        ctx_start = own_start
        if before:
            far = [c for c in before[:len(before) - OVERLAP_CUTS + 1] if c <= own_start - overlap]
            ctx_start = far[-1] if far else before[0]
        elif own_start - overlap > base:  # inside one long block: context from a cut of the same kind
            ctx_start = _fallback_cut(buf, base, max(base, own_start - 2 * overlap), own_start - overlap)
        after = [c for c in cuts if c > own_end]
        if own_end >= end:
            ctx_end = end
        else:
            far = [c for c in after[OVERLAP_CUTS - 1:] if c >= own_end + overlap]
            ctx_end = far[0] if far else end
        k = ctx_start - base
        line_base = lines_before + buf.count("\n", 0, k)
        nl = buf.rfind("\n", 0, k)
        col_base = k - nl - 1 if nl >= 0 else col_at_base + k
        yield _Raw(buf[k:ctx_end - base], ctx_start, own_start - ctx_start, own_end - ctx_start, line_base, col_base)
        if own_end >= end:
            return
        own_start = own_end
        keep = max(base, own_start - 2 * overlap)  # drop what no later section reads
        k = keep - base
        lines_before += buf.count("\n", 0, k)
        nl = buf.rfind("\n", 0, k)
        col_at_base = k - nl - 1 if nl >= 0 else col_at_base + k
        buf, base = buf[k:], keep
        scanner.cuts = [c for c in scanner.cuts if c >= keep]


def _fallback_cut(buf: str, base: int, start: int, stop: int) -> int:
    """A cut for a block longer than a section: after a line end, else a sentence end, else a space."""
    lo, hi = start - base + (stop - start) // 2, stop - base
    nl = buf.rfind("\n", lo, hi)
    if nl >= 0:
        return base + nl + 1
    for regex in (_SENTENCE_END, _SPACE):
        best = None
        for m in regex.finditer(buf, lo, hi):
            best = m
        if best is not None:
            return base + best.end()
    return stop


# -- the outline a section stands under ---------------------------------------------------------
@dataclass
class _Outline:
    """Headings open at a point of the file (replayed before the next section), and its first heading."""

    open: list[tuple[int, str, int, str]] = field(default_factory=list)  # (rank, kind, level, text)
    first: tuple[str, int, str] | None = None
    sources_paragraph: str | None = None  # a "Sources:" paragraph whose section is still open

    def feed(self, kind: str, level: int, text: str, sources_to_end: bool) -> None:
        if kind in HEADING_KINDS:
            if self.first is None:
                self.first = (kind, level, text)
            rank = level or 1
            while self.open and self.open[-1][0] >= rank:
                self.open.pop()
            self.open.append((rank, kind, level, text))
            self.sources_paragraph = None
        elif is_sources_heading(text) and not sources_to_end:
            self.sources_paragraph = text

    def replay(self) -> list[tuple[str, int, str]]:
        heads = [(kind, level, text) for _, kind, level, text in self.open]
        if self.first is not None and self.first not in heads:
            heads.insert(0, self.first)
        if self.sources_paragraph is not None:
            heads.append(("paragraph", 0, self.sources_paragraph))
        return heads


def _with_prefix(document: Document, heads: list[tuple[str, int, str]], sources_to_end: bool) -> Document:
    """``document`` after the heading blocks ``heads`` (mapped to no source), blocks resolved anew."""
    parts: list[str] = []
    raw: list[RawBlock] = []
    length = 0
    for kind, level, text in heads:
        if parts:
            parts.append(SEPARATOR)
            length += len(SEPARATOR)
        parts.append(text)
        raw.append(RawBlock(length, length + len(text), kind, level))
        length += len(text)
    shift = length + len(SEPARATOR) if heads else 0
    if heads:
        parts.append(SEPARATOR)
    raw.extend(RawBlock(b.start + shift, b.end + shift, b.kind, b.level, b.cell) for b in document.blocks)
    text = "".join(parts) + document.text
    code = document.starts.typecode
    pad = array(code, [-1]) * shift
    blocks, sources_start = finish_blocks(text, raw, document.root_title, sources_to_end)
    links = [Link(lk.start + shift, lk.end + shift, lk.href) for lk in document.links]
    return Document(path=document.path, format=document.format, source=document.source, text=text,
                    starts=pad + document.starts, ends=pad + document.ends, title=document.title,
                    metadata=document.metadata, blocks=blocks, links=links, excluded=document.excluded,
                    sources_start=sources_start, warnings=document.warnings, root_title=document.root_title,
                    line_base=document.line_base, col_base=document.col_base)


def text_offset(document: Document, source_offset: int) -> int:
    """The first text offset whose character comes from ``source_offset`` or later (len(text) if none)."""
    starts = document.starts
    for block in document.blocks:
        if block.end > block.start and starts[block.end - 1] >= source_offset:
            lo, hi = block.start, block.end - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if starts[mid] >= source_offset:
                    hi = mid
                else:
                    lo = mid + 1
            return lo
    return len(document.text)


class StreamedDocument:
    """A file too long to hold as one ``Document``, read a section at a time (module docstring)."""

    def __init__(self, path: str, fmt: str, data: bytes | None, max_bytes: int | None = None) -> None:
        self.path = path
        self.format = fmt
        self._data = data
        self._max_bytes = max_bytes
        self.warnings: list[str] = []
        self.title: str | None = None
        self.root_title: str | None = None
        self.has_sources = False
        self.suppressions: list = []
        self._references: dict = {}
        self._scanned = False
        self._lines: list[tuple[int, int]] | None = None  # (line number, byte offset) of each chunk
        # the SHA-256 of each pass over the file on disk (None: not read to its end), so that what
        # is made of it can be known to come from bytes of one digest (the claim cache)
        self.reads: list[str | None] = []
        empty = True
        for chunk in decoded_chunks(path, data, self.warnings, max_bytes, self.reads):  # binary, encoding, size
            if chunk:
                empty = False
        if empty:
            raise InputWarning(path, messages.EMPTY)

    @property
    def sources_start(self) -> int | None:
        return 0 if self.has_sources else None

    def _parse(self, raw: _Raw, first: bool, outline: _Outline) -> Document:
        from auditor.ingest import reader

        warnings: list[str] = []
        options: dict = {"continued": not first}
        if self.format == "markdown":
            options["references"] = self._references
        elif self.format == "text":
            options["in_sources"] = bool(outline.open) and is_sources_heading(outline.open[-1][3])
        document = reader(self.format)(self.path, raw.text, warnings, **options)
        document.line_base, document.col_base = raw.line_base, raw.col_base
        return document

    def sections(self) -> Iterator[Section]:
        """The sections of the file, in order (the first call also gathers what the whole file
        decides: title, Sources, suppressions, reader warnings, Markdown link references)."""
        scanning = not self._scanned
        outline = _Outline()
        sources_to_end = self.format == "text"
        raws = raw_sections(decoded_chunks(self.path, self._data, None, self._max_bytes, self.reads), self.format,
                            SECTION_CHARS, OVERLAP_CHARS)
        nxt = next(raws, None)
        first = True
        while nxt is not None:
            raw, nxt = nxt, next(raws, None)
            local = self._parse(raw, first, outline)
            if first:
                self.root_title = local.root_title
            if scanning:
                self._gather(local, raw, first)
            local.root_title = self.root_title
            local.title = self.title if self._scanned else (self.title or local.title)
            document = _with_prefix(local, outline.replay(), sources_to_end)
            shift = len(document.text) - len(local.text)
            own = (shift + text_offset(local, raw.a), shift + text_offset(local, raw.b))
            # the outline where the next section's text starts
            stop = len(raw.text) if nxt is None else nxt.start - raw.start
            for block in local.blocks:
                if local.starts[block.start] >= stop:
                    break
                outline.feed(block.kind, block.level, local.text[block.start:block.end], sources_to_end)
            yield Section(document, own, (raw.start + raw.a, raw.start + raw.b))
            first = False
        if scanning:
            self._scanned = True

    def _gather(self, local: Document, raw: _Raw, first: bool) -> None:
        from auditor.suppress import find_suppressions

        if self.title is None:
            self.title = local.title
        if local.sources_start is not None:
            self.has_sources = True
        self.warnings.extend(w for w in local.warnings if w not in self.warnings)
        low = local.line_col(raw.a)
        high = local.line_col(raw.b) if raw.b < len(raw.text) else None
        self.suppressions.extend(s for s in find_suppressions(local)
                                 if low <= (s.line, s.column) and (high is None or (s.line, s.column) < high))

    def line(self, number: int) -> str | None:
        """Line ``number`` (1-based) of the file, without its line break, read back from the file
        (a first call notes where each chunk starts; later ones decode from the nearest)."""
        if number < 1:
            return None
        if self._lines is None:
            self._lines = []
            seen = 1
            for offset, text in _text_chunks(self.path, self._data):
                self._lines.append((seen, offset))
                seen += text.count("\n")
        k = bisect.bisect_left(self._lines, (number, -1)) - 1  # the last chunk that starts before the line
        seen, offset = self._lines[max(k, 0)]
        tail = ""
        for _, text in _text_chunks(self.path, self._data, offset):
            text, start = tail + text, 0
            while seen < number and (nl := text.find("\n", start)) >= 0:
                seen, start = seen + 1, nl + 1
            if seen == number and (nl := text.find("\n", start)) >= 0:
                return text[start:nl].rstrip("\r")
            tail = text[start:] if seen == number else ""
        return tail.rstrip("\r") if seen == number and tail else None


def _text_chunks(path: str, data: bytes | None, start: int | None = None) -> Iterator[tuple[int, str]]:
    """(byte offset, text) of each decoded chunk, from the byte offset ``start`` (a chunk start)."""
    head = data[:4] if data is not None else open(path, "rb").read(4)  # noqa: SIM115
    codec, _name, skip = detect(head)
    offset = skip if start is None else start
    rest = b""
    if data is not None:
        chunks: Iterator[bytes] = (bytes(memoryview(data)[k:k + READ_BYTES]) for k in range(offset, len(data), READ_BYTES))
    else:
        chunks = _file_chunks(path, offset)
    for chunk in chunks:
        buf = rest + chunk
        cut = _boundary(buf, codec)
        yield offset, str(buf[:cut], codec, "replace")
        offset += cut
        rest = buf[cut:]
    if rest:
        yield offset, str(rest, codec, "replace")


def _file_chunks(path: str, offset: int) -> Iterator[bytes]:
    with open(path, "rb") as f:
        f.seek(offset)
        while chunk := f.read(READ_BYTES):
            yield chunk


def should_stream(size: int) -> bool:
    """True for a file of ``size`` bytes that is read a section at a time."""
    return size > STREAM_BYTES


def read_from_disk(path: str, max_bytes: int) -> bool:
    """True for a regular file that is read a section at a time and may be audited (not over
    ``max_bytes``): a run that needs no digest of its bytes leaves it on disk until then."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and should_stream(st.st_size) and st.st_size <= max_bytes


def file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


__all__ = ["STREAM_BYTES", "Section", "StreamedDocument", "decoded_chunks", "raw_sections", "read_from_disk",
           "should_stream"]
