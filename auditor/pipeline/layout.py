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

from .token_table import TokenTable, token_table

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


def tokens_at(idx: list[int], chars: set[int]) -> set[int]:
    """The tokens (``idx``: their char offsets, in order) that start at one of ``chars``."""
    out = set()
    for char in chars:
        k = bisect.bisect_left(idx, char)
        if k < len(idx) and idx[k] == char:
            out.add(k)
    return out


class BlockSentencizer:
    """Sets ``is_sent_start`` on every token (see module docstring)."""

    def __init__(self, name: str = "block_sentencizer") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        blocks = blocks_of(doc)
        n = len(doc)
        t = token_table(doc)
        texts, idx, ws, is_space = t.text, t.idx, t.ws, t.is_space
        starts = tokens_at(idx, {b.start for b in blocks})  # tokens where a block starts
        # tokens right after a soft line break
        after_break = tokens_at(idx, {c + 1 for c in doc._.linebreaks or frozenset()}) - {0}
        flags = [-1] * n  # SENT_START: 1 starts a sentence, -1 does not
        new_sentence = True
        next_start = -1  # token index where the sentence after an ender begins
        length = 0  # tokens in the sentence so far
        for i in range(n):
            text = texts[i]
            if i == next_start or (i in after_break and self._label_line(t, i)):
                new_sentence = True
            if is_space[i] and "\n" in text:
                # whitespace between blocks belongs to the sentence before it
                flags[i] = 1 if new_sentence and i == 0 else -1
                new_sentence = True
                continue
            if i in starts:
                new_sentence = True
            if not new_sentence and length >= LONG_SENTENCE and (
                    texts[i - 1] in (",", ";", ":") or length >= 2 * LONG_SENTENCE):
                new_sentence = True
            flags[i] = 1 if new_sentence else -1
            length = 1 if new_sentence else length + 1
            new_sentence = False
            if text in ENDERS:
                # closing quotes and brackets stay with the sentence they close
                j = i + 1
                while j < n and texts[j] in CLOSERS and not ws[j - 1]:
                    j += 1
                if j < n and ws[j - 1] and (
                    t.is_title[j] or t.is_upper[j] or t.like_num[j] or is_space[j] or texts[j] in OPENERS
                ):
                    next_start = j
        flags[0] = 1
        doc.from_array([SENT_START], numpy.array(flags, dtype="int64").astype("uint64").reshape(-1, 1))
        return doc

    @staticmethod
    def _label_line(t: TokenTable, i: int) -> bool:
        """A wrapped line starts a sentence when it opens with a label ("Maximum dose: 20 mg/day")
        or the line before ended one ("...follows this pattern:")."""
        texts = t.text
        if texts[i - 1] == ":":
            return True
        if not (t.is_title[i] or t.is_upper[i]):
            return False
        for k in range(i + 1, min(t.n, i + 6)):
            if texts[k] == ":":
                return True
            if (t.is_punct[k] and texts[k] not in ("-", "–", "/", "(", ")")) or t.like_num[k]:
                return False
        return False


@Language.factory("block_sentencizer")
def make_block_sentencizer(nlp: Language, name: str) -> BlockSentencizer:
    """spaCy factory for :class:`BlockSentencizer`."""
    return BlockSentencizer(name)
