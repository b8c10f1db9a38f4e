"""What a number is: the attribute of a claim, from the cues around it.

Each function reads one quantity in its sentence and returns the attribute (``dose.start``,
``half_life``, ``incidence`` ...) or None when the number is not a claim, and notes why in the
claim's ``explain``. A cue in the value's own clause counts first, then a cue right after the
value ("4 mg (maximum dose)"), then a table header or the line beside a bare value.
"""

from __future__ import annotations

from spacy.tokens import Span

from ..claims import Range
from .quantities import Quantity
from .token_table import token_table
from .words import (
    CEILING_BOUNDS,
    CHANGE_VERBS,
    CONDITION_VERBS,
    DETACHING,
    DETERMINERS,
    DOSE_ATTRIBUTE,
    DOSE_CUES,
    EFFECT_STOP,
    EFFECT_VERBS,
    EFFECT_WORDS,
    INTERVAL_WORDS,
    MEDICINE_WORDS,
    MODALS,
    NOT_A_SPAN_AFTER,
    ON_OBJECTS,
    PEOPLE_WORDS,
    PERMITTED_BOUNDS,
    PROHIBITIONS,
    RELIEF_VERBS,
    SLEEP_WORDS,
    SPAN_BEFORE,
    SPAN_DETERMINERS,
    START_AFTER_ONLY,
    SUBJECT_PRONOUNS,
    TAKING_VERBS,
    TIME_CUES,
    TREATMENT_WORDS,
    WEAK_TREATMENT_CUES,
)


def cue_before(index, q_start, sent, clauses, clause, labels, max_distance=15):
    """The nearest cue with one of ``labels`` before the value, in its clause."""
    best = None
    for cue in index.cues_in(sent, labels):
        if cue.end > q_start or clauses[cue.start - sent.start] != clause:
            continue
        if q_start - cue.end > max_distance:
            continue
        if best is None or cue.end > best.end or (cue.end == best.end and len(cue) > len(best)):
            best = cue
    return best


def cue_after(doc, index, q_end, sent, clauses, clause, labels, max_distance=8, any_clause=False):
    for cue in index.cues_in(sent, labels):
        if cue.start < q_end:
            continue
        if cue.start - q_end > max_distance:
            break
        if not any_clause and clauses[cue.start - sent.start] != clause:
            continue
        t = token_table(doc)
        if any(t.lower[k] in DETACHING or t.like_num[k] for k in range(q_end, cue.start)):
            continue
        return cue
    return None


def prohibited(doc, q, sent, clauses, clause) -> bool:
    """The clause says doses beyond the value must not be taken ("are not recommended")."""
    lower = token_table(doc).lower
    words = [w for w, c in zip(lower[sent.start:sent.end], clauses, strict=True) if c == clause]
    text = " ".join(words)
    return any(p in text for p in PROHIBITIONS)


def speaks_of_people(index, span: Span) -> bool:
    return bool(index.cues_in(span, ("EFFICACY", "INCIDENCE")) or set(token_table(span.doc).lower[span.start:span.end]) & PEOPLE_WORDS
                or index.drugs_in(span))


def percent_context(doc, index, q: Quantity, sent: Span) -> list[Span]:
    """The sentence, and for a line of a list ("Dry mouth: 33.8%"), its introduction and heading."""
    out = [sent]
    b = index.block_index(index.tokens.idx[q.start])
    if b > 0:
        prev = index.blocks[b - 1]
        for k in (b - 1, index.heading_block[b]):
            if k >= 0 and (k != b - 1 or index.text[prev.start:prev.end].rstrip().endswith(":")
                           or index.blocks[b].kind == "list_item"):
                span = index.block_span(k)
                if span is not None:
                    out.append(span)
    return out


