"""Long documents in pieces: bounded pipeline memory for any document length, same claims.

spaCy refuses texts longer than ``nlp.max_length`` (a million characters) and its memory grows
with the length of one ``Doc``, so a document whose text is longer than ``PIECE_CHARS`` is
read in pieces. A piece is a run of whole blocks (``Document.blocks``): cuts fall before a
heading when one is near, else between two blocks that are not cells of one table; a single
block longer than a piece is cut after the end of a sentence (``.``, ``!``, ``?`` or ``…``
and a space before a capital, a digit or an opening bracket or quote), failing that at a space.

Each piece is parsed with the blocks around it, so that what the claim builder reads across
blocks is the same as in one pass: the ``CONTEXT_BLOCKS`` blocks before and after it, the
document's first heading (the title) and the headings the piece stands under. Claims and
matches found in that context belong to the neighbouring pieces and are dropped. The article's
main drug (the fallback for claims that name none) is counted over the whole document first,
with the term recognizer alone, and given to every piece (``doc._.drug_counts``).

``pieces`` yields, for each piece, a ``Piece``: a ``Document`` and a parsed ``Doc`` of the
piece's own text only (so that positions of Doc tokens are offsets of that Document's text,
which maps to the original file as usual), and ``offset``, where the piece's text starts in
the whole document's text. A document short enough for one pass is one piece: itself.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from .document import Block, Document, Link
from .pipeline.token_table import token_table

PIECE_CHARS = 100_000  # the own text of a piece, at most (a single longer block is cut)
CONTEXT_BLOCKS = 8  # blocks parsed with a piece on each side, for what is read across blocks
CONTEXT_CHARS = 20_000  # ... as long as they hold no more text than this
PREFIX_BLOCK_CHARS = 2_000  # a heading longer than this is not carried into later pieces
SEPARATOR = "\n\n"

# Where a sentence ends inside a long block: the cut goes after the spaces.
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*[ \t\r\n]+(?=[A-Z0-9\"“(\[‘])")
_SPACE = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True)
class Unit:
    """A run of text that is never cut: a block, or a part of a block cut at a sentence end."""

    start: int
    end: int
    block: int  # index into Document.blocks


@dataclass
class Piece:
    """One parsed piece: ``document``/``doc`` hold its own text, ``offset`` places it in the whole text."""

    document: Document
    doc: Doc
    offset: int
    own: int = -1  # length of the piece's own text; what ``doc`` holds past it belongs to the next piece


def units_of(document: Document, limit: int, own: tuple[int, int] | None = None) -> list[Unit]:
    """The document's blocks as units, blocks longer than ``limit`` cut into parts of at most ``limit``.

    A block that straddles an edge of ``own`` (a text range) is also parted there.
    """
    edges = () if own is None else own
    out: list[Unit] = []
    for i, block in enumerate(document.blocks):
        start = block.start
        for stop in [*(e for e in edges if block.start < e < block.end), block.end]:
            while stop - start > limit:
                cut = _cut_in_block(document.text, start, start + limit)
                out.append(Unit(start, cut[0], i))
                start = cut[1]
            if stop > start:
                out.append(Unit(start, stop, i))
            start = stop
    return out


def _cut_in_block(text: str, start: int, stop: int) -> tuple[int, int]:
    """(end of this part, start of the next) for a block part that must end by ``stop``.

    The last sentence end in the second half of the window; else the last space; else ``stop``.
    """
    floor = start + (stop - start) // 2
    best = None
    for regex in (_SENTENCE_END, _SPACE):
        for m in regex.finditer(text, floor, stop + 1):
            best = m
        if best is not None:
            gap = _SPACE.search(text, best.start(), best.end())
            end = gap.start() if gap else best.end()
            if end > start:
                return end, best.end()
    return stop, stop


def cut_points(document: Document, units: list[Unit], limit: int) -> list[int]:
    """Indices into ``units`` where pieces start (the first is 0)."""
    starts = [0]
    blocks = document.blocks
    i = 0
    while True:
        # the units that fit after units[i]
        k = i + 1
        while k < len(units) and units[k].end - units[i].start <= limit:
            k += 1
        if k >= len(units):
            return starts
        half = units[i].start + limit // 2
        candidates = range(k, i, -1)
        cut = next((j for j in candidates if units[j].start >= half and units[j].block != units[j - 1].block
                    and blocks[units[j].block].kind in ("heading", "title")), None)
        if cut is None:
            cut = next((j for j in candidates if units[j].block != units[j - 1].block
                        and not _same_table(blocks[units[j - 1].block], blocks[units[j].block])), None)
        if cut is None:
            cut = k
        starts.append(cut)
        i = cut


def _same_table(a: Block, b: Block) -> bool:
    return a.cell is not None and b.cell is not None and a.cell[0] == b.cell[0]


def heading_stacks(document: Document, first_blocks: list[int]) -> dict[int, list[int]]:
    """For each block index of ``first_blocks``, the heading blocks it stands under, outermost first."""
    wanted = set(first_blocks)
    stack: list[tuple[int, int]] = []
    out: dict[int, list[int]] = {}
    for i, block in enumerate(document.blocks):
        if i in wanted:
            out[i] = [b for _, b in stack]
        if block.kind in ("heading", "title"):
            level = 0 if block.kind == "title" else (block.level or 2)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, i))
    return out


class Views:
    """Documents made of text ranges of one document (``view``), with the lookups built once."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.block_starts = [b.start for b in document.blocks]
        self.link_starts = [lk.start for lk in document.links]  # links are kept in text order

    def view(self, segments: list[tuple[int, int]]) -> tuple[Document, list[int]]:
        """A Document of the text ranges ``segments``, joined by block separators.

        Returns it and, for each segment, the offset of its first character in the new text.
        The new Document has the same path and source, so its positions are those of the file.
        """
        document = self.document
        parts: list[str] = []
        starts, ends = array(document.starts.typecode), array(document.ends.typecode)
        blocks: list[Block] = []
        links: list[Link] = []
        offsets: list[int] = []
        length = 0
        for a, b in segments:
            if parts:
                parts.append(SEPARATOR)
                starts.extend((-1, -1))
                ends.extend((-1, -1))
                length += 2
            shift = length - a
            offsets.append(length)
            parts.append(document.text[a:b])
            starts.extend(document.starts[a:b])
            ends.extend(document.ends[a:b])
            length += b - a
            k = max(0, bisect.bisect_right(self.block_starts, a) - 1)
            while k < len(document.blocks) and document.blocks[k].start < b:
                blk = document.blocks[k]
                lo, hi = max(blk.start, a), min(blk.end, b)
                if lo < hi:
                    blocks.append(replace(blk, start=lo + shift, end=hi + shift))
                k += 1
            k = bisect.bisect_left(self.link_starts, a)
            while k < len(document.links) and document.links[k].start < b:
                link = document.links[k]
                links.append(Link(link.start + shift, min(link.end, b) + shift, link.href))
                k += 1
        text = "".join(parts)
        sources = document.sources_start
        piece = Document(path=document.path, format=document.format, source=document.source, text=text,
                         starts=starts, ends=ends, title=document.title, metadata=document.metadata,
                         blocks=blocks, links=links, excluded=document.excluded,
                         sources_start=None if sources is None else min(max(sources - segments[0][0], 0), len(text)),
                         root_title=document.root_title, line_base=document.line_base, col_base=document.col_base)
        piece._line_starts = document._line_starts
        return piece, offsets


