"""The ``claim_builder`` component: quantities + cues + terms -> typed claim drafts.

For every quantity (and every frequency not attached to a dose) it decides, with rules that
each leave a note in ``Claim.explain``:

- the attribute, from the unit's dimension and the nearest cue in the same clause (a cue
  right after the value, "4 mg (maximum dose)", counts too);
- per dose or per day, the frequency attached to a dose, and the implied daily total;
- the drug (same sentence, else the section heading, else the paragraph so far, else the
  article's main drug), the indication and the population;
- negation, hypothesis and citation, in the manner of ConText: a trigger and a scope that
  ends at a clause boundary.

Claims are stored on ``doc._.claims`` in text order, with plain-text offsets;
``auditor.extract`` adds the file path and the source positions.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..claims import Claim, Range
from ..lexicon import Lexicon
from .layout import BlockInfo, blocks_of
from .quantities import Frequency, Quantity
from .terms import cached_lexicon

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)

DOSE_CUES = ("INCREMENT", "MAX", "START", "TARGET", "TYPICAL")
DOSE_ATTRIBUTE = {
    "START": "dose.start", "TARGET": "dose.target", "MAX": "dose.max",
    "INCREMENT": "dose.increment", "TYPICAL": "dose.typical",
}
TIME_CUES = {
    "HALF_LIFE": ("half_life", {"minute", "hour", "day", "week"}),
    "PEAK": ("peak", {"minute", "hour"}),
    "ONSET": ("onset", {"minute", "hour", "day", "week"}),
    "DURATION": ("duration.effect", {"minute", "hour"}),
    "TREATMENT": ("treatment.duration", {"day", "week", "month", "year"}),
}
# Words between a value and a following cue that keep the cue from applying to it.
DETACHING = {"below", "under", "less", "above", "beyond", "over", "exceed", "exceeds", "than", "near", "from"}
CLAUSE_PUNCT = {";", "—", "–", "•"}
CONTRASTS = {"but", "while", "whereas", "whilst", "however", "although", "though", "unlike", "versus", "vs", "vs."}
CLAUSE_JOINERS = {"and", "but", "so", "while", "whereas", "although", "though"}
# A clause opening with one of these ("While it's not the highest dose, ...", "Within the 0.25 to 4 mg
# range, ...") is an introductory phrase that ends at its comma.
SUBORDINATORS = {"while", "although", "though", "whereas", "if", "unless", "when", "because", "since", "as",
                 "whilst", "once", "after", "before", "until", "within", "at", "for", "in", "with", "by",
                 "among", "unlike", "compared", "like", "despite", "during", "according", "besides", "beyond"}
EFFECT_VERBS = {"experience", "experiences", "experienced", "report", "reports", "reported", "develop",
                "develops", "developed", "had", "have", "has", "get", "got", "suffer", "suffered", "notice",
                "noticed", "feel", "felt", "reporting", "experiencing", "developing"}
EFFECT_STOP = {",", ".", ";", ":", "and", "or", "but", "while", "when", "after", "in", "at", "during", "with",
               "from", "than", "compared", "(", ")", "—", "–", "if", "because", "as", "which", "who", "that"}
DETERMINERS = {"a", "an", "the", "some", "any", "their", "its", "his", "her", "mild", "moderate", "severe",
               "significant", "noticeable", "symptoms", "of"}
DOSE_WORDS = {"dose", "dosage", "tablet", "pill", "capsule"}
PROHIBITIONS = ("not recommended", "not be taken", "should not", "must not", "never take", "do not take",
                "don't take", "is unsafe", "are unsafe", "is dangerous", "are dangerous", "not advised",
                "should be avoided", "not approved", "avoid")
FREQ_NUMBER_WORDS = {"once", "twice", "two", "three", "four", "one"}
# Extended-release products have their own labels; an article naming one speaks of it.
EXTENDED_CODES = {"XR", "ER", "CR", "SR", "XL", "LA", "ODT"} - {"ODT"}
EXTENDED_PHRASES = ("extended-release", "extended release", "controlled-release", "controlled release",
                    "sustained-release", "sustained release", "modified-release", "modified release",
                    "prolonged-release", "prolonged release", "slow-release", "slow release", "extended - release")
# Words after "<amount> of" that still speak of the medicine.
MEDICINE_WORDS = {"medication", "medications", "medicine", "medicines", "drug", "drugs", "tablet", "tablets",
                  "capsule", "capsules", "liquid", "solution", "syrup", "suspension", "pill", "pills", "dose", "doses",
                  "extended", "immediate", "oral", "generic", "brand", "active", "ingredient", "elemental", "base",
                  "salt", "hydrochloride", "hcl", "tartrate", "weight", "body", "daily"}
PARTICIPLES = {"given", "taken", "written", "chosen", "shown", "begun", "put", "set", "cut", "split", "kept"}
# Bounds that set a ceiling ("up to 6 mg a day"), as opposed to describing low doses ("0.5 mg or less").
CEILING_BOUNDS = {"up to", "no more than", "not more than", "not to exceed", "no greater than", "not greater than",
                  "can reach", "may reach", "can be as high as",
                  "at most", "a maximum of", "maximum of", "max of", "not exceed", "not exceeding", "never exceed",
                  "no higher than", "not above", "at or below", "at or under", "≤"}
CHANGE_VERBS = {"increase", "increased", "increases", "increasing", "raise", "raised", "raises", "raising", "decrease",
                "decreased", "decreases", "decreasing", "reduce", "reduced", "reduces", "reducing", "lower",
                "lowered", "lowers", "lowering", "cut", "cuts", "cutting", "taper", "tapered", "tapers", "tapering",
                "titrate", "titrated", "titrates", "titrating", "adjust", "adjusted", "drops", "goes", "went",
                "drop", "dropped", "dropping", "go", "going", "step", "stepped", "up", "down", "bump",
                "increments", "steps", "changes", "change"}
# Day/week/month spans after these words are how long something takes or lasts: a course of treatment.
SPAN_BEFORE = {"for", "over", "after", "within", "during", "than", "takes", "take", "taking", "took", "need",
               "needs", "needed", "lasting", "beyond", "first", "least", "about", "around", "up", "to",
               "period", "course", "another", "next", "further", "additional", "extra"}
# "within an hour" is an onset only where the clause speaks of a drug or its effect.
EFFECT_WORDS = {"work", "works", "working", "effect", "effects", "feel", "feeling", "felt", "relief", "kick", "kicks",
                "act", "acts", "acting", "calm", "calming", "sleep", "drowsy", "drowsiness", "sedation", "dose",
                "taking", "take", "taken", "start", "starts", "begin", "begins", "onset", "symptoms", "it"}
# A span of days or weeks is a course of treatment only where the clause speaks of treatment.
TREATMENT_WORDS = {"take", "takes", "taking", "taken", "took", "use", "uses", "using", "used", "treatment", "treated",
                   "therapy", "prescribed", "prescription", "course", "dose", "doses", "dosing", "dosage", "stop",
                   "stopping", "taper", "tapering", "medication", "medicine", "work", "works", "working", "effect",
                   "effects", "benefit", "improve", "improvement", "relief", "respond", "response", "trial",
                   "increase", "increased", "reduce", "reduced", "switch", "switching", "continue", "continued",
                   "feel", "better", "notice", "wean", "weaning", "start", "starting", "regular", "daily",
                   "short-term", "long-term", "term", "limit", "limited", "beyond", "longer", "need", "needs",
                   "full", "weeks", "results"}
PEOPLE_WORDS = {"people", "patients", "users", "adults", "children", "participants", "subjects", "women", "men",
                "persons", "individuals", "those", "them", "patient", "person", "adult", "child", "user", "kids",
                "teens", "adolescents", "seniors", "respondents", "volunteers", "cases", "who", "everyone",
                "americans", "population", "prescriptions"}
NOT_A_SPAN_AFTER = {"supply", "pack", "packs", "prescription", "refill", "ago", "old", "later", "earlier",
                    "apart", "notice", "study", "trial", "studies", "trials", "window"}


class _DocIndex:
    """Per-document lookups shared by every claim: sentences, clauses, blocks, terms, cues."""

    def __init__(self, doc: Doc, lexicon: Lexicon) -> None:
        self.doc = doc
        self.text = doc.text  # spaCy rebuilds Doc.text from its tokens on every access
        self.lexicon = lexicon
        self.sents = list(doc.sents)
        self.sent_starts = [s.start for s in self.sents]
        self.blocks: list[BlockInfo] = blocks_of(doc)
        self.block_starts = [b.start for b in self.blocks]
        self.cues = list(doc.spans.get("cues", []))
        self.cue_starts = [c.start for c in self.cues]
        self.drugs = sorted(doc.spans.get("drugs", []), key=lambda s: s.start)
        self.drug_starts = [s.start for s in self.drugs]
        self.indications = sorted(doc.spans.get("indications", []), key=lambda s: s.start)
        self.populations = sorted(doc.spans.get("populations", []), key=lambda s: s.start)
        self.links = doc._.links or []
        self._clauses: dict[int, list[int]] = {}
        self.heading_block = self._heading_blocks()
        self.main_drug = self._main_drug()
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
            blk = self.blocks[self.cells[(table, row, k)]]
            span = self.doc.char_span(blk.start, blk.end, alignment_mode="expand")
            if span is not None:
                out.append(span)
            k += 1
        return out

    def neighbor_spans(self, char: int) -> list[Span]:
        """For a short line that is little more than a value (a table flattened one cell per line),
        the short lines after and before it, which name what the value is."""
        b = self.block_index(char)
        if b < 0 or not self._bare(b):
            return []
        out = []
        # value, description, value, description: the line before belongs to the value before it
        candidates = (b + 1,) if b >= 2 and self._bare(b - 2) else (b + 1, b - 1)
        for k in candidates:
            # a flattened table's short lines often pass for headings in plain text
            if 0 <= k < len(self.blocks) and self.blocks[k].kind != "title":
                blk = self.blocks[k]
                if len(self.text[blk.start:blk.end].split()) <= 8:
                    span = self.doc.char_span(blk.start, blk.end, alignment_mode="expand")
                    if span is not None:
                        out.append(span)
        return out

    def _bare(self, b: int) -> bool:
        """A short line that starts with a number: a value on a line of its own."""
        blk = self.blocks[b]
        words = self.text[blk.start:blk.end].split()
        return 0 < len(words) <= 4 and words[0][:1].isdigit()

    def header_spans(self, char: int) -> list[Span]:
        """For a table cell: its column header cell, then its row header cell (as spans)."""
        b = self.block_index(char)
        if b < 0 or self.blocks[b].cell is None:
            return []
        table, row, col = self.blocks[b].cell
        out = []
        for key in ((table, 0, col) if row > 0 else None, (table, row, 0) if col > 0 else None):
            if key is not None and key in self.cells:
                blk = self.blocks[self.cells[key]]
                span = self.doc.char_span(blk.start, blk.end, alignment_mode="expand")
                if span is not None:
                    out.append(span)
        return out

    # -- structure -------------------------------------------------------------------
    def sentence(self, token_i: int) -> Span:
        return self.sents[bisect.bisect_right(self.sent_starts, token_i) - 1]

    def block_index(self, char: int) -> int:
        i = bisect.bisect_right(self.block_starts, char) - 1
        return i if i >= 0 and char < max(self.blocks[i].end, self.blocks[i].start + 1) else -1

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

    def title_terms(self, spans: list[Span]) -> list[Span]:
        """Terms named in the document's title (the title block, or the first heading)."""
        first = next((b for b in self.blocks if b.kind in ("title", "heading")), None)
        if first is None or (first.kind == "heading" and first.level not in (0, 1)):
            return []
        return [s for s in spans if first.start <= s.start_char < first.end]

    def _main_drug(self) -> str | None:
        counts: Counter[str] = Counter()
        for span in self.drugs:
            if span.id_ == "class":
                continue
            b = self.block_index(span.start_char)
            weight = 3 if b >= 0 and self.blocks[b].kind in ("heading", "title") else 1
            counts[span.label_] += weight
        return counts.most_common(1)[0][0] if counts else None

    def clause_ids(self, sent: Span) -> list[int]:
        """Clause number of each token of ``sent`` (a clause ends at ; — : but while ...)."""
        if sent.start in self._clauses:
            return self._clauses[sent.start]
        terminators = {c.start for c in self.cues_in(sent) if c.label_ == "TERMINATE"}
        # "While it's not the highest dose, 1 mg is ...": an opening subordinate clause ends at its comma
        opener = sent[0].lower_ in SUBORDINATORS
        ids, cid = [], 0
        clause_start = True
        for tok in sent:
            i = tok.i
            boundary = False
            if clause_start and not tok.is_punct:
                opener = opener or tok.lower_ in SUBORDINATORS
                clause_start = False
            if opener and tok.text == ",":
                boundary, opener = True, False
            elif tok.text in CLAUSE_PUNCT and (tok.text != "–" or tok.whitespace_):
                boundary = True
            elif tok.text == ":" and i - sent.start > 6:
                boundary = True  # "Starting dose: 0.25 mg" keeps its label
            elif (i in terminators and i > sent.start) or (
                tok.text == "," and i + 1 < sent.end and self.doc[i + 1].lower_ in CLAUSE_JOINERS
            ):
                boundary = True
            if boundary:
                cid += 1
                clause_start = True
            ids.append(cid)
        self._clauses[sent.start] = ids
        return ids

    def cues_in(self, span: Span, labels: tuple[str, ...] | None = None) -> list[Span]:
        lo = bisect.bisect_left(self.cue_starts, span.start)
        hi = bisect.bisect_left(self.cue_starts, span.end)
        cues = self.cues[lo:hi]
        return [c for c in cues if labels is None or c.label_ in labels]

    def drugs_in(self, span: Span) -> list[Span]:
        lo = bisect.bisect_left(self.drug_starts, span.start)
        hi = bisect.bisect_left(self.drug_starts, span.end)
        return self.drugs[lo:hi]