def other_substance(doc, index, q: Quantity) -> bool:
    """ "of <word>" after the amount names something that is not a medicine the lexicon knows."""
    j = q.end
    if j + 1 >= len(doc) or doc[j].lower_ != "of":
        return False
    word = doc[j + 1]
    if not word.is_alpha or word.lower_ in MEDICINE_WORDS or word.is_stop:
        return False
    if any(s.start == j + 1 for s in index.drugs_between(j + 1, j + 2)):
        return False
    return word.lower_ not in index.lexicon.drug_terms and word.lower_ not in index.lexicon.class_terms


def header_cue(index, char: int, labels, explain) -> Span | None:
    """In a table cell, a cue in the column header ("Starting dose") or the row header."""
    found = [(header, cue) for header in index.header_spans(char) for cue in index.cues_in(header, tuple(labels))]
    if not found:
        return None
    # a specific cue ("Starting dose") wins over a general one ("Dose", "Usual range")
    header, cue = next(((h, c) for h, c in found if c.label_ != "TYPICAL"), found[0])
    explain["attribute_header"] = f"'{header.text}' heads its table column or row"
    return cue


def neighbor_cue(index, char: int, labels, explain) -> Span | None:
    for span in index.neighbor_spans(char, tuple(labels)):
        cues = index.cues_in(span, tuple(labels))
        if cues:
            explain["attribute_neighbor"] = f"'{span.text[:40]}' on the line beside it"
            return cues[0]
    return None


def step_by(doc, q, sent, clauses, clause) -> str | None:
    """ "by" right before the dose, after a verb of change in the same clause."""
    k = q.start - 1
    if k < sent.start or doc[k].lower_ != "by":
        return None
    for tok in doc[max(sent.start, k - 9):k]:  # "reduce your dose gradually, for example by 25mg"
        if clauses[tok.i - sent.start] == clause and tok.lower_ in CHANGE_VERBS:
            return tok.text
    return None


def permitted_ceiling(doc, q, sent, clauses, clause) -> bool:
    """ "may take as much as 40 mg", "can be given as high as 10 mg": an amount allowed, a ceiling."""
    if q.bound is None or q.value.low is not None or q.bound.lower() not in PERMITTED_BOUNDS:
        return False
    words = [t.lower_ for t in doc[max(sent.start, q.start - 5):q.start] if clauses[t.i - sent.start] == clause]
    if not words or words[-1] not in TAKING_VERBS:
        return False
    return bool(set(words[:-1]) & MODALS)


def negated_cue(doc, cue) -> bool:
    """ "not the highest dose", "isn't the maximum": a cue the sentence denies."""
    prev = set(token_table(doc).lower[max(0, cue.start - 3):cue.start])
    return bool(prev & {"not", "n't", "never", "no"}) and cue.label_ in ("MAX", "START", "TARGET")


