"""The ``claim_builder`` component: quantities + cues + terms -> typed claims.

For every quantity (and every frequency not attached to a dose) it decides, with the rules of
attributes.py and context.py, each of which leaves a note in ``Claim.explain``:

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

from spacy.language import Language
from spacy.tokens import Doc

from ..claims import Claim, Range
from ..lexicon import Lexicon
from .attributes import dose_attribute, effect, other_substance, percent_attribute, time_attribute
from .bounds import is_age_bound
from .context import resolve_context
from .doc_index import DocIndex
from .quantities import Frequency, Quantity
from .terms import cached_lexicon
from .words import (
    DOSE_WORDS,
)

_DOSE_NOUNS = DOSE_WORDS - {"dosage"}

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)


class ClaimBuilder:
    """Builds claim drafts (see module docstring)."""

    def __init__(self, nlp: Language, name: str, lexicon: Lexicon) -> None:
        self.name = name
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        index = DocIndex(doc, self.lexicon)
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
                if index.row_mates(index.tokens.idx[q.start], index.tokens.idx[f.start]) and not _other_dose_before(
                        doc, index, doses, starts, q, f):
                    out[id(q)] = f
                continue
            between = range(q.end, f.start)
            t = index.tokens
            words = [k for k in between if not t.is_punct[k]]
            if len(words) > 6 or any(t.text[k] in (";", ":") for k in between):
                continue
            if any(t.like_num[k] for k in between) and not (
                f.kind == "bedtime" and all(t.like_num[k] or t.lower[k] in ("minutes", "minute", "hours", "hour", "min", ",")
                                            for k in between)
            ):
                continue
            out[id(q)] = f
        return out

    def _quantity_claim(self, doc, index, q: Quantity, freq: Frequency | None, previous_per) -> Claim | None:
        b = index.block_index(index.tokens.idx[q.start])
        if b >= 0 and index.blocks[b].in_sources:
            return None
        if q.dimension in ("mass", "mass_per_kg") and other_substance(doc, index, q):
            return None  # "95 mg of caffeine", "2,300 mg of sodium": not a dose of a medicine
        sent = index.sentence(q.start)
        clauses = index.clause_ids(sent)
        clause = clauses[q.start - sent.start]
        explain: dict[str, str] = {}
        dim = q.dimension
        value = q.value
        if dim in ("mass", "mass_per_kg"):
            attribute = dose_attribute(doc, index, q, sent, clauses, clause, explain)
        elif dim == "time":
            if is_age_bound(doc, index, q.start, q.end, q.unit):
                return None  # "children up to 10 years": who a dose is for, not a claim
            attribute = time_attribute(doc, index, q, sent, clauses, clause, explain)
        else:
            attribute = percent_attribute(doc, index, q, sent, clauses, clause, explain)
        if attribute is None:
            return None
        value = q.value  # the attribute rules may settle the value ("above 4 mg ... not recommended": 4 mg)
        if attribute == "dose.max" and value.low is None and value.high is not None:
            value = Range(value.high, value.high)
            explain["value"] = "a maximum is the limit itself"
        draft = Claim(
            path="",
            location={},
            start=index.tokens.idx[q.start],
            end=index.tokens.idx[q.end - 1] + len(index.tokens.text[q.end - 1]),
            sentence=index.text[sent.start_char:sent.end_char].strip(),
            attribute=attribute,
            value=value,
            unit=q.unit,
            explain=explain,
        )
        if dim in ("mass", "mass_per_kg"):
            self._dosing(doc, index, q, freq, sent, clauses, clause, draft, previous_per)
        resolve_context(doc, index, q.start, q.end, sent, clauses, clause, draft)
        if attribute in ("incidence", "efficacy"):
            draft.effect = q.row_label or effect(doc, index, q, sent, clauses, clause, attribute)
        if q.placebo:
            draft.drug, draft.drug_class = None, None
            draft.explain["drug"] = "the placebo arm of its table"
        return draft

    def _frequency_claim(self, doc, index, f: Frequency) -> Claim | None:
        b = index.block_index(index.tokens.idx[f.start])
        if b >= 0 and index.blocks[b].in_sources:
            return None
        sent = index.sentence(f.start)
        clauses = index.clause_ids(sent)
        clause = clauses[f.start - sent.start]
        draft = Claim(
            path="",
            location={},
            start=index.tokens.idx[f.start],
            end=index.tokens.idx[f.end - 1] + len(index.tokens.text[f.end - 1]),
            sentence=index.text[sent.start_char:sent.end_char].strip(),
            attribute="frequency",
            value=f.value,
            unit="per_day",
            explain={"attribute": f"frequency phrase '{doc[f.start:f.end].text}' not attached to a dose"},
        )
        resolve_context(doc, index, f.start, f.end, sent, clauses, clause, draft)
        return draft

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
        if freq is None and q.tablets is not None:
            # "three 1 mg tablets a day": three doses a day
            draft.frequency = Range(q.tablets, q.tablets)
            draft.explain["frequency"] = f"{q.tablets:g} tablets a day"
            if q.tablets != 1:
                per = "dose"
                draft.explain["per"] = "a count of tablets a day: one tablet is one dose"
        if per is None:
            # "a 1 mg dose", "as a single dose", "starting dose: 0.25 mg"
            lower = index.tokens.lower
            for i in range(max(sent.start, q.start - 3), min(sent.end, q.end + 16)):
                if clauses[i - sent.start] != clause:
                    continue
                if (lower[i] in _DOSE_NOUNS
                        and not (i > 0 and lower[i - 1] in ("daily", "total", "day"))
                        and (i < q.start or i - q.end <= 3
                             or lower[i - 1] in ("starting", "single", "initial"))):
                    per = "dose"
                    draft.explain["per"] = f"the word '{index.tokens.text[i]}' next to it"
                    break
        if per is None:
            # "the daily total can reach 10 mg", "total daily dose ... 4 mg"
            words = [w for w, c in zip(index.tokens.lower[sent.start:q.start], clauses, strict=False) if c == clause]
            pairs = set(itertools.pairwise(words))
            if pairs & {("daily", "total"), ("total", "daily"), ("daily", "dose"), ("daily", "amount"),
                        ("daily", "maximum"), ("maximum", "daily"), ("daily", "limit")}:
                per = "day"
                draft.explain["per"] = "a daily total named before it in its clause"
        if per is None:
            # "Maximum | 4 mg | per day": the per-day wording in the next cell of the row
            for cell in index.next_cells(index.tokens.idx[q.start])[:1]:
                words = " ".join(t.lower_ for t in cell[:3])
                if words.startswith(("per day", "daily", "a day", "/day", "each day", "every day", "in 24 hours")):
                    per = "day"
                    draft.explain["per"] = f"'{cell.text[:20]}' in the next cell of its row"
        if per is None:
            # a column headed "Daily total" holds daily amounts; "Morning", "Bedtime" single doses
            for header in index.header_spans(index.tokens.idx[q.start])[:1]:
                words = {t.lower_ for t in header}
                if words & {"daily", "day", "total", "/day", "24"}:
                    per = "day"
                elif words & {"morning", "bedtime", "evening", "night", "am", "pm", "dose", "noon", "midday"}:
                    per = "dose"
                if per is not None:
                    draft.explain["per"] = f"its column header '{header.text[:30]}'"
        if per is None and q.unit == "mg/kg":
            per = "dose"  # "0.2 mg/kg": a dose by weight is one administration unless a day is named
            draft.explain["per"] = "a dose by body weight with no per-day marker"
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


def _other_dose_before(doc, index, doses, starts, q, f) -> bool:
    """A dose other than ``q`` stands in the cell of frequency ``f``, before it."""
    cell = index.cell_start(index.tokens.idx[f.start])
    m = bisect.bisect_left(starts, f.start) - 1
    while m >= 0 and index.tokens.idx[doses[m].start] >= cell:
        if doses[m] is not q:
            return True
        m -= 1
    return False


@Language.factory("claim_builder", default_config={"lexicon_paths": []})
def make_claim_builder(nlp: Language, name: str, lexicon_paths: list[str]) -> ClaimBuilder:
    """spaCy factory for :class:`ClaimBuilder`."""
    return ClaimBuilder(nlp, name, cached_lexicon(tuple(lexicon_paths)))
