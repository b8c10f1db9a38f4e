"""Document -> claims: run the pipeline once per document and map claims to source positions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .claims import Claim
from .document import Document
from .pipeline.layout import BlockInfo

# Spaces that are not ASCII spaces (no-break, thin, narrow no-break) separate words all the same:
# "0.25&nbsp;mg" is a number and a unit. Replaced one for one, so offsets do not move.
_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200a": " "})


def make_doc(nlp: Language, document: Document) -> Doc:
    """Tokenize a Document and attach the layout the components read."""
    doc = nlp.make_doc(document.text.translate(_SPACES))
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
    source, starts = document.source, document.starts
    out = set()
    find = document.text.find
    i = find(" ")
    while i >= 0:
        src = starts[i]
        if src >= 0 and source[src] in "\r\n":
            out.add(i)
        i = find(" ", i + 1)
    return frozenset(out)


def claims_of(document: Document, doc: Doc) -> list[Claim]:
    """Claim records of a processed doc, with positions in the original file."""
    out: list[Claim] = []
    for draft in doc._.claims or []:
        try:
            location = document.location(draft.start_char, draft.end_char)
        except ValueError:
            continue  # a span that maps to no source text cannot be reported
        out.append(
            Claim(
                path=document.path,
                start=draft.start_char,
                end=draft.end_char,
                location=location,
                sentence=" ".join(draft.sentence.split()),
                attribute=draft.attribute,
                value=draft.value,
                unit=draft.unit,
                drug=draft.drug,
                per=draft.per,
                frequency=draft.frequency,
                daily=draft.daily,
                indication=draft.indication,
                indications=draft.indications or ([draft.indication] if draft.indication else []),
                population=draft.population,
                negated=draft.negated,
                hypothetical=draft.hypothetical,
                cited=draft.cited,
                effect=draft.effect,
                drug_class=draft.drug_class,
                heading=draft.heading,
                text=" ".join(document.text[draft.start_char:draft.end_char].split()),
                explain=draft.explain,
            )
        )
    return out


def extract(nlp: Language, documents: Iterable[Document]) -> Iterator[tuple[Document, Doc, list[Claim]]]:
    """Run the pipeline over documents (one pass each) and yield their claims."""
    docs = ((make_doc(nlp, d), d) for d in documents)
    for doc, document in nlp.pipe(docs, as_tuples=True):
        yield document, doc, claims_of(document, doc)