def dose_attribute(doc, index, q, sent, clauses, clause, explain) -> str:
    others = [x.start for x in index.doses_in(sent) if x is not q]  # the other doses in its sentence
    cue = cue_before(index, q.number_start, sent, clauses, clause, DOSE_CUES, 15)
    if cue is not None and cue.text.lower() in START_AFTER_ONLY:
        cue = None  # "25 mg for the first week, then 50 mg": the first week names the dose before it
    if q.start < q.number_start and cue is not None and cue.label_ == "MAX" and cue.end >= q.start:
        # the cue is the bound itself ("no more than", "should not exceed"); a step or a start named
        # just before it says what is bounded: "the initial dose ... should not exceed 1.5 mg/day"
        outer = cue_before(index, min(cue.start, q.start), sent, clauses, clause,
                                 ("INCREMENT", "START", "TARGET") if cue.text.lower() not in ("maximum", "max") else (
                                     "INCREMENT", "START"), 8)  # "increase this to a maximum of 30mg": a maximum
        if outer is not None and not any(outer.end <= s < q.start for s in others):
            cue = outer
    step = step_by(doc, q, sent, clauses, clause)
    bound_cue = cue is not None and cue.label_ == "MAX" and cue.start >= q.start
    if step is not None and (cue is None or bound_cue or cue.label_ in ("TYPICAL", "START", "TARGET")):
        # "increase the dose by 0.5 mg", "lowers it by 0.125 mg twice a day"
        explain["attribute"] = f"'by' after '{step}': a titration step"
        return "dose.increment"
    if cue is not None and negated_cue(doc, cue):
        cue = None
    if (cue is not None and cue.label_ in ("START", "INCREMENT", "TARGET")
            and any(cue.end <= s < q.number_start for s in others)):
        cue = None  # these name one value: a dose written between the cue and this one took it
    if cue is not None and cue.label_ == "TYPICAL":
        # "the starting dose is usually 0.25 mg": the specific cue wins
        specific = cue_before(index, cue.start + 1, sent, clauses, clause, ("START", "TARGET", "MAX", "INCREMENT"), 5)
        if specific is not None:
            cue = specific
    value_end = q.per_end or q.end  # "4 mg in 24 hours is the most": look past the per-day marker
    after = cue_after(doc, index, value_end, sent, clauses, clause, ("MAX", "START", "TARGET"), 12, any_clause=True)
    if after is not None:
        between = token_table(doc).text[value_end:after.start]
        # "4 mg (maximum dose)", "4 mg a day -- the FDA's upper limit": an aside naming the value
        appositive = len(between) <= 7 and any(text in ("(", "—", "–", "-") for text in between)
        same_clause = clauses[after.start - sent.start] == clause
        if appositive or (cue is None and same_clause):
            cue = after
    if cue is None:
        cue = header_cue(index, index.tokens.idx[q.start], DOSE_CUES, explain)
    if cue is None:
        cue = neighbor_cue(index, index.tokens.idx[q.start], DOSE_CUES, explain)
    if cue is None:
        # "the 0.25 mg to 4 mg daily range", "a 1-2 mg dose range"
        typical = cue_after(doc, index, q.end, sent, clauses, clause, ("TYPICAL",), 2)
        if typical is not None and typical.text.lower() in ("range", "dose range", "dosage range", "ranges"):
            cue = typical
    if q.value.high is None and prohibited(doc, q, sent, clauses, clause):
        # "doses above 10 mg a day are not recommended": the value is a ceiling
        q.value = Range(q.value.low, q.value.low)
        explain["attribute"] = f"'{q.bound}' a value, then a prohibition: a maximum"
        return "dose.max"
    if q.value.high is None:
        # "above 4 mg", "more than 4 mg" speak of doses beyond a value, not of the value itself
        explain["attribute"] = f"lower-bounded ('{q.bound}'): a dose mentioned, not a limit or a start"
        return "dose.mention"
    if cue is None:
        descriptive = q.start > 0 and doc[q.start - 1].lower_ in ("doses", "dosages", "amounts", "dosing")
        if q.bound and q.value.low is None and q.bound.lower() in CEILING_BOUNDS and not descriptive:
            # "can take up to 6 mg a day", "no more than 4 mg": a ceiling is a maximum
            explain["attribute"] = f"upper bound '{q.bound}' with no other cue: a maximum"
            return "dose.max"
        if permitted_ceiling(doc, q, sent, clauses, clause):
            explain["attribute"] = f"'{q.bound}' an amount someone may take: a maximum"
            return "dose.max"
        explain["attribute"] = "dose with no attribute cue"
        return "dose.mention"
    if cue.label_ == "INCREMENT" and q.start - cue.end > 4:
        explain["attribute"] = "dose with no attribute cue"
        return "dose.mention"
    explain["attribute"] = f"cue '{cue.text}' ({cue.label_.lower()})"
    return DOSE_ATTRIBUTE[cue.label_]


def on_a_drug(doc, index, sent, clauses, clause) -> bool:
    """ "been on it", "on Xanax", "while on them": the clause speaks of being on a medicine."""
    drug_starts = {m.start for m in index.drugs_in(sent)}
    lower = token_table(doc).lower
    for i in range(sent.start, sent.end):
        if lower[i] == "on" and clauses[i - sent.start] == clause and i + 1 < sent.end and (
                lower[i + 1] in ON_OBJECTS or i + 1 in drug_starts):
            return True
    return False