class ClaimBuilder:
    """Builds claim drafts (see module docstring)."""

    def __init__(self, nlp: Language, name: str, lexicon: Lexicon) -> None:
        self.name = name
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        index = _DocIndex(doc, self.lexicon)
        quantities: list[Quantity] = doc._.quantities or []
        frequencies: list[Frequency] = doc._.frequencies or []
        attached = self._attach_frequencies(doc, index, quantities, frequencies)
        drafts: list[Claim] = []
        previous_per: dict[int, tuple[str, int]] = {}
        for q in quantities:
            draft = self._quantity_claim(doc, index, q, attached.get(id(q)), previous_per)
            if draft is not None:
                drafts.append(draft)
        used = {id(f) for f in attached.values()}
        for f in frequencies:
            if id(f) not in used and f.kind in ("count", "latin", "interval", "divided"):
                draft = self._frequency_claim(doc, index, f)
                if draft is not None:
                    drafts.append(draft)
        drafts.sort(key=lambda d: (d.start, d.end))
        doc._.claims = drafts
        return doc

    # -- frequencies -----------------------------------------------------------------
    def _attach_frequencies(self, doc, index, quantities, frequencies) -> dict[int, Frequency]:
        """A frequency belongs to the dose just before it in the same sentence (at most 6 words away)."""
        doses = [q for q in quantities if q.dimension in ("mass", "mass_per_kg")]
        starts = [q.start for q in doses]
        out: dict[int, Frequency] = {}
        for f in frequencies:
            i = bisect.bisect_right(starts, f.start) - 1
            if i < 0:
                continue
            q = doses[i]
            if q.end > f.start or id(q) in out:
                continue
            if index.sentence(q.start).start != index.sentence(f.start).start:
                # "Starting dose | 0.25 mg | twice a day": a frequency in the next cell of the row
                if index.row_mates(doc[q.start].idx, doc[f.start].idx) and not any(
                        d is not q and doc[d.start].idx >= index.cell_start(doc[f.start].idx) and d.start < f.start
                        for d in doses):
                    out[id(q)] = f
                continue
            between = doc[q.end:f.start]
            words = [t for t in between if not t.is_punct]
            if len(words) > 6 or any(t.text in (";", ":") for t in between):
                continue
            if any(t.like_num for t in between) and not (
                f.kind == "bedtime" and all(t.like_num or t.lower_ in ("minutes", "minute", "hours", "hour", "min", ",") for t in between)
            ):
                continue
            out[id(q)] = f
        return out

    # -- claims ----------------------------------------------------------------------
    def _quantity_claim(self, doc, index, q: Quantity, freq: Frequency | None, previous_per) -> Claim | None:
        b = index.block_index(doc[q.start].idx)
        if b >= 0 and index.blocks[b].in_sources:
            return None
        if q.dimension in ("mass", "mass_per_kg") and self._other_substance(doc, index, q):
            return None  # "95 mg of caffeine", "2,300 mg of sodium": not a dose of a medicine
        sent = index.sentence(q.start)
        clauses = index.clause_ids(sent)
        clause = clauses[q.start - sent.start]
        explain: dict[str, str] = {}
        dim = q.dimension
        value = q.value
        if dim in ("mass", "mass_per_kg"):
            attribute = self._dose_attribute(doc, index, q, sent, clauses, clause, explain)
        elif dim == "time":
            attribute = self._time_attribute(doc, index, q, sent, clauses, clause, explain)
        else:
            attribute = self._percent_attribute(doc, index, q, sent, clauses, clause, explain)
        if attribute is None:
            return None
        if attribute == "dose.max" and value.low is None and value.high is not None:
            value = Range(value.high, value.high)
            explain["value"] = "a maximum is the limit itself"
        draft = Claim(
            path="",
            location={},
            start=doc[q.start].idx,
            end=doc[q.end - 1].idx + len(doc[q.end - 1].text),
            sentence=sent.text.strip(),
            attribute=attribute,
            value=value,
            unit=q.unit,
            explain=explain,
        )
        if dim in ("mass", "mass_per_kg"):
            self._dosing(doc, index, q, freq, sent, clauses, clause, draft, previous_per)
        self._context(doc, index, q.start, q.end, sent, clauses, clause, draft)
        if attribute in ("incidence", "efficacy"):
            draft.effect = self._effect(doc, index, q, sent, clauses, clause, attribute)
        return draft

    def _frequency_claim(self, doc, index, f: Frequency) -> Claim | None:
        b = index.block_index(doc[f.start].idx)
        if b >= 0 and index.blocks[b].in_sources:
            return None
        sent = index.sentence(f.start)
        clauses = index.clause_ids(sent)
        clause = clauses[f.start - sent.start]
        draft = Claim(
            path="",
            location={},
            start=doc[f.start].idx,
            end=doc[f.end - 1].idx + len(doc[f.end - 1].text),
            sentence=sent.text.strip(),
            attribute="frequency",
            value=f.value,
            unit="per_day",
            explain={"attribute": f"frequency phrase '{doc[f.start:f.end].text}' not attached to a dose"},
        )
        self._context(doc, index, f.start, f.end, sent, clauses, clause, draft)
        return draft

    # -- attributes ------------------------------------------------------------------
    def _cue_before(self, index, q_start, sent, clauses, clause, labels, max_distance=15, stop_at_quantity=None):
        """The nearest cue with one of ``labels`` before the value, in its clause."""
        best = None
        for cue in index.cues_in(sent, labels):
            if cue.end > q_start or clauses[cue.start - sent.start] != clause:
                continue
            if q_start - cue.end > max_distance:
                continue
            if stop_at_quantity is not None and any(cue.end <= s < q_start for s in stop_at_quantity):
                continue
            if best is None or cue.end > best.end or (cue.end == best.end and len(cue) > len(best)):
                best = cue
        return best

    def _cue_after(self, doc, index, q_end, sent, clauses, clause, labels, max_distance=8, any_clause=False):
        for cue in index.cues_in(sent, labels):
            if cue.start < q_end:
                continue
            if cue.start - q_end > max_distance:
                break
            if not any_clause and clauses[cue.start - sent.start] != clause:
                continue
            between = doc[q_end:cue.start]
            if any(t.lower_ in DETACHING or t.like_num for t in between):
                continue
            return cue
        return None

    @staticmethod
    def _prohibited(doc, q, sent, clauses, clause) -> bool:
        """The clause says doses beyond the value must not be taken ("are not recommended")."""
        words = [t.lower_ for t in doc[sent.start:sent.end] if clauses[t.i - sent.start] == clause]
        text = " ".join(words)
        return any(p in text for p in PROHIBITIONS)

    @staticmethod
    def _speaks_of_people(index, span: Span) -> bool:
        return bool(index.cues_in(span, ("EFFICACY", "INCIDENCE")) or {t.lower_ for t in span} & PEOPLE_WORDS
                    or index.drugs_in(span))

    def _percent_context(self, doc, index, q: Quantity, sent: Span) -> list[Span]:
        """The sentence, and for a line of a list ("Dry mouth: 33.8%"), its introduction and heading."""
        out = [sent]
        b = index.block_index(doc[q.start].idx)
        if b > 0:
            prev = index.blocks[b - 1]
            for k in (b - 1, index.heading_block[b]):
                if k >= 0 and (k != b - 1 or index.text[prev.start:prev.end].rstrip().endswith(":")
                               or index.blocks[b].kind == "list_item"):
                    span = self._block_span(index, k)
                    if span is not None:
                        out.append(span)
        return out

    def _other_substance(self, doc, index, q: Quantity) -> bool:
        """ "of <word>" after the amount names something that is not a medicine the lexicon knows."""
        j = q.end
        if j + 1 >= len(doc) or doc[j].lower_ != "of":
            return False
        word = doc[j + 1]
        if not word.is_alpha or word.lower_ in MEDICINE_WORDS or word.is_stop:
            return False
        if any(s.start == j + 1 for s in index.drugs_in(doc[j + 1:j + 2])):
            return False
        return word.lower_ not in self.lexicon.drug_terms and word.lower_ not in self.lexicon.class_terms

    @staticmethod
    def _header_cue(index, char: int, labels, explain) -> Span | None:
        """In a table cell, a cue in the column header ("Starting dose") or the row header."""
        found = [(header, cue) for header in index.header_spans(char) for cue in index.cues_in(header, tuple(labels))]
        if not found:
            return None
        # a specific cue ("Starting dose") wins over a general one ("Dose", "Usual range")
        header, cue = next(((h, c) for h, c in found if c.label_ != "TYPICAL"), found[0])
        explain["attribute_header"] = f"'{header.text}' heads its table column or row"
        return cue

    @staticmethod
    def _neighbor_cue(index, char: int, labels, explain) -> Span | None:
        for span in index.neighbor_spans(char):
            cues = index.cues_in(span, tuple(labels))
            if cues:
                explain["attribute_neighbor"] = f"'{span.text[:40]}' on the line beside it"
                return cues[0]
        return None

    @staticmethod
    def _step_by(doc, q, sent, clauses, clause) -> str | None:
        """ "by" right before the dose, after a verb of change in the same clause."""
        k = q.start - 1
        if k < sent.start or doc[k].lower_ != "by":
            return None
        for tok in doc[max(sent.start, k - 6):k]:
            if clauses[tok.i - sent.start] == clause and tok.lower_ in CHANGE_VERBS:
                return tok.text
        return None

    @staticmethod
    def _negated_cue(doc, cue) -> bool:
        """ "not the highest dose", "isn't the maximum": a cue the sentence denies."""
        prev = {t.lower_ for t in doc[max(0, cue.start - 3):cue.start]}
        return bool(prev & {"not", "n't", "never", "no"}) and cue.label_ in ("MAX", "START", "TARGET")

    def _dose_attribute(self, doc, index, q, sent, clauses, clause, explain) -> str:
        others = [x.start for x in (doc._.quantities or []) if x.dimension in ("mass", "mass_per_kg") and x is not q]
        cue = self._cue_before(index, q.number_start, sent, clauses, clause, DOSE_CUES, 15, None)
        if q.start < q.number_start and cue is not None and cue.label_ == "MAX" and cue.end >= q.start:
            # the cue is the bound itself ("no more than", "should not exceed"); a step or a start named
            # just before it says what is bounded: "the initial dose ... should not exceed 1.5 mg/day"
            outer = self._cue_before(index, min(cue.start, q.start), sent, clauses, clause,
                                     ("INCREMENT", "START", "TARGET"), 8)
            if outer is not None and not any(outer.end <= s < q.start for s in others):
                cue = outer
        step = self._step_by(doc, q, sent, clauses, clause)
        if step is not None and (cue is None or cue.label_ in ("TYPICAL", "START", "TARGET")):
            # "increase the dose by 0.5 mg", "lowers it by 0.125 mg twice a day"
            explain["attribute"] = f"'by' after '{step}': a titration step"
            return "dose.increment"
        if cue is not None and self._negated_cue(doc, cue):
            cue = None
        if (cue is not None and cue.label_ in ("START", "INCREMENT", "TARGET")
                and any(cue.end <= s < q.number_start for s in others)):
            cue = None  # these name one value: a dose written between the cue and this one took it
        if cue is not None and cue.label_ == "TYPICAL":
            # "the starting dose is usually 0.25 mg": the specific cue wins
            specific = self._cue_before(index, cue.start + 1, sent, clauses, clause, ("START", "TARGET", "MAX", "INCREMENT"), 5)
            if specific is not None:
                cue = specific
        value_end = q.per_end or q.end  # "4 mg in 24 hours is the most": look past the per-day marker
        after = self._cue_after(doc, index, value_end, sent, clauses, clause, ("MAX", "START", "TARGET"), 12, any_clause=True)
        if after is not None:
            between = doc[value_end:after.start]
            # "4 mg (maximum dose)", "4 mg a day -- the FDA's upper limit": an aside naming the value
            appositive = len(between) <= 7 and any(t.text in ("(", "—", "–", "-") for t in between)
            same_clause = clauses[after.start - sent.start] == clause
            if appositive or (cue is None and same_clause):
                cue = after
        if cue is None:
            cue = self._header_cue(index, doc[q.start].idx, DOSE_CUES, explain)
        if cue is None:
            cue = self._neighbor_cue(index, doc[q.start].idx, DOSE_CUES, explain)
        if cue is None:
            # "the 0.25 mg to 4 mg daily range", "a 1-2 mg dose range"
            typical = self._cue_after(doc, index, q.end, sent, clauses, clause, ("TYPICAL",), 2)
            if typical is not None and typical.text.lower() in ("range", "dose range", "dosage range", "ranges"):
                cue = typical
        if q.value.high is None and self._prohibited(doc, q, sent, clauses, clause):
            # "doses above 10 mg a day are not recommended": the value is a ceiling
            q.value = Range(q.value.low, q.value.low)
            explain["attribute"] = f"'{q.bound}' a value, then a prohibition: a maximum"
            return "dose.max"
        if q.value.high is None:
            # "above 4 mg", "more than 4 mg" speak of doses beyond a value, not of the value itself
            explain["attribute"] = f"lower-bounded ('{q.bound}'): a dose mentioned, not a limit or a start"
            return "dose.mention"
        if cue is None:
            if q.bound and q.value.low is None and q.bound.lower() in CEILING_BOUNDS:
                # "can take up to 6 mg a day", "no more than 4 mg": a ceiling is a maximum
                explain["attribute"] = f"upper bound '{q.bound}' with no other cue: a maximum"
                return "dose.max"
            explain["attribute"] = "dose with no attribute cue"
            return "dose.mention"
        if cue.label_ == "INCREMENT" and q.start - cue.end > 4:
            explain["attribute"] = "dose with no attribute cue"
            return "dose.mention"
        explain["attribute"] = f"cue '{cue.text}' ({cue.label_.lower()})"
        return DOSE_ATTRIBUTE[cue.label_]

    def _time_attribute(self, doc, index, q, sent, clauses, clause, explain) -> str | None:
        unit = q.unit
        # ages are not claims: "aged 65 years", "children under 6 years old"
        for cue in index.cues_in(sent, ("AGE",)):
            if q.start - 3 <= cue.start <= q.end + 1 and clauses[cue.start - sent.start] == clause:
                return None
        if unit in ("year", "month") and q.start > 0 and doc[q.start - 1].lower_ in ("over", "under", "aged", "age", "ages"):
            return None
        labels = tuple(label for label, (_, units) in TIME_CUES.items() if unit in units)
        if not labels:
            return None
        before = self._cue_before(index, q.number_start, sent, clauses, clause, labels, 12)
        after = self._cue_after(doc, index, q.end, sent, clauses, clause, labels, 5)
        cue = None
        if before is not None and after is not None:
            cue = before if (q.start - before.end) <= (after.start - q.end) else after
        else:
            cue = before or after
        if cue is None:
            cue = self._header_cue(index, doc[q.start].idx, labels, explain)
        if cue is None:
            cue = self._neighbor_cue(index, doc[q.start].idx, labels, explain)
        if cue is None and q.bound == "within" and unit in ("minute", "hour") and (
            {t.lower_ for t in sent if clauses[t.i - sent.start] == clause} & EFFECT_WORDS
            or any(clauses[m.start - sent.start] == clause for m in index.drugs_in(sent))
        ):
            explain["attribute"] = "'within' a few minutes or hours of taking a drug: time to effect"
            return "onset"
        if cue is None and unit in ("hour", "minute"):
            after = doc[q.end:min(sent.end, q.end + 7)]
            if any(t.lower_ == "before" for t in after[:2]) and any(
                t.lower_ in ("bed", "bedtime", "sleep", "asleep", "sleeping") for t in after
            ):
                explain["attribute"] = "taken some time before sleep: time to effect"
                return "onset"
            if q.start > 0 and doc[q.start - 1].lower_ == "for":
                explain["attribute"] = "'for' a span of hours: how long the effect lasts"
                return "duration.effect"
        if cue is None and unit in ("day", "week", "month", "year"):
            first = q.start if q.bound is None else q.number_start
            prev = doc[q.start - 1].lower_ if q.start > sent.start else ""
            if first != q.start and first > sent.start:
                prev = prev or doc[first - 1].lower_
            nxt = doc[q.end].lower_ if q.end < sent.end else ""
            if nxt in NOT_A_SPAN_AFTER or (q.end < sent.end and doc[q.end].text == "-"):
                return None
            clause_words = {t.lower_ for t in sent if clauses[t.i - sent.start] == clause}
            treated = bool(clause_words & TREATMENT_WORDS) or any(
                clauses[m.start - sent.start] == clause for m in index.drugs_in(sent))
            if treated and (prev in SPAN_BEFORE or q.bound is not None or nxt in ("of", "to", "for", "before", "until")):
                explain["attribute"] = f"a span of {unit}s ('{prev or nxt}'): how long a course takes"
                return "treatment.duration"
        if cue is None:
            return None
        if cue.label_ == "TREATMENT" and cue.text.lower() in ("after", "up to") and unit == "day" and index.cues_in(sent, ("INCREMENT", "TARGET")):
            return None  # "increase after 3 days" is the pace of a titration, not a claim of its own
        attribute = TIME_CUES[cue.label_][0]
        if attribute == "treatment.duration" and index.cues_in(sent, ("INCIDENCE",)) and any(
            c.text.lower() in ("withdrawal",) for c in index.cues_in(sent, ("INCIDENCE",))
        ) and cue.text.lower() not in ("treatment", "therapy", "course", "for full effect", "full effect"):
            return None  # how long withdrawal lasts is not how long a course lasts
        explain["attribute"] = f"cue '{cue.text}' ({cue.label_.lower()}) with a time in {unit}s"
        return attribute

    def _percent_attribute(self, doc, index, q, sent, clauses, clause, explain) -> str | None:
        for cue in index.cues_in(sent, ("NOT_CLAIM_PERCENT",)):
            if clauses[cue.start - sent.start] == clause:
                return None
        if q.start > 0 and doc[q.start - 1].text in ("$", "£", "€"):
            return None
        cues = [c for c in index.cues_in(sent, ("EFFICACY", "INCIDENCE")) if clauses[c.start - sent.start] == clause]
        if not any(self._speaks_of_people(index, span) for span in self._percent_context(doc, index, q, sent)):
            return None  # "100% confidential", "save 20%": a share of nothing the article measures
        if cues:
            nearest = min(cues, key=lambda c: min(abs(c.start - q.end), abs(q.start - c.end)))
            explain["attribute"] = f"nearest cue '{nearest.text}' ({nearest.label_.lower()})"
            return nearest.label_.lower()
        if any(c.label_ == "EFFICACY" for c in index.cues_in(sent, ("EFFICACY",))):
            explain["attribute"] = "an efficacy cue in the sentence"
            return "efficacy"
        explain["attribute"] = "a share of people with no efficacy cue: incidence"
        return "incidence"

    # -- dosing ----------------------------------------------------------------------
    def _dosing(self, doc, index, q, freq, sent, clauses, clause, draft, previous_per) -> None:
        per = q.per
        if per is not None:
            draft.explain["per"] = f"marker '{q.per_marker}'"
        if freq is not None:
            draft.frequency = freq.value
            draft.explain["frequency"] = f"'{doc[freq.start:freq.end].text}' after the dose"
            if per is None:
                per = "day" if freq.kind == "divided" else "dose"
                draft.explain["per"] = f"frequency '{doc[freq.start:freq.end].text}' makes it one dose"
        if per is None:
            # "a 1 mg dose", "as a single dose", "starting dose: 0.25 mg"
            for tok in doc[max(sent.start, q.start - 3):min(sent.end, q.end + 16)]:
                if clauses[tok.i - sent.start] != clause:
                    continue
                if (tok.lower_ in DOSE_WORDS - {"dosage"}
                        and not (tok.i > 0 and doc[tok.i - 1].lower_ in ("daily", "total", "day"))
                        and (tok.i < q.start or tok.i - q.end <= 3
                             or doc[tok.i - 1].lower_ in ("starting", "single", "initial"))):
                    per = "dose"
                    draft.explain["per"] = f"the word '{tok.text}' next to it"
                    break
        if per is None:
            # "the daily total can reach 10 mg", "total daily dose ... 4 mg"
            words = [t.lower_ for t in doc[sent.start:q.start] if clauses[t.i - sent.start] == clause]
            pairs = set(itertools.pairwise(words))
            if pairs & {("daily", "total"), ("total", "daily"), ("daily", "dose"), ("daily", "amount"),
                        ("daily", "maximum"), ("maximum", "daily"), ("daily", "limit")}:
                per = "day"
                draft.explain["per"] = "a daily total named before it in its clause"
        if per is None:
            # "Maximum | 4 mg | per day": the per-day wording in the next cell of the row
            for cell in index.next_cells(doc[q.start].idx)[:1]:
                words = " ".join(t.lower_ for t in cell[:3])
                if words.startswith(("per day", "daily", "a day", "/day", "each day", "every day", "in 24 hours")):
                    per = "day"
                    draft.explain["per"] = f"'{cell.text[:20]}' in the next cell of its row"
        if per is None:
            # a column headed "Daily total" holds daily amounts; "Morning", "Bedtime" single doses
            for header in index.header_spans(doc[q.start].idx)[:1]:
                words = {t.lower_ for t in header}
                if words & {"daily", "day", "total", "/day", "24"}:
                    per = "day"
                elif words & {"morning", "bedtime", "evening", "night", "am", "pm", "dose", "noon", "midday"}:
                    per = "dose"
                if per is not None:
                    draft.explain["per"] = f"its column header '{header.text[:30]}'"
        if per is None and draft.attribute == "dose.start":
            per = "dose"  # "start at 5 mg": a starting dose is one administration
            draft.explain["per"] = "a starting dose is one dose"
        key = sent.start
        if per is None and key in previous_per:
            per = previous_per[key][0]
            draft.explain["per"] = "as the dose before it in the same sentence"
        if (per is not None and q.per is not None) or (per == "dose" and "word" in draft.explain.get("per", "")):
            previous_per[key] = (per, q.start)
        draft.per = per
        value = draft.value
        if per == "day":
            draft.daily = value
        elif per == "dose" and draft.frequency is not None and value.high is not None and value.low is not None:
            f = draft.frequency
            draft.daily = Range(value.low * (f.low or 1), value.high * (f.high or f.low or 1))

    # -- context ---------------------------------------------------------------------
    def _context(self, doc, index, start, end, sent, clauses, clause, draft) -> None:
        draft.heading = self._heading_text(index, doc[start].idx)
        draft.formulation = self._formulation(doc, index, start, sent, draft.heading)
        self._resolve_drug(doc, index, start, end, sent, clauses, clause, draft)
        draft.indication = self._nearest_term(doc, index, index.indications, start, sent, clauses, clause, draft, "indication")
        draft.population = self._nearest_term(doc, index, index.populations, start, sent, clauses, clause, draft, "population")
        self._negation_and_hypothesis(doc, index, start, end, sent, clauses, clause, draft)
        self._citation(doc, index, sent, draft)

    def _heading_text(self, index, char) -> str | None:
        b = index.block_index(char)
        if b < 0:
            return None
        h = index.heading_block[b]
        if h < 0:
            return None
        blk = index.blocks[h]
        return index.text[blk.start:blk.end].strip()

    def _block_span(self, index, b) -> Span | None:
        blk = index.blocks[b]
        return index.doc.char_span(blk.start, blk.end, alignment_mode="expand")

    def _resolve_drug(self, doc, index, start, end, sent, clauses, clause, draft) -> None:
        mentions = index.drugs_in(sent)
        chosen, how = None, None
        if mentions:
            # attached: "4 mg of clonazepam", "clonazepam 0.5 mg", "Klonopin (clonazepam) 1 mg"
            for m in mentions:
                if 0 <= m.start - end <= 2 and all(t.lower_ in ("of", "(", "the", "for") for t in doc[end:m.start]):
                    chosen, how = m, "named right after the value"
                    break
                tail = doc[end:m.start]
                if 0 < len(tail) <= 7 and tail[-1].lower_ == "for" and not any(
                        t.like_num and t.lower_ not in FREQ_NUMBER_WORDS for t in tail) and not index.drugs_in(tail):
                    # "0.25 mg twice a day for Klonopin", "about 11 hours for Xanax"
                    chosen, how = m, "named after the value with 'for'"
                    break
                if 0 <= start - m.end <= 1:
                    chosen, how = m, "named right before the value"
                    break
            if chosen is None:
                before = [m for m in mentions if m.end <= start and clauses[m.start - sent.start] == clause]
                before = [m for m in before if not self._comparator(doc, m)]
                if before:
                    chosen, how = before[-1], "nearest before the value in its clause"
            if chosen is None:
                same = [m for m in mentions if clauses[m.start - sent.start] == clause and not self._comparator(doc, m)]
                if same:
                    chosen, how = same[0], "named in the same clause"
            if chosen is None:
                primary = [m for m in mentions if not self._comparator(doc, m)]
                if primary:
                    chosen, how = primary[0], "named in the same sentence"
        inherited = chosen is None
        if chosen is None:
            for header in index.header_spans(doc[start].idx):
                names = index.drugs_in(header)
                if names:
                    chosen, how = names[0], "named in its table header"
                    inherited = False
                    break
        if chosen is None:
            b = index.block_index(doc[start].idx)
            h = index.heading_block[b] if b >= 0 else -1
            if h >= 0:
                span = self._block_span(index, h)
                if span is not None:
                    names = index.drugs_in(span)
                    if names:
                        chosen, how = names[0], "named in the section heading"
            if chosen is None and b >= 0:
                blk = index.blocks[b]
                prior = [m for m in index.drugs if blk.start <= m.start_char < sent.start_char]
                if prior:
                    last_sent = index.sentence(prior[-1].start)
                    candidates = [m for m in prior if m.start >= last_sent.start]
                    candidates = [m for m in candidates if not self._comparator(doc, m)] or candidates
                    chosen, how = self._specific(candidates), "named earlier in the paragraph"
        if chosen is not None and chosen.id_ == "class" and mentions:
            # "clonazepam, the most commonly prescribed benzodiazepine, ...": the drug, not its class
            members = [m for m in mentions if m.id_ != "class" and not self._comparator(doc, m)
                       and chosen.label_ in self.lexicon.classes_of(m.label_)]
            if members:
                chosen, how = members[0], "named in the same sentence (a member of the class named nearer)"
        if chosen is None:
            draft.drug = index.main_drug
            draft.explain["drug"] = "the article's main drug" if index.main_drug else "no drug named"
        else:
            name = chosen.label_
            if inherited and chosen.id_ == "class" and index.main_drug and name in self.lexicon.classes_of(index.main_drug):
                name = index.main_drug
                how += " (a class; the article's main drug belongs to it)"
            draft.drug = name
            draft.explain["drug"] = f"'{chosen.text}' {how}"
        if draft.drug:
            classes = self.lexicon.classes_of(draft.drug)
            draft.drug_class = classes[0] if classes else None

    @staticmethod
    def _formulation(doc, index, start, sent, heading: str | None) -> str | None:
        """ "Xanax XR", "extended-release", "Ambien CR" in the sentence, its table headers or its heading."""
        places = [sent, *index.header_spans(doc[start].idx)]
        for span in places:
            words = [t.text for t in span]
            lowered = " ".join(w.lower() for w in words)
            if any(w in EXTENDED_CODES for w in words) or any(p in lowered for p in EXTENDED_PHRASES):
                return "extended-release"
        if heading and (any(w in EXTENDED_CODES for w in heading.replace("(", " ").replace(")", " ").split())
                        or any(p in heading.lower() for p in EXTENDED_PHRASES)):
            return "extended-release"
        return None

    @staticmethod
    def _specific(mentions: list[Span]) -> Span:
        """The first drug named, before any class."""
        return next((m for m in mentions if m.id_ != "class"), mentions[0])

    @staticmethod
    def _comparator(doc, mention: Span) -> bool:
        """ "than diazepam", "unlike alprazolam", "compared with lorazepam": a drug named for contrast."""
        prev = [t.lower_ for t in doc[max(0, mention.start - 2):mention.start]]
        if set(prev) & {"than", "unlike", "versus", "vs", "vs.", "compared", "like", "including", "include", "includes"}:
            return True
        # "someone who has never taken a benzodiazepine": a class named in general, not the subject
        return mention.id_ == "class" and bool(prev) and prev[-1] in ("a", "an", "another", "any", "other")

    def _nearest_term(self, doc, index, spans, start, sent, clauses, clause, draft, key) -> str | None:
        in_sent = [s for s in spans if sent.start <= s.start < sent.end]
        # "for reasons other than sleep": a negated term says nothing about this claim
        in_sent = [s for s in in_sent if not ({t.lower_ for t in doc[max(sent.start, s.start - 2):s.start]} & {"than", "not", "without"})]
        # a term after a contrast speaks of its own clause: "starts at 2-3 mg; older adults begin at 1 mg"
        in_sent = [s for s in in_sent if s.end <= start or not any(
            t.text == ";" or t.lower_ in CONTRASTS for t in doc[start:s.start])]
        if in_sent:
            before = [s for s in in_sent if s.end <= start]
            chosen = before[-1] if before else in_sent[0]
            group = self._coordinated(doc, in_sent, chosen)
            if key == "indication":
                draft.indications = list(dict.fromkeys(s.label_ for s in group))
            draft.explain[key] = f"'{group[0].text}' in the sentence" + (
                f" (with {', '.join(repr(s.text) for s in group[1:])})" if len(group) > 1 else "")
            return group[0].label_
        for header in reversed(index.header_spans(doc[start].idx)):
            found = [s for s in spans if header.start <= s.start < header.end]
            if found:
                draft.explain[key] = f"'{found[0].text}' in its table header"
                return found[0].label_
        # a list introduced by "... for panic disorder follows this pattern:" carries its context
        b = index.block_index(doc[start].idx)
        if b > 0:
            blk = index.blocks[b]
            j = b - 1
            steps = 0
            while j >= 0 and steps < 8 and index.blocks[j].kind not in ("heading", "title"):
                prev = index.blocks[j]
                text = index.text[prev.start:prev.end].rstrip()
                if text.endswith(":"):
                    found = [s for s in spans if prev.start <= s.start_char < prev.end]
                    if found:
                        draft.explain[key] = f"'{found[-1].text}' in the list's introduction"
                        return found[-1].label_
                    break
                if len(text) > 160 or blk.kind not in ("list_item", "paragraph", "table_cell"):
                    break
                j -= 1
                steps += 1
            h = index.heading_block[b]
            while h >= 0:
                hb = index.blocks[h]
                found = [s for s in spans if hb.start <= s.start_char < hb.end]
                if found:
                    draft.explain[key] = f"'{found[0].text}' in the heading '{index.text[hb.start:hb.end].strip()[:40]}'"
                    return found[0].label_
                h = index.parent_heading[h]
        # an article whose title names one indication speaks of it throughout
        title = index.title_terms(spans)
        if len({s.label_ for s in title}) == 1:
            draft.explain[key] = f"'{title[0].text}' in the title"
            return title[0].label_
        return None

    @staticmethod
    def _coordinated(doc, spans: list[Span], chosen: Span) -> list[Span]:
        """ "panic disorder, PTSD and social anxiety": the terms listed together with ``chosen``."""
        i = spans.index(chosen)
        lo = hi = i
        joiners = {",", "and", "or", "/", "&", "as", "well"}
        while lo > 0 and all(t.lower_ in joiners for t in doc[spans[lo - 1].end:spans[lo].start]):
            lo -= 1
        while hi + 1 < len(spans) and all(t.lower_ in joiners for t in doc[spans[hi].end:spans[hi + 1].start]):
            hi += 1
        return spans[lo:hi + 1]

    def _negation_and_hypothesis(self, doc, index, start, end, sent, clauses, clause, draft) -> None:
        cues = index.cues_in(sent, ("NEGATION", "PSEUDO", "HYPOTHETICAL", "PERMISSIVE", "MAX"))
        blocked = set()
        for c in cues:
            if c.label_ in ("PSEUDO", "PERMISSIVE", "MAX"):
                blocked.update(range(c.start, c.end))
            elif c.label_ == "HYPOTHETICAL" and c.text.lower() in ("may", "can") and c.end + 1 < sent.end:
                # "may be moved up to 15 mg", "may be switched": an instruction in the passive, not a hypothesis
                be, verb = doc[c.end], doc[c.end + 1]
                if be.lower_ == "be" and verb.is_alpha and (verb.lower_.endswith("ed") or verb.lower_ in PARTICIPLES):
                    blocked.add(c.start)
        for c in cues:
            if c.label_ != "NEGATION" or c.start in blocked:
                continue
            if clauses[c.start - sent.start] == clause and c.end <= start and start - c.end <= 8:
                draft.negated = True
                draft.explain["negated"] = f"'{c.text}' before it in its clause"
                break
        if not draft.negated:
            # "10 mg (of zolpidem) is not the recommended dose"
            after = []
            for t in doc[end:min(sent.end, end + 7)]:
                if t.is_punct:
                    break
                after.append(t.lower_)
            for k in range(len(after) - 1):
                if after[k] in ("is", "was", "are", "'s") and after[k + 1] in ("not", "n't", "never"):
                    draft.negated = True
                    draft.explain["negated"] = f"'{after[k]} {after[k + 1]}' right after it"
                    break
                if after[k] not in ("of", "the") and not index.drugs_in(doc[end + k:end + k + 1]):
                    break
        for c in cues:
            if c.label_ != "HYPOTHETICAL" or c.start in blocked:
                continue
            whole_sentence = c.text.lower() in ("if", "unless", "in case", "should you", "in the event") and c.start - sent.start <= 1
            # "If A, B, and C": the condition covers A and its main clause B, not a clause joined after
            if (whole_sentence and clause <= clauses[c.start - sent.start] + 1) or clauses[c.start - sent.start] == clause:
                if c.text.lower() in ("if", "unless", "whether", "in case") and not whole_sentence and c.start > end:
                    continue  # "take 1 mg if ..." : the condition is on what follows, not on the dose
                draft.hypothetical = True
                draft.explain["hypothetical"] = f"'{c.text}' {'opens the sentence' if whole_sentence else 'in its clause'}"
                break

    def _citation(self, doc, index, sent, draft) -> None:
        cues = index.cues_in(sent, ("CITATION",))
        if cues:
            draft.cited = True
            draft.explain["cited"] = f"'{cues[0].text}'"
            return
        for link_start, link_end in index.links:
            if link_start < sent.end_char and sent.start_char < link_end:
                draft.cited = True
                draft.explain["cited"] = "a link in the sentence"
                return

    def _effect(self, doc, index, q, sent, clauses, clause, attribute) -> str | None:
        if attribute == "efficacy":
            cues = index.cues_in(sent, ("EFFICACY",))
            words = {c.text.lower() for c in cues}
            if words & {"relieve", "relieves", "relieved", "relief"}:
                return "symptom relief"
            for name in ("remission", "response", "improvement"):
                if any(name[:6] in w for w in words):
                    return name
            return cues[0].text.lower() if cues else None
        # object of "experience", "report", "develop" after the value
        for tok in doc[q.end:sent.end]:
            if clauses[tok.i - sent.start] != clause:
                break
            if tok.lower_ in EFFECT_VERBS:
                words = []
                for t in doc[tok.i + 1:sent.end]:
                    if t.lower_ in EFFECT_STOP or t.is_punct:
                        if words:
                            break
                        continue
                    if not words and t.lower_ in DETERMINERS:
                        continue
                    words.append(t.lower_)
                    if len(words) >= 4:
                        break
                if words:
                    return " ".join(words)
        # subject before "occurs in 40%", "affects 1 in 3"
        words = []
        for t in doc[sent.start:q.start]:
            if t.lower_ in ("in", "affects", "affect", "occurs", "occur", "was", "were", "is", "are", "reported", "seen", "about", "around", "up", "to", "nearly", "approximately"):
                break
            if t.is_punct or t.lower_ in DETERMINERS:
                if words:
                    break
                continue
            words.append(t.lower_)
        if words and len(words) <= 4 and not index.lexicon.drug_terms.get(words[0]):
            return " ".join(words)
        return None


@Language.factory("claim_builder", default_config={"lexicon_paths": []})
def make_claim_builder(nlp: Language, name: str, lexicon_paths: list[str]) -> ClaimBuilder:
    """spaCy factory for :class:`ClaimBuilder`."""
    return ClaimBuilder(nlp, name, cached_lexicon(tuple(lexicon_paths)))
