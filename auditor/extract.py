"""Document -> claims: run the pipeline over each document (in pieces when long) and map claims to source positions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from . import pieces as pieces_module
from .claims import Claim
from .document import Document
from .ingest.stream import StreamedDocument
from .pieces import Piece, pieces
from .pipeline.layout import BlockInfo
from .pipeline.token_table import token_table

# Spaces that are not ASCII spaces (no-break, thin, narrow no-break) separate words all the same:
# "0.25&nbsp;mg" is a number and a unit. Replaced one for one, so offsets do not move.
_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200a": " "})
_SPACES_FOUND = tuple(chr(code) for code in _SPACES)


def plain_spaces(text: str) -> str:
    """``text`` with the spaces of ``_SPACES`` made ASCII spaces. ``str.translate`` looks every
    character up in the table, so it runs only on a text that holds one of them; any other text
    is returned as it is (what translate would give)."""
    if any(space in text for space in _SPACES_FOUND):
        return text.translate(_SPACES)
    return text


def make_doc(nlp: Language, document: Document) -> Doc:
    """Tokenize a Document and attach the layout the components read."""
    text = plain_spaces(document.text)
    doc = nlp.make_doc(text)
    token_table(doc).doc_text = text  # what doc.text would join again from its tokens
    headings: dict[int, str] = {}
    blocks = []
    for block in document.blocks:
        blocks.append(BlockInfo(block.start, block.end, block.kind, block.heading, block.in_sources, block.level,
                                block.cell))
        headings[block.start] = block.heading or ""
    doc._.blocks = blocks
    doc._.links = [(link.start, link.end) for link in document.links]
    doc._.linebreaks = soft_line_breaks(document)
    doc._.title = document.title
    return doc


def soft_line_breaks(document: Document) -> frozenset[int]:
    """Offsets of text characters that stand for a line break inside a block (a Markdown soft break)."""
    text, source, starts = document.text, document.source, document.starts
    if " " not in text or not ("\n" in source or "\r" in source):
        return frozenset()
    # a space of the text whose source character is a line break: compared as code points, all at once
    chars = numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
    places = numpy.asarray(starts)[:len(chars)]
    spaces = numpy.flatnonzero((chars == 32) & (places >= 0))
    if not len(spaces):
        return frozenset()
    at = places[spaces]
    low = int(at.min())  # a piece of a long file maps to a part of its source only
    codes = numpy.frombuffer(source[low:int(at.max()) + 1].encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
    found = spaces[numpy.isin(codes[at - low], (10, 13))]
    return frozenset(found.tolist())


def claims_of(document: Document, doc: Doc) -> list[Claim]:
    """The pipeline's claims of a processed doc, placed in the original file."""
    out: list[Claim] = []
    for claim in doc._.claims or []:
        try:
            claim.location = document.location(claim.start, claim.end)
        except ValueError:
            continue  # a span that maps to no source text cannot be reported
        claim.path = document.path
        claim.sentence = " ".join(claim.sentence.split())
        claim.text = " ".join(document.text[claim.start:claim.end].split())
        if not claim.indications and claim.indication:
            claim.indications = [claim.indication]
        out.append(claim)
    return out


def extract(nlp: Language, documents: Iterable[Document],
            on_error: Callable[[Document, Exception], None] | None = None,
            ) -> Iterator[tuple[Document, Doc, list[Claim]]]:
    """Run the pipeline over documents and yield their claims, one item per piece (``auditor.pieces``).

    A document short enough for one pass is one item: itself, its Doc and its claims. A longer
    one gives an item per piece: a Document and Doc of the piece's own text, with the claims
    found there (their ``start``/``end`` are offsets of the whole document's text, as always).
    An exception while one document is processed goes to ``on_error`` and the next document
    follows; without ``on_error`` it is raised.
    """
    for piece, claims in extract_pieces(nlp, documents, on_error):
        yield piece.document, piece.doc, claims


def extract_pieces(nlp: Language, documents: Iterable[Document],
                   on_error: Callable[[Document, Exception], None] | None = None) -> Iterator[tuple[Piece, list[Claim]]]:
    """What ``extract`` yields, with each piece's offset in its document's text (``Piece``)."""
    for document in documents:
        try:
            if isinstance(document, StreamedDocument):
                yield from _streamed_pieces(nlp, document)
                continue
            for piece in pieces(nlp, document, make_doc):
                claims = claims_of(piece.document, piece.doc)
                for claim in claims:
                    claim.start, claim.end = claim.start + piece.offset, claim.end + piece.offset
                yield piece, claims
        except Exception as exc:
            if on_error is None:
                raise
            on_error(document, exc)


def _streamed_pieces(nlp: Language, document: StreamedDocument) -> Iterator[tuple[Piece, list[Claim]]]:
    """The pieces of a long file read a section at a time (``auditor.ingest.stream``).

    A first pass counts the drug mentions of the whole file (and gathers its title, Sources
    section and suppressions); the second parses each section's pieces. Claim offsets are
    offsets of the text the whole file would have (sections joined by a block separator).
    """
    from collections import Counter

    limit = pieces_module.PIECE_CHARS
    counts: Counter[str] = Counter()
    for section in document.sections():
        counts.update(pieces_module.own_drug_counts(nlp, section.document, make_doc, section.own, limit))
    base = 0
    for section in document.sections():
        for piece in pieces(nlp, section.document, make_doc, limit, own=section.own, counts=counts):
            claims = claims_of(piece.document, piece.doc)
            offset = base + piece.offset - section.own[0]
            for claim in claims:
                claim.start, claim.end = claim.start + offset, claim.end + offset
            yield Piece(piece.document, piece.doc, offset, piece.own), claims
        base += section.own[1] - section.own[0]