def treatment_context(doc, index, sent, clauses, clause) -> bool:
    """The clause speaks of taking a medicine: a treatment word, a drug named, or being "on" one."""
    norms = token_table(doc).norms(sent.start, sent.end)
    clause_words = {w for w, c in zip(norms, clauses, strict=True) if c == clause}
    return bool(clause_words & TREATMENT_WORDS) or any(
        clauses[m.start - sent.start] == clause for m in index.drugs_in(sent)) or on_a_drug(
        doc, index, sent, clauses, clause)


def span_neighbors(doc, q, sent) -> tuple[str, str, bool]:
    """The word before a span (past a bound and determiners: "for the 16 days"), the word after it,
    and whether a determiner stood between."""
    k = q.start - 1
    skipped = False
    while k > sent.start and doc[k].lower_ in SPAN_DETERMINERS:
        k -= 1
        skipped = True
    prev = doc[k].lower_ if k >= sent.start else ""
    nxt = doc[q.end].lower_ if q.end < sent.end else ""
    return prev, nxt, skipped


def sleep_hours(doc, q, sent) -> bool:
    """ "slept 4 hours", "sleep for 8 hours", "7 hours of sleep": hours of sleep, not of a drug's effect."""
    if q.bound is not None and q.bound.lower() not in ("about", "around", "approximately", "only"):
        return False  # "fall asleep within ten minutes" is how soon it works
    k = q.start - 1
    while k > sent.start and doc[k].lower_ in ("for", "about", "around", "only", "approximately", "maybe", "a", "good"):
        k -= 1
    after = [t.norm_ for t in doc[q.end:min(sent.end, q.end + 3)]]
    return (k >= sent.start and doc[k].norm_ in SLEEP_WORDS) or (
        after[:1] == ["of"] and bool(set(after[1:]) & SLEEP_WORDS)) or (bool(after) and after[0] in ("later", "sleep"))


def condition_span(doc, index, q, sent) -> bool:
    """ "20 years of chronic insomnia", "had anxiety for 10 years": how long someone has had a condition."""
    if not index.indications:
        return False
    if q.end + 1 < sent.end and doc[q.end].lower_ == "of" and any(
            q.end < s.start <= q.end + 3 for s in index.indications):
        return True
    return any(0 <= q.start - s.end <= 3 and {t.norm_ for t in doc[max(sent.start, s.start - 3):s.start]} & CONDITION_VERBS
               for s in index.indications)


