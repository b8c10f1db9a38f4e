"""The ``block_sentencizer`` component: sentence boundaries that respect the document's blocks.

Ingest joins blocks (paragraphs, headings, list items, table cells) with blank lines; a
sentence never crosses one. Inside a block, a sentence ends at ``.``, ``!``, ``?`` or ``…``
followed by a token that can start a sentence; a sentence longer than ``LONG_SENTENCE`` tokens
is ended at a clause mark. Block metadata (kind, heading, sources
section) is read from ``doc._.blocks`` when the caller sets it, else every blank-line
separated run of text is a paragraph.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

# A "sentence" this many tokens long (a list or table written as one line, a text without
# full stops) is ended at its next comma, semicolon or colon, and at twice the length anyway:
# what the claim builder reads around a number is then bounded, whatever the input.
LONG_SENTENCE = 150
ENDERS = {".", "!", "?", "…", "?!", "!?", "..."}
CLOSERS = {'"', "”", "’", ")", "]"}
OPENERS = {'"', "“", "(", "[", "‘"}


@dataclass(frozen=True)
class BlockInfo:
    """What the pipeline needs to know of a block: its char span in the doc and its role."""

    start: int
    end: int
    kind: str = "paragraph"
    heading: str | None = None
    in_sources: bool = False
    level: int = 0
    cell: tuple[int, int, int] | None = None  # (table, row, column) of a table cell


for _name, _default in (("blocks", None), ("links", None), ("title", None), ("linebreaks", frozenset())):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def blocks_of(doc: Doc) -> list[BlockInfo]:
    """The blocks set by the caller, or blank-line separated paragraphs."""
    if doc._.blocks:
        return doc._.blocks
    blocks, start = [], 0
    text = doc.text
    while start < len(text):
        end = text.find("\n\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].strip():
            blocks.append(BlockInfo(start, end))
        start = end + 2
    doc._.blocks = blocks
    return blocks


def block_index(doc: Doc, char: int) -> int:
    """Index into ``blocks_of(doc)`` of the block holding char offset ``char`` (-1 if none)."""
    blocks = blocks_of(doc)
    starts = [b.start for b in blocks]
    i = bisect.bisect_right(starts, char) - 1
    return i if i >= 0 and char < blocks[i].end else -1


class BlockSentencizer:
    """Sets ``is_sent_start`` on every token (see module docstring)."""

    def __init__(self, name: str = "block_sentencizer") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        blocks = blocks_of(doc)
        starts = {b.start for b in blocks}
        breaks = doc._.linebreaks or frozenset()
        n = len(doc)
        flags = numpy.full(n, -1, dtype="int64")  # SENT_START: 1 starts a sentence, -1 does not
        new_sentence = True
        next_start = -1  # token index where the sentence after an ender begins
        length = 0  # tokens in the sentence so far
        for i, tok in enumerate(doc):
            if i == next_start or (i and (tok.idx - 1) in breaks and self._label_line(doc, i)):
                new_sentence = True
            if tok.is_space and "\n" in tok.text:
                # whitespace between blocks belongs to the sentence before it
                flags[i] = 1 if new_sentence and i == 0 else -1
                new_sentence = True
                continue
            if tok.idx in starts:
                new_sentence = True
            if not new_sentence and length >= LONG_SENTENCE and (
                    doc[i - 1].text in (",", ";", ":") or length >= 2 * LONG_SENTENCE):
                new_sentence = True
            flags[i] = 1 if new_sentence else -1
            length = 1 if new_sentence else length + 1
            new_sentence = False
            if tok.text in ENDERS:
                # closing quotes and brackets stay with the sentence they close
                j = i + 1
                while j < n and doc[j].text in CLOSERS and not doc[j - 1].whitespace_:
                    j += 1
                if j < n and doc[j - 1].whitespace_ and (
                    doc[j].is_title or doc[j].is_upper or doc[j].like_num or doc[j].is_space or doc[j].text in OPENERS
                ):
                    next_start = j
        flags[0] = 1
        doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))
        return doc

    @staticmethod
    def _label_line(doc: Doc, i: int) -> bool:
        """A wrapped line starts a sentence when it opens with a label ("Maximum dose: 20 mg/day")
        or the line before ended one ("...follows this pattern:")."""
        prev = doc[i - 1]
        if prev.text == ":":
            return True
        if not (doc[i].is_title or doc[i].is_upper):
            return False
        for tok in doc[i + 1:min(len(doc), i + 6)]:
            if tok.text == ":":
                return True
            if (tok.is_punct and tok.text not in ("-", "–", "/", "(", ")")) or tok.like_num:
                return False
        return False


@Language.factory("block_sentencizer")
def make_block_sentencizer(nlp: Language, name: str) -> BlockSentencizer:
    """spaCy factory for :class:`BlockSentencizer`."""
    return BlockSentencizer(name)