def _crop(doc: Doc, start_char: int, end_char: int) -> Doc:
    """The tokens of ``doc`` in ``[start_char, end_char)`` as a Doc of their own, span groups kept."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None:  # no token there
        return Doc(doc.vocab, words=[])
    if span.start == 0 and span.end == len(doc):
        return doc
    out = span.as_doc()
    for key, group in doc.spans.items():
        out.spans[key] = [Span(out, s.start - span.start, s.end - span.start, label=s.label, span_id=s.id)
                          for s in group if span.start <= s.start and s.end <= span.end]
    return out


def pieces(nlp: Language, document: Document, make_doc: Callable[[Language, Document], Doc],
           limit: int = PIECE_CHARS, *, own: tuple[int, int] | None = None,
           counts: Counter[str] | None = None) -> Iterator[Piece]:
    """Parse ``document`` piece by piece (see the module docstring); ``make_doc`` tokenizes a Document.

    ``own`` (a text range) limits the pieces to that part of the document, the rest being
    context only (a part of a long file: ``auditor.ingest.stream``); ``counts`` are the drug
    counts of the whole file then (``drug_counts``).
    """
    if own is None and len(document.text) <= limit:
        yield Piece(document, _run(nlp, make_doc(nlp, document)), 0, len(document.text))
        return
    document.line_col(0)  # the line table, built once and shared by the pieces
    views = Views(document)
    plans = plan(document, limit, own)
    if counts is None:
        counts = drug_counts(nlp, views, plans, make_doc)
    for segments, own_start, own_end in plans:
        piece, offsets = views.view(segments)
        doc = make_doc(nlp, piece)
        doc._.drug_counts = counts
        doc = _run(nlp, doc)
        a = own_start + offsets[-1] - segments[-1][0]
        b = a + own_end - own_start
        claims = [c for c in doc._.claims or [] if a <= c.start < b]
        # a claim that runs past the end of the piece (a cut inside a block) is kept whole
        length = len(token_table(doc).doc_text)  # doc.text, which spaCy would join from its tokens for every claim
        stop = max([b, *(min(c.end, length) for c in claims)])
        for c in claims:
            c.start, c.end = c.start - a, c.end - a
        doc = _crop(doc, a, stop)
        doc._.claims = claims
        yield Piece(views.view([(own_start, own_end + stop - b)])[0], doc, own_start, own_end - own_start)


def plan(document: Document, limit: int, own: tuple[int, int] | None = None,
         ) -> list[tuple[list[tuple[int, int]], int, int]]:
    """For each piece: the text ranges it is parsed from (headings, then the piece with its
    context) and the range of its own text (within ``own`` when given)."""
    units = units_of(document, limit, own)
    if own is None:
        first_own, end_own = 0, len(units)
    else:
        first_own = next((k for k, u in enumerate(units) if u.start >= own[0]), len(units))
        end_own = next((k for k, u in enumerate(units) if u.start >= own[1]), len(units))
        if first_own >= end_own:
            return []
    firsts = [first_own + k for k in cut_points(document, units[first_own:end_own], limit)]
    bounds = [*firsts, end_own]
    stacks = heading_stacks(document, [units[i].block for i in firsts])
    title = next((k for k, b in enumerate(document.blocks) if b.kind in ("title", "heading")), None)
    out = []
    for n, first in enumerate(firsts):
        last = bounds[n + 1]
        lo = first
        while lo > 0 and first - lo < CONTEXT_BLOCKS and units[first].start - units[lo - 1].start <= CONTEXT_CHARS:
            lo -= 1
        hi = last
        while hi < len(units) and hi - last < CONTEXT_BLOCKS and units[hi].end - units[last - 1].end <= CONTEXT_CHARS:
            hi += 1
        around = [units[lo].start, units[hi - 1].end]
        # A cut inside a block: the text around it is context all the same, from a sentence start
        # before it to a sentence end after it (``CONTEXT_CHARS`` at most), so that what is read
        # across the cut is what one pass reads.
        if lo == first and first > 0 and units[first - 1].block == units[first].block:
            around[0] = _context_start(document.text, units[first - 1].start, units[first].start)
        if hi == last and hi < len(units) and units[hi].block == units[last - 1].block:
            around[1] = _context_end(document.text, units[last - 1].end, units[hi].end)
        heads = [*([title] if title is not None else []), *stacks[units[first].block]]
        prefix = sorted({k for k in heads if document.blocks[k].end <= around[0]
                         and document.blocks[k].end - document.blocks[k].start <= PREFIX_BLOCK_CHARS})
        segments = [(document.blocks[k].start, document.blocks[k].end) for k in prefix] + [(around[0], around[1])]
        out.append((segments, units[first].start, units[last - 1].end))
    return out


def _context_start(text: str, floor: int, cut: int) -> int:
    """Where context before an in-block cut at ``cut`` starts: the first sentence start at most
    ``CONTEXT_CHARS`` before it (not before ``floor``); else a word start; else ``cut``."""
    low = max(floor, cut - CONTEXT_CHARS)
    if low == floor:
        return floor
    for regex in (_SENTENCE_END, _SPACE):
        m = regex.search(text, low, cut)
        if m is not None:
            return m.end()
    return cut


def _context_end(text: str, cut: int, ceiling: int) -> int:
    """Where context after an in-block cut at ``cut`` ends: the last sentence end at most
    ``CONTEXT_CHARS`` after it (not after ``ceiling``); else a word end; else ``cut``."""
    high = min(ceiling, cut + CONTEXT_CHARS)
    if high == ceiling:
        return ceiling
    for regex in (_SENTENCE_END, _SPACE):
        best = None
        for m in regex.finditer(text, cut, high):
            best = m
        if best is not None:
            gap = _SPACE.search(text, best.start(), best.end())
            return gap.start() if gap else best.start()
    return cut


def own_drug_counts(nlp: Language, document: Document, make_doc: Callable[[Language, Document], Doc],
                    own: tuple[int, int], limit: int = PIECE_CHARS) -> Counter[str]:
    """The weighted drug mentions in the text range ``own`` of ``document`` (a section of a long file)."""
    document.line_col(0)
    return drug_counts(nlp, Views(document), plan(document, limit, own), make_doc)


def drug_counts(nlp: Language, views: Views, plans, make_doc) -> Counter[str]:
    """The weighted drug mentions of the whole document (``DocIndex`` picks the main drug from them)."""
    from .pipeline.doc_index import weigh_drugs
    from .pipeline.layout import blocks_of

    terms = nlp.get_pipe("term_recognizer")
    counts: Counter[str] = Counter()
    for segments, own_start, own_end in plans:
        piece, offsets = views.view(segments)
        doc = terms(make_doc(nlp, piece))
        a = own_start + offsets[-1] - segments[-1][0]
        b = a + own_end - own_start
        counts.update(weigh_drugs([s for s in doc.spans.get("drugs", []) if a <= s.start_char < b], blocks_of(doc)))
    return counts


def _run(nlp: Language, doc: Doc) -> Doc:
    for _name, component in nlp.pipeline:
        doc = component(doc)
    return doc