def time_attribute(doc, index, q, sent, clauses, clause, explain) -> str | None:
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
    if unit in ("day", "week", "month", "year") and condition_span(doc, index, q, sent):
        return None
    near = set(token_table(doc).norms(max(sent.start, q.start - 5), min(sent.end, q.end + 3)))
    if near & INTERVAL_WORDS:
        return None  # "at least 14 days must elapse between ...": a wait between two drugs, not a course
    if unit in ("hour", "minute") and sleep_hours(doc, q, sent):
        return None
    before = cue_before(index, q.number_start, sent, clauses, clause, labels, 12)
    after = cue_after(doc, index, q.end, sent, clauses, clause, labels, 5)
    cue = None
    if before is not None and after is not None:
        cue = before if (q.start - before.end) <= (after.start - q.end) else after
        weak = {c.label_ for c in (before, after) if c.label_ == "TREATMENT" and c.text.lower() in WEAK_TREATMENT_CUES}
        if weak and {before.label_, after.label_} & {"ONSET", "DURATION"}:
            # "After 3 days, I felt good", "kicked in (after about two weeks)": the verb says what
            cue = before if before.label_ in ("ONSET", "DURATION") else after
    else:
        cue = before or after
    if cue is not None and cue is before and before.label_ == "TREATMENT" and before.text.lower() in WEAK_TREATMENT_CUES:
        # "After 3 days, I felt good": a verb of onset in the clause after the span says what it is
        verb = cue_before(index, before.start, sent, clauses, clause, ("ONSET", "DURATION"), 6) or cue_after(
            doc, index, q.end, sent, clauses, clause, ("ONSET", "DURATION"), 5, any_clause=True)
        if verb is not None and verb.label_ in labels:
            cue = verb
    if cue is None:
        cue = header_cue(index, index.tokens.idx[q.start], labels, explain)
    if cue is None:
        cue = neighbor_cue(index, index.tokens.idx[q.start], labels, explain)
    if cue is None and q.bound == "within" and unit in ("minute", "hour") and (
        {t.norm_ for t in sent if clauses[t.i - sent.start] == clause} & EFFECT_WORDS
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
        prev, nxt, skipped = span_neighbors(doc, q, sent)
        if nxt in NOT_A_SPAN_AFTER or (q.end < sent.end and doc[q.end].text == "-"):
            return None
        on_course = prev in SPAN_BEFORE or q.bound is not None or nxt in ("of", "to", "for", "before", "until") or (
            skipped and nxt in SUBJECT_PRONOUNS) or (  # "over the four years I took it"
            on_a_drug(doc, index, sent, clauses, clause))  # "I've been on it 2 years"
        if on_course and treatment_context(doc, index, sent, clauses, clause):
            explain["attribute"] = f"a span of {unit}s ('{prev or nxt}'): how long a course takes"
            return "treatment.duration"
    if cue is None:
        return None
    if cue.label_ == "TREATMENT" and cue.text.lower() in ("after", "up to") and unit == "day" and index.cues_in(sent, ("INCREMENT", "TARGET")):
        return None  # "increase after 3 days" is the pace of a titration, not a claim of its own
    if cue.label_ == "TREATMENT" and cue.text.lower() in WEAK_TREATMENT_CUES and not treatment_context(
            doc, index, sent, clauses, clause):
        return None  # "after 5 years I am cured": years of a condition, not of a course
    attribute = TIME_CUES[cue.label_][0]
    if attribute == "duration.effect" and q.bound in ("within", "in under", "in less than") and (
            cue.text.lower() in RELIEF_VERBS):
        attribute = "onset"  # "eases anxiety within 30 minutes": how soon, not how long
    if attribute == "onset" and unit in ("week", "month") and cue.text.lower() in ("to work", "to take effect"):
        attribute = "treatment.duration"  # "takes 4 to 6 weeks to work fully": how long a course takes
    if attribute == "treatment.duration" and cue.text.lower() not in (
            "treatment", "therapy", "course", "for full effect", "full effect") and any(
            c.text.lower() == "withdrawal" and (c.end <= q.start or c.start - q.end <= 4)
            for c in index.cues_in(sent, ("INCIDENCE",)) if clauses[c.start - sent.start] == clause):
        return None  # how long withdrawal lasts is not how long a course lasts
    explain["attribute"] = f"cue '{cue.text}' ({cue.label_.lower()}) with a time in {unit}s"
    return attribute


def percent_attribute(doc, index, q, sent, clauses, clause, explain) -> str | None:
    if q.row_label is not None:
        explain["attribute"] = f"a row ('{q.row_label}') of a table of percentages: incidence"
        return "incidence"
    for cue in index.cues_in(sent, ("NOT_CLAIM_PERCENT",)):
        if clauses[cue.start - sent.start] == clause:
            return None
    if q.start > 0 and doc[q.start - 1].text in ("$", "£", "€"):
        return None
    cues = [c for c in index.cues_in(sent, ("EFFICACY", "INCIDENCE")) if clauses[c.start - sent.start] == clause]
    if not any(speaks_of_people(index, span) for span in percent_context(doc, index, q, sent)):
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


def effect(doc, index, q, sent, clauses, clause, attribute) -> str | None:
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
