"""Per-document lookups the claim builder shares between claims.

Sentences, clauses, blocks and their headings, table cells and their headers, the terms and
cues found in a span, and the article's main drug: computed once per document.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc, Span

from ..lexicon import Lexicon
from .layout import BlockInfo, blocks_of
from .token_table import token_table
from .words import (
    CLAUSE_JOINERS,
    CLAUSE_PUNCT,
    INDICATED_PHRASES,
    PERSON_WORDS,
    SUBORDINATORS,
)

if not Doc.has_extension("drug_counts"):
    Doc.set_extension("drug_counts", default=None)


def weigh_drugs(drugs: list[Span], blocks: list[BlockInfo]) -> Counter[str]:
    """Mentions of each drug (not class), in text order; a mention in a heading or title counts three times."""
    starts = [b.start for b in blocks]
    counts: Counter[str] = Counter()
    for span in sorted(drugs, key=lambda s: s.start):
        if span.id_ == "class":
            continue
        i = bisect.bisect_right(starts, span.start_char) - 1
        inside = i >= 0 and span.start_char < max(blocks[i].end, blocks[i].start + 1)
        counts[span.label_] += 3 if inside and blocks[i].kind in ("heading", "title") else 1
    return counts


class DocIndex:
    """Per-document lookups shared by every claim: sentences, clauses, blocks, terms, cues."""

    def __init__(self, doc: Doc, lexicon: Lexicon) -> None:
        self.doc = doc
        self.tokens = tokens = token_table(doc)
        self.text = tokens.doc_text
        self.lexicon = lexicon
        # sentence starts as ``doc.sents`` gives them; a sentence's Span is made when a claim asks for it
        starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist() if len(doc) else []
        self.sent_starts = starts if not len(doc) or starts[:1] == [0] else [0, *starts]
        self._sents: dict[int, Span] = {}
        self.sentence_terms: dict[tuple[str, int], list[Span]] = {}  # (term kind, sentence start) -> terms read there
        # (term kind, block, sections) -> (term, note) found outside a sentence (context.term_outside_sentence)
        self.outside_terms: dict[tuple[str, int, str], tuple[str | None, str | None]] = {}
        self.blocks: list[BlockInfo] = blocks_of(doc)
        self._block_at: dict[int, int] = {}  # char offset -> block_index
        self.block_starts = [b.start for b in self.blocks]
        self.cues = list(doc.spans.get("cues", []))
        self.cue_starts = [c.start for c in self.cues]
        self.cue_labels = [c.label_ for c in self.cues]
        self.drugs = sorted(doc.spans.get("drugs", []), key=lambda s: s.start)
        self.drug_starts = [s.start for s in self.drugs]
        self.indications = sorted(doc.spans.get("indications", []), key=lambda s: s.start)
        self.populations = sorted(doc.spans.get("populations", []), key=lambda s: s.start)
        self.conditions = sorted(doc.spans.get("conditions", []), key=lambda s: s.start)
        self.formulations = sorted(doc.spans.get("formulations", []), key=lambda s: s.start)
        self.links = doc._.links or []
        ordered = sorted(self.links)
        self._link_starts = [a for a, _ in ordered]
        self._link_reach = list(itertools.accumulate((b for _, b in ordered), max))
        self.doses = sorted((q for q in doc._.quantities or [] if q.dimension in ("mass", "mass_per_kg")),
                            key=lambda q: q.start)
        self._dose_starts = [q.start for q in self.doses]
        self._term_starts: dict[int, list[int]] = {}
        self._line_shape: dict[int, tuple[bool, bool]] = {}
        self._clauses: dict[int, list[int]] = {}
        self._block_spans: dict[int, Span | None] = {}
        self._header_spans: dict[int, list[Span]] = {}
        self._header_texts: dict[int, list[str]] = {}  # block -> texts of its header cells
        self._cues_by_labels: dict[tuple[int, int, tuple[str, ...]], list[Span]] = {}  # (start, end, labels) -> cues_in
        self._names_persons: dict[int, bool] = {}  # sentence start -> names_persons
        self.heading_block = self._heading_blocks()
        self.first_heading = next((b for b in self.blocks if b.kind in ("title", "heading")), None)
        self.main_drug = self._main_drug()
        self.indicated_for = self._indicated_for()
        self.cells = {b.cell: i for i, b in enumerate(self.blocks) if b.cell is not None}

    def cell_of(self, char: int) -> tuple[int, int, int] | None:
        b = self.block_index(char)
        return self.blocks[b].cell if b >= 0 else None

    def cell_start(self, char: int) -> int:
        b = self.block_index(char)
        return self.blocks[b].start if b >= 0 else char

    def row_mates(self, a: int, b: int) -> bool:
        """Two offsets in cells of one table row, the second to the right of the first."""
        ca, cb = self.cell_of(a), self.cell_of(b)
        return ca is not None and cb is not None and ca[:2] == cb[:2] and cb[2] > ca[2]

    def next_cells(self, char: int) -> list[Span]:
        """The cells to the right in the same table row, as spans."""
        cell = self.cell_of(char)
        if cell is None:
            return []
        out = []
        table, row, col = cell
        k = col + 1
        while (table, row, k) in self.cells:
            span = self.block_span(self.cells[(table, row, k)])
            if span is not None:
                out.append(span)
            k += 1
        return out

    def neighbor_spans(self, char: int, labels: tuple[str, ...]) -> list[Span]:
        """For a short line that is little more than a value (a table flattened one cell per line),
        the short line that names it: after it ("1-4 hours" / "Peak level"), or before it when the
        run of lines puts labels first ("Starting dose" / "10 mg once daily")."""
        b = self.block_index(char)
        if b < 0 or not self._bare(b):
            return []
        first = b
        while first >= 2 and self._bare(first - 2) and self._short(first - 1):
            first -= 2
        label_first = first >= 1 and self._short(first - 1) and bool(
            self.cues_in(self.block_span(first - 1), labels))
        k = b - 1 if label_first else b + 1
        if not (0 <= k < len(self.blocks)) or self.blocks[k].kind == "title" or not self._short(k):
            return []
        span = self.block_span(k)
        return [span] if span is not None else []

    def _shape(self, b: int) -> tuple[bool, bool]:
        """(short, bare) for block ``b``, worked out once per block."""
        if b not in self._line_shape:
            blk = self.blocks[b]
            words = self.text[blk.start:blk.end].split(None, 9)
            self._line_shape[b] = (len(words) <= 8, 0 < len(words) <= 4 and words[0][:1].isdigit())
        return self._line_shape[b]

    def _short(self, b: int) -> bool:
        return self._shape(b)[0]

    def _bare(self, b: int) -> bool:
        """A short line that starts with a number: a value on a line of its own."""
        return self._shape(b)[1]

    def block_span(self, b: int) -> Span | None:
        """Block ``b`` as a span of the doc (made once per block)."""
        if b not in self._block_spans:
            blk = self.blocks[b]
            self._block_spans[b] = self.doc.char_span(blk.start, blk.end, alignment_mode="expand")
        return self._block_spans[b]

    def header_spans(self, char: int) -> list[Span]:
        """For a table cell: its column header cell, then its row header cell (as spans)."""
        b = self.block_index(char)
        if b < 0 or self.blocks[b].cell is None:
            return []
        if b in self._header_spans:
            return list(self._header_spans[b])
        table, row, col = self.blocks[b].cell
        out = []
        for key in ((table, 0, col) if row > 0 else None, (table, row, 0) if col > 0 else None):
            if key is not None and key in self.cells:
                span = self.block_span(self.cells[key])
                if span is not None:
                    out.append(span)
        self._header_spans[b] = out
        return list(out)

    def header_texts(self, char: int) -> list[str]:
        """The texts of ``header_spans(char)`` (read once per block)."""
        b = self.block_index(char)
        texts = self._header_texts.get(b)
        if texts is None:
            texts = self._header_texts[b] = [h.text for h in self.header_spans(char)]
        return texts

    def names_persons(self, sent: Span) -> bool:
        """Whether the sentence ``sent`` names people (``PERSON_WORDS``; read once per sentence)."""
        found = self._names_persons.get(sent.start)
        if found is None:
            found = self._names_persons[sent.start] = bool(PERSON_WORDS.search(self.text[sent.start_char:sent.end_char]))
        return found

    def row_label(self, char: int) -> str | None:
        """For a table cell right of the first column: the first column's header and the row's
        first cell, as one text ("Creatinine clearance (mL/min) 30 to 59")."""
        b = self.block_index(char)
        if b < 0 or self.blocks[b].cell is None:
            return None
        table, row, col = self.blocks[b].cell
        if row == 0 or col == 0 or (table, 0, 0) not in self.cells or (table, row, 0) not in self.cells:
            return None
        corner, first = self.blocks[self.cells[(table, 0, 0)]], self.blocks[self.cells[(table, row, 0)]]
        return f"{self.text[corner.start:corner.end]} {self.text[first.start:first.end]}"

    # -- structure -------------------------------------------------------------------
    def sentence(self, token_i: int) -> Span:
        k = bisect.bisect_right(self.sent_starts, token_i)
        sent = self._sents.get(k)
        if sent is None:
            end = self.sent_starts[k] if k < len(self.sent_starts) else len(self.doc)
            sent = self._sents[k] = Span(self.doc, self.sent_starts[k - 1], end)
        return sent

    def block_index(self, char: int) -> int:
        """Index of the block that holds char offset ``char`` (-1: none); kept per offset, since
        the rules of a claim ask for the block of its first character many times."""
        found = self._block_at.get(char)
        if found is None:
            i = bisect.bisect_right(self.block_starts, char) - 1
            found = i if i >= 0 and char < max(self.blocks[i].end, self.blocks[i].start + 1) else -1
            self._block_at[char] = found
        return found

    def _heading_blocks(self) -> list[int]:
        """For each block, the index of the heading (or title) block that governs it (-1: none).

        Also fills ``parent_heading``: for each heading block, the heading one level up.
        """
        out: list[int] = []
        self.parent_heading: dict[int, int] = {}
        stack: list[tuple[int, int]] = []  # (level, block index); the title is level 0
        for i, block in enumerate(self.blocks):
            out.append(stack[-1][1] if stack else -1)
            if block.kind in ("heading", "title"):
                level = 0 if block.kind == "title" else (block.level or 2)
                while stack and stack[-1][0] >= level:
                    stack.pop()
                self.parent_heading[i] = stack[-1][1] if stack else -1
                stack.append((level, i))
        return out

    def title_block(self) -> BlockInfo | None:
        """The document's title: the title block, or a first heading of level 0 or 1."""
        first = self.first_heading
        if first is None or (first.kind == "heading" and first.level not in (0, 1)):
            return None
        return first

    def title_terms(self, spans: list[Span]) -> list[Span]:
        """Terms named in the document's title (the title block, or the first heading)."""
        first = self.title_block()
        if first is None:
            return []
        return self.terms_at(spans, first.start, first.end)

    # -- lookups in text order -------------------------------------------------------
    def terms_at(self, spans: list[Span], start_char: int, end_char: int) -> list[Span]:
        """The spans of ``spans`` (a list of this index, in text order) that start in ``[start_char, end_char)``."""
        starts = self._term_starts.get(id(spans))
        if starts is None:
            starts = self._term_starts[id(spans)] = [s.start_char for s in spans]
        return spans[bisect.bisect_left(starts, start_char):bisect.bisect_left(starts, end_char)]

    def doses_in(self, span: Span) -> list:
        """The mass quantities that start in ``span``."""
        return self.doses[bisect.bisect_left(self._dose_starts, span.start):bisect.bisect_left(self._dose_starts, span.end)]

    def linked(self, start_char: int, end_char: int) -> bool:
        """A link's label overlaps ``[start_char, end_char)``."""
        k = bisect.bisect_left(self._link_starts, end_char)
        return k > 0 and self._link_reach[k - 1] > start_char

    def _main_drug(self) -> str | None:
        counts = self.doc._.drug_counts
        if counts is None:  # set by the caller for a document read in pieces (auditor.pieces)
            counts = weigh_drugs(self.drugs, self.blocks)
        return counts.most_common(1)[0][0] if counts else None

    def _indicated_for(self) -> str | None:
        """The one indication named where the document says what the drug is indicated for
        ("CELEXA is indicated for the treatment of major depressive disorder"), or None."""
        if not self.indications:
            return None
        names = set()
        for span in self.indications:
            words = " ".join(self.tokens.lower[max(0, span.start - 8):span.start])
            if any(p in words for p in INDICATED_PHRASES):
                names.add(span.label_)
        return names.pop() if len(names) == 1 else None

    def clause_ids(self, sent: Span) -> list[int]:
        """Clause number of each token of ``sent`` (a clause ends at ; — : but while ...)."""
        if sent.start in self._clauses:
            return self._clauses[sent.start]
        terminators = {c.start for c in self.cues_in(sent) if c.label_ == "TERMINATE"}
        t = self.tokens
        texts, lower = t.text, t.lower
        # "While it's not the highest dose, 1 mg is ...": an opening subordinate clause ends at its comma
        opener = lower[sent.start] in SUBORDINATORS
        ids, cid = [], 0
        clause_start = True
        for i in range(sent.start, sent.end):
            text = texts[i]
            boundary = False
            if clause_start and not t.is_punct[i]:
                opener = opener or lower[i] in SUBORDINATORS
                clause_start = False
            if opener and text == ",":
                boundary, opener = True, False
            elif text in CLAUSE_PUNCT and (text != "–" or t.ws[i]):
                boundary = True
            elif text == ":" and i - sent.start > 6:
                boundary = True  # "Starting dose: 0.25 mg" keeps its label
            elif (i in terminators and i > sent.start and not (
                    lower[i] == "so" and lower[i - 1] in ("or", "and", "ever"))) or (  # "15 or so minutes"
                text == "," and i + 1 < sent.end and lower[i + 1] in CLAUSE_JOINERS
            ):
                boundary = True
            if boundary:
                cid += 1
                clause_start = True
            ids.append(cid)
        self._clauses[sent.start] = ids
        return ids

    def cues_in(self, span: Span, labels: tuple[str, ...] | None = None) -> list[Span]:
        """The cues that start in ``span``, with one of ``labels`` (any label: None), in text order.
        The list given for a tuple of labels is kept and given again for the same tokens and
        labels (no caller changes it)."""
        start, end = span.start, span.end
        if labels is None:
            return self.cues[bisect.bisect_left(self.cue_starts, start):bisect.bisect_left(self.cue_starts, end)]
        key = (start, end, labels) if type(labels) is tuple else None
        found = self._cues_by_labels.get(key) if key is not None else None
        if found is None:
            lo = bisect.bisect_left(self.cue_starts, start)
            hi = bisect.bisect_left(self.cue_starts, end)
            found = [c for c, label in zip(self.cues[lo:hi], self.cue_labels[lo:hi], strict=True) if label in labels]
            if key is not None:
                self._cues_by_labels[key] = found
        return found

    def drugs_in(self, span: Span) -> list[Span]:
        return self.drugs_between(span.start, span.end)

    def drugs_between(self, start: int, end: int) -> list[Span]:
        """The drug mentions that start at a token of ``[start, end)`` (``drugs_in(doc[start:end])``)."""
        lo = bisect.bisect_left(self.drug_starts, start)
        hi = bisect.bisect_left(self.drug_starts, end)
        return self.drugs[lo:hi]
