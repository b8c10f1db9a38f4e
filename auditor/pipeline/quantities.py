"""The ``quantity_recognizer`` component: numbers with units, ranges, bounds and frequencies.

It finds, in one left-to-right pass over the tokens:

- quantities: "0.5 mg", ".5mg", "0.25-2.0 mg", "0.5 mg to 4 mg", "2 or 3 mg", "half a
  milligram", "up to 4 mg", "4 mg or less", "above 4 mg", "8–12 hours", "30%", "10 mg/kg/day";
  each with the per-day or per-dose marker written next to it ("daily", "a day", "/day",
  "in 24 hours", "per dose");
- frequencies: "twice daily", "two to three times per day", "once or twice a day", "bid",
  "every 8 hours", "at bedtime", "in two divided doses";
- intervals: "every 3 days" (the step of a titration, not a frequency).

Results are stored on ``doc._.quantities``, ``doc._.frequencies`` and ``doc._.intervals``, and
as spans in ``doc.spans["quantities"]`` and ``doc.spans["frequencies"]`` for display.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy
from spacy.attrs import LIKE_NUM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..claims import Range
from .numbers import convert_value, is_number_word, read_number, read_unit, unit_dimension
from .table_rows import table_cells, table_regions
from .token_table import token_table

RANGE_SIGNS = {"-", "–", "—", "‐", "‑", "to", "or", "through", "thru"}
FREQ_WORDS = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
DAY_NOUNS = {"day", "daily", "night", "nightly", "24", "evening", "morning"}
LATIN_FREQ = {
    "qd": 1, "q.d": 1, "q.d.": 1, "od": 1, "o.d.": 1, "bid": 2, "b.i.d": 2, "b.i.d.": 2, "bd": 2,
    "tid": 3, "t.i.d": 3, "t.i.d.": 3, "tds": 3, "qid": 4, "q.i.d": 4, "q.i.d.": 4, "qds": 4,
    "qhs": 1, "q.h.s": 1, "q.h.s.": 1,
}


def _can_start_frequency(text: str, low: str) -> bool:
    """Whether a frequency or an interval can start at a token (its text and lowercased text):
    a count, a Latin abbreviation, "every", "in", "into" (bedtime phrases are looked up apart)."""
    return (low in LATIN_FREQ or (low.rstrip(".") in LATIN_FREQ and len(low) > 2)
            or (low.startswith("q") and low[1:].isdigit()) or low in FREQ_WORDS or is_number_word(text, low)
            or low in ("a", "an", "every", "in", "into"))


def _count_may_follow(table, i: int) -> bool:
    """False where "a", "an", "in" or "into" at token ``i`` cannot start a frequency or an interval:
    "a"/"an" counts only as "a half", "a quarter" ("a half tablet twice a day"); "in"/"into" starts
    one only before a count ("in two divided doses"); a bedtime phrase is looked up apart.
    True for every other token (``_frequency_at`` and ``_interval_at`` decide)."""
    low = table.lower[i]
    if low in ("a", "an"):
        return i + 1 < table.n and table.lower[i + 1] in ("half", "quarter")
    if low in ("in", "into"):
        if i + 1 >= table.n:
            return False
        nxt = table.lower[i + 1]
        return nxt in FREQ_WORDS or nxt in ("a", "an") or is_number_word(table.text[i + 1], nxt)
    return True


_FREQUENCY_STARTS: dict[str, bool] = {}  # token text -> _can_start_frequency
_QUANTITY_STARTS: dict[str, bool] = {}  # token text -> _can_start_quantity


def _can_start_quantity(text: str, low: str) -> bool:
    """Whether a quantity can start at a token: a number, or "a", "an", "either"."""
    return is_number_word(text, low) or low in ("a", "an", "either")

PER_KG_SCALE = {"mcg/kg": 0.001, "g/kg": 1000.0}
NEGATORS = {"not", "n't", "never", "no", "nobody"}
# Phrases that bound the number that follows them.
UPPER_BEFORE = [
    "up to", "no more than", "not more than", "not to exceed", "no greater than", "not greater than",
    "at most", "a maximum of", "maximum of", "max of", "less than", "fewer than", "lower than",
    "under", "below", "not exceed", "not exceeding", "never exceed", "as much as", "as high as",
    "no higher than", "not above", "≤", "<", "within", "in under", "in less than", "at or below", "at or under",
    "can be as high as", "can last up to",
]
LOWER_BEFORE = [
    "at least", "more than", "greater than", "over", "above", "in excess of", "exceeding", "exceeds",
    "exceed", "higher than", "upwards of", "≥", ">", "a minimum of", "minimum of", "beyond",
]
UPPER_AFTER = ["or less", "or fewer", "or lower", "or under", "or below", "at most", "maximum", "max"]
LOWER_AFTER = ["or more", "or higher", "or greater", "or above", "or over", "and above", "and up", "+", "or longer"]
PER_DAY_AFTER = [
    "daily", "a day", "per day", "each day", "every day", "/ day", "/day", "/ d", "in 24 hours",
    "per 24 hours", "in a day", "in one day", "a 24-hour period", "in a 24-hour period",
    "over 24 hours", "in total", "total", "in divided doses", "per day in divided doses",
    "/24h", "/ 24 h", "per 24 h", "total per day", "a night", "per night",
]
PER_DOSE_AFTER = [
    "per dose", "each dose", "a dose", "per tablet", "at a time", "at one time", "at once",
    "in the morning", "in the evening", "at night", "at bedtime", "before bed", "before bedtime",
    "per administration", "as a single dose", "single dose", "in the a.m.", "in the am", "in the p.m.",
    "in the pm", "in the afternoon", "during the day", "as needed", "as-needed", "when needed", "prn",
    "prior to bed", "prior to bedtime", "before going to bed", "before going to sleep",
]
# Phrases that make every following dose a daily total, when written just before it.
PER_DAY_BEFORE = ["total daily dose of", "daily dose of", "daily total of", "a total of", "total of", "daily dose is"]
APPROX = ["about", "around", "approximately", "approx", "approx.", "roughly", "nearly", "almost", "some", "~",
          "≈", "circa", "ca.", "estimated", "an", "a"]
BEDTIME = ["at bedtime", "at night", "before bed", "before bedtime", "nightly", "every night", "each night",
           "before sleep", "at night time", "at nighttime", "before you go to bed", "before going to bed",
           "before you go to sleep", "at bed time", "before retiring"]
# "Moving from 1 mg to 2 mg", "going up to 1 mg": a change between two doses, not a range or a bound.
MOTION_WORDS = {"go", "goes", "going", "went", "gone", "move", "moves", "moving", "moved", "step", "stepping",
                "stepped", "build", "building", "work", "working", "come", "coming", "bump", "bumping", "jump",
                "jumping", "switch", "switching", "switched", "increase", "increased", "increasing", "raise",
                "raised", "raising", "reduce", "reduced", "reducing", "decrease", "decreased", "decreasing",
                "taper", "tapered", "tapering", "drop", "dropped", "dropping", "cut", "lower", "lowered",
                "lowering", "shift", "shifting", "titrate", "titrated", "titrating", "change", "changing",
                "changed", "adjust", "adjusted"}
# Words before "from X to Y" that make it a range ("ranges from 0.5 mg to 4 mg") rather than a change.
RANGE_WORDS = {"range", "ranges", "ranging", "ranged", "vary", "varies", "varying", "anywhere", "anything",
               "somewhere", "typically", "usually", "spans", "between"}
# Units auditor does not measure; a number followed by one is not the end of a range.
OTHER_UNITS = {"kg", "kilograms", "lb", "lbs", "pounds", "ml", "milliliters", "millilitres", "tablets", "tablet",
               "capsules", "capsule", "pills", "pill", "drops", "puffs", "units", "iu", "cm", "inches", "feet"}
# Words between a dose and a bare number that takes its unit, and words that may follow that number.
CARRY_BETWEEN = {",", "to", "then", "up", "and", "per", "day", "a", "daily", "back", "down", "went", "increased",
                 "raised", "lowered", "later", "."}
CARRY_FOLLOWERS = {"was", "is", "and", "or", "then", "over", "for", "at", "in", "a", "daily", "per", "after", "by",
                   "within", "until", "when", "but", "did", "didn't", "worked"}
# Words after which "a week", "an hour" is a span of time ("for a year", "within an hour").
SPAN_OPENERS = {"for", "over", "after", "within", "in", "about", "around", "nearly", "almost", "than", "least",
                "past", "last", "first", "whole", "entire", "full", "under", "approximately", "roughly", "only",
                "just", "take", "takes", "took", "lasts", "lasted", "lasting"}
# Words of a tablet, and the words between a share of one and its strength ("half of a 10 mg tablet").
TABLET_WORDS = {"tablet", "tablets", "tab", "tabs", "pill", "pills", "capsule", "capsules", "caps", "caplet",
                "caplets"}
FRACTION_JOINERS = {"of", "a", "an", "the", "one", "pill", "tablet", "tab", "capsule"}
SHARE_WORDS = {"half": 50.0, "third": 33.3, "quarter": 25.0}
PEOPLE_WORDS = {"people", "patients", "users", "adults", "children", "participants", "subjects", "women", "men",
                "persons", "individuals", "those", "them", "patient", "person", "adult", "child", "user", "kids",
                "teens", "adolescents", "seniors", "respondents", "volunteers"}
# "the difference between 0.25 mg and 1 mg": two doses compared, not a range.
CONTRAST_BEFORE_BETWEEN = {"difference", "differences", "choose", "choosing", "choice", "compare", "comparing",
                           "comparison", "gap", "decide", "deciding", "distinguish"}


@dataclass
class Quantity:
    """A number or range with a unit, at tokens ``[start, end)`` of the doc."""

    start: int
    end: int
    value: Range
    unit: str
    number_start: int = -1  # the first number token (``start`` may include a bound before it)
    per: str | None = None  # "day" or "dose" when a marker next to it says so
    per_end: int | None = None  # token after the per marker, when one follows the quantity
    per_marker: str | None = None
    bound: str | None = None  # the bounding phrase ("up to", "or less", ...)
    approximate: bool = False
    tablets: float | None = None  # "three 1 mg tablets a day": the count of tablets taken each day
    row_label: str | None = None  # in a flattened table of percentages: the term of the row
    placebo: bool = False  # ... and the cell stands in the placebo arm

    @property
    def dimension(self) -> str:
        return unit_dimension(self.unit)


@dataclass
class Frequency:
    """Administrations per day, at tokens ``[start, end)``."""

    start: int
    end: int
    value: Range
    kind: str  # "count", "latin", "interval", "bedtime", "divided"


@dataclass
class Interval:
    """A time step such as "every 3 days" (tokens ``[start, end)``)."""

    start: int
    end: int
    value: Range
    unit: str


for _name in ("quantities", "frequencies", "intervals"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class QuantityRecognizer:
    """Finds quantities, frequencies and intervals (see module docstring)."""

    def __init__(self, nlp: Language, name: str = "quantity_recognizer") -> None:
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, phrases in (
            ("UPPER_BEFORE", UPPER_BEFORE), ("LOWER_BEFORE", LOWER_BEFORE),
            ("UPPER_AFTER", UPPER_AFTER), ("LOWER_AFTER", LOWER_AFTER),
            ("PER_DAY_AFTER", PER_DAY_AFTER), ("PER_DOSE_AFTER", PER_DOSE_AFTER),
            ("PER_DAY_BEFORE", PER_DAY_BEFORE), ("BEDTIME", BEDTIME), ("APPROX", APPROX),
            ("TABLE", ["table"]),
        ):
            self.matcher.add(label, [nlp.make_doc(phrase) for phrase in phrases])

    def __call__(self, doc: Doc) -> Doc:
        phrases = self._phrases(doc)
        frequencies, intervals, taken = self._frequencies(doc, phrases)
        quantities = self._quantities(doc, phrases, taken)
        if phrases.get("TABLE"):
            quantities = self._table_cells(doc, phrases, quantities, taken)
        quantities = self._carried_units(doc, quantities, taken)
        doc._.quantities = quantities
        doc._.frequencies = frequencies
        doc._.intervals = intervals
        doc.spans["quantities"] = [Span(doc, q.start, q.end, label=q.unit) for q in quantities]
        doc.spans["frequencies"] = [Span(doc, f.start, f.end, label="per_day") for f in frequencies]
        return doc

    @staticmethod
    def _carried_units(doc: Doc, quantities: list[Quantity], taken: set[int]) -> list[Quantity]:
        """A bare number that takes the unit of a dose beside it: "given 15, then 20 mg", "300mg per day up
        to 2400", "prescribed 25 mg ... if 25 was ineffective" (the same amount named again)."""
        doses = [q for q in quantities if q.dimension == "mass" and q.value.low is not None and q.value.low == q.value.high]
        if not doses:
            return quantities
        numbers = set(numpy.nonzero(doc.to_array(LIKE_NUM))[0].tolist())
        used = {t for q in quantities for t in range(q.start, q.end)} | taken
        numbers -= used
        if not numbers:
            return quantities
        ordered = sorted(numbers)
        added: list[Quantity] = []
        n = len(doc)
        tokens = token_table(doc)

        def bare(k: int) -> float | None:
            if k not in numbers or k in used or not any(c.isdigit() for c in tokens.text[k]):
                return None
            num = read_number(doc, k)
            if num is None or num[1] != k + 1 or read_unit(doc, k + 1) is not None:
                return None
            if k + 1 < n and ((tokens.is_alpha[k + 1] and tokens.lower[k + 1] not in CARRY_FOLLOWERS)
                              or tokens.text[k + 1] in ("/", "%", ":")):
                return None  # "25 patients", "10/10", "2 tablets"
            if k > 0 and (tokens.text[k - 1] in ("$", "£", "€", "#", "/", "=") or tokens.lower[k - 1] in ("day", "week", "age")):
                return None
            return num[0]

        for q in doses:
            after = q.per_end or q.end
            nearest = bisect.bisect_left(ordered, q.start - 4)
            if nearest >= len(ordered) or ordered[nearest] >= after + 25:
                continue  # no bare number near this dose
            sent = doc[q.start].sent
            ref = q.value.low
            candidates = []
            # forward: "300mg per day up to 2400", "20 mg, then 40"
            for k in range(after, min(sent.end, after + 4)):
                v = bare(k)
                if v is not None:
                    between = set(tokens.lower[after:k])
                    if between <= CARRY_BETWEEN and between & {"to", "then"}:
                        candidates.append((k, v))
                    break
            # backward: "given 15, then 20 mg"
            for k in range(q.start - 1, max(sent.start - 1, q.start - 4), -1):
                v = bare(k)
                if v is not None:
                    between = set(tokens.lower[k + 1:q.start])
                    if between <= CARRY_BETWEEN and "then" in between:
                        candidates.append((k, v))
                    break
            # the same amount named again later in the sentence: "if 25 was ineffective"
            for k in range(q.end, min(sent.end, q.end + 25)):
                v = bare(k)
                if v == ref and k + 1 < sent.end and tokens.lower[k + 1] in ("was", "is", "did", "didn't", "worked"):
                    candidates.append((k, v))
            for k, v in candidates:
                if 0.05 <= v / ref <= 20 and k not in used:
                    added.append(Quantity(k, k + 1, Range(v, v), q.unit, number_start=k))
                    used.add(k)
        return sorted(quantities + added, key=lambda x: x.start) if added else quantities

    @staticmethod
    def _table_cells(doc: Doc, phrases, quantities: list[Quantity], taken: set[int]) -> list[Quantity]:
        """Rows of flattened tables of percentages (table_rows.py) as percent quantities."""
        regions = table_regions(doc, phrases["TABLE"])
        if not regions:
            return quantities
        added = []
        for value, start, end, q, label, placebo in table_cells(doc, regions, quantities, taken):
            if q is None:
                q = Quantity(start, end, value, "percent", number_start=end - 1,
                             bound="<" if value.low is None else None)
                added.append(q)
            q.row_label, q.placebo = label, placebo
        return sorted(quantities + added, key=lambda q: q.start) if added else quantities

    # -- phrase index ----------------------------------------------------------------
    def _phrases(self, doc: Doc) -> dict[str, dict[int, int]]:
        """For each label: start token -> end token, and end token -> start token (key "<label>@end")."""
        index: dict[str, dict[int, int]] = {}
        for match_id, start, end in self.matcher(doc):
            label = doc.vocab.strings[match_id]
            by_start = index.setdefault(label, {})
            by_start[start] = max(by_start.get(start, end), end)
            by_end = index.setdefault(label + "@end", {})
            by_end[end] = min(by_end.get(end, start), start)
        return index

    # -- frequencies -----------------------------------------------------------------
    @staticmethod
    def _frequency_starts(doc: Doc, phrases) -> list[int]:
        """The tokens where ``_frequency_at`` or ``_interval_at`` can find something: a count ("twice",
        "2", "a half"), a Latin abbreviation ("bid", "q8h"), "every", "in"/"into", a bedtime phrase."""
        starts = set(phrases.get("BEDTIME", {}))
        table = token_table(doc)
        starts.update(i for i in table.where(_can_start_frequency, _FREQUENCY_STARTS) if _count_may_follow(table, i))
        return sorted(starts)

    def _frequencies(self, doc: Doc, phrases) -> tuple[list[Frequency], list[Interval], set[int]]:
        found: list[Frequency] = []
        intervals: list[Interval] = []
        taken: set[int] = set()
        end = 0
        for i in self._frequency_starts(doc, phrases):
            if i < end:
                continue
            hit = self._frequency_at(doc, i, phrases)
            if hit is None:
                iv = self._interval_at(doc, i)
                if iv is not None:
                    intervals.append(iv)
                    taken.update(range(iv.start, iv.end))
                    end = iv.end
                continue
            if isinstance(hit, Interval):
                intervals.append(hit)
            else:
                found.append(hit)
            taken.update(range(hit.start, hit.end))
            end = hit.end
        return found, intervals, taken

    def _count(self, doc: Doc, i: int) -> tuple[float, int] | None:
        if i < len(doc):
            low = token_table(doc).lower[i]
            if low in FREQ_WORDS:
                return FREQ_WORDS[low], i + 1
        return read_number(doc, i)

    def _bounded(self, doc: Doc, f: Frequency, phrases) -> Frequency:
        """ "up to 3 times a day", "no more than twice a day": a ceiling on the frequency."""
        lower = token_table(doc).lower
        b = phrases.get("UPPER_BEFORE@end", {}).get(f.start)
        kind = "upper"
        if b is None:
            b = phrases.get("LOWER_BEFORE@end", {}).get(f.start)
            kind = "lower"
            if b is not None and any(w in NEGATORS for w in lower[max(0, b - 3):b]):
                kind = "upper"  # "do not take it more than twice a day"
        if b is None or lower[b] in ("within", "in", "under", "below", "over", "beyond", "above"):
            return f
        if lower[b] == "up" and b > 0 and lower[b - 1] in MOTION_WORDS:
            return f
        f.value = Range(None, f.value.high) if kind == "upper" else Range(f.value.low, None)
        f.start = b
        return f

    def _day_tail(self, doc: Doc, j: int, loose: bool = False) -> int | None:
        """After "twice" / "3 times": "daily", "a day", "per day", "each day", "in 24 hours"...; returns end.

        Also "during the day"; ``loose`` (after "times"): also "day" alone ("3 times day")."""
        n = len(doc)
        table = token_table(doc)
        texts, lower = table.text, table.lower
        if loose and j < n and lower[j] == "day":
            return j + 1
        if j + 2 < n and lower[j] in ("during", "in", "through", "throughout") and lower[j + 1] == "the" and (
                lower[j + 2] == "day"):
            return j + 3
        if j < n and texts[j] in ("-", "‐") and j + 1 < n and lower[j + 1] in ("daily", "nightly"):
            return j + 2
        if j < n and lower[j] in ("daily", "nightly"):
            return j + 1
        if j + 1 < n and lower[j] in ("a", "per", "each", "every", "/", "an") and lower[j + 1] in (
            "day", "night", "evening", "morning", "24-hour"
        ):
            return j + 2
        if j + 2 < n and lower[j] in ("in", "per", "every", "a", "/") and texts[j + 1] == "24" and lower[j + 2] in (
            "hours", "hrs", "h", "hr", "hour"
        ):
            return j + 3
        if j + 1 < n and lower[j] == "at" and lower[j + 1] == "bedtime":
            return j + 2
        return None

    def _frequency_at(self, doc: Doc, i: int, phrases) -> Frequency | Interval | None:
        n = len(doc)
        table = token_table(doc)
        texts, lower, ws = table.text, table.lower, table.ws
        low = lower[i]
        # Latin abbreviations: bid, t.i.d., qid, q8h
        if low in LATIN_FREQ or (low.rstrip(".") in LATIN_FREQ and len(low) > 2):
            per_day = LATIN_FREQ.get(low, LATIN_FREQ.get(low.rstrip(".")))
            end = i + 1
            if end < n and texts[end] == "." and not ws[i] and low.count(".") >= 1:
                end += 1
            other = per_day
            # "bid or tid", "bid to tid"
            if end + 1 < n and lower[end] in ("or", "to", "-", "–") and lower[end + 1].rstrip(".") in LATIN_FREQ:
                other = LATIN_FREQ[lower[end + 1].rstrip(".")]
                end += 2
            return Frequency(i, end, Range(min(per_day, other), max(per_day, other)), "latin")
        if low.startswith("q") and low[1:].isdigit() and i + 1 < n and lower[i + 1] == "h" and not ws[i]:
            hours = float(low[1:])
            if hours > 0:
                return Frequency(i, i + 2, Range(24 / hours, 24 / hours), "interval")
        # "once daily", "twice a day", "2 to 3 times per day", "once or twice daily"
        first = self._count(doc, i)
        if first is not None:
            v1, j = first
            v2 = v1
            if j < n and lower[j] in RANGE_SIGNS and lower[j] != "through":
                second = self._count(doc, j + 1)
                if second is not None:
                    v2, j = second
            is_word = low in FREQ_WORDS
            if j + 1 < n and texts[j] in ("-", "‐") and not ws[j] and lower[j + 1] in ("times", "time"):
                j += 1  # "3-times daily"
            times = lower[j] if j < n else ""
            if (times in ("times", "x", "doses") or (times == "time" and v2 == 1)) and not is_word:
                k = j + 1
                if k < n and texts[k] in ("'s", "’s") and not ws[j]:
                    k += 1  # "3x's/day"
                end = self._day_tail(doc, k, loose=True)
                if end is not None:
                    return self._bounded(doc, Frequency(i, end, Range(min(v1, v2), max(v1, v2)), "count"), phrases)
            elif is_word or (j < n and lower[j - 1] in FREQ_WORDS):
                end = self._day_tail(doc, j)
                if end is not None:
                    return self._bounded(doc, Frequency(i, end, Range(min(v1, v2), max(v1, v2)), "count"), phrases)
        # "every 8 hours", "every 4 to 6 hours"
        if low == "every" and i + 2 < n and lower[i + 1] in ("other", "second") and lower[i + 2] == "day":
            return Frequency(i, i + 3, Range(0.5, 0.5), "count")  # "every other day"
        if low == "every" and i + 1 < n:
            num = read_number(doc, i + 1)
            if num is not None:
                v1, j = num
                v2 = v1
                if j < n and lower[j] in RANGE_SIGNS:
                    second = read_number(doc, j + 1)
                    if second is not None:
                        v2, j = second
                unit = read_unit(doc, j)
                if unit is not None and unit[0] == "hour" and v1 > 0 and v2 > 0:
                    return Frequency(i, unit[1], Range(24 / max(v1, v2), 24 / min(v1, v2)), "interval")
        # "in two divided doses", "split into 2 doses", "divided into three doses"
        if low in ("in", "into") and i + 1 < n:
            num = self._count(doc, i + 1)
            if num is not None:
                v, j = num
                w = v
                if j < n and lower[j] in RANGE_SIGNS:
                    second = self._count(doc, j + 1)
                    if second is not None:
                        w, j = second
                if j < n and lower[j] in ("divided", "equal", "separate", "split", "smaller"):
                    j += 1
                if j < n and lower[j] in ("doses", "dosages", "administrations"):
                    return Frequency(i, j + 1, Range(min(v, w), max(v, w)), "divided")
        # "at bedtime", "at night", "nightly"
        end = phrases.get("BEDTIME", {}).get(i)
        if end is not None:
            return Frequency(i, end, Range(1, 1), "bedtime")
        return None

    def _interval_at(self, doc: Doc, i: int) -> Interval | None:
        """ "every 3 days", "every 1 to 2 weeks" (a titration step)."""
        lower = token_table(doc).lower
        if lower[i] != "every" or i + 1 >= len(doc):
            return None
        num = read_number(doc, i + 1)
        if num is None:
            return None
        v1, j = num
        v2 = v1
        if j < len(doc) and lower[j] in RANGE_SIGNS:
            second = read_number(doc, j + 1)
            if second is not None:
                v2, j = second
        unit = read_unit(doc, j)
        if unit is None or unit[0] not in ("day", "week", "month"):
            return None
        return Interval(i, unit[1], Range(v1, v2), unit[0])

    # -- quantities ------------------------------------------------------------------
    def _quantities(self, doc: Doc, phrases, taken: set[int]) -> list[Quantity]:
        found: list[Quantity] = []
        end = 0
        for i in token_table(doc).where(_can_start_quantity, _QUANTITY_STARTS):
            if i < end or i in taken:
                continue
            qs = self._quantity_at(doc, i, phrases, taken)
            if qs:
                found.extend(qs)
                end = max(q.end for q in qs)
        return found

    def _quantity_at(self, doc: Doc, i: int, phrases, taken: set[int]) -> list[Quantity]:
        """The quantity (or, for alternatives such as "either 5 or 10 mg", quantities) at token ``i``."""
        tokens = token_table(doc)
        n = len(doc)
        word = tokens.lower[i]
        if tokens.like_url[i] or (i > 0 and tokens.like_url[i - 1] and not tokens.ws[i - 1]):
            return []
        if word in ("a", "an") and i + 1 < n and tokens.lower[i + 1] in ("hour", "hr"):
            # "within an hour", "about an hour", "an hour and a half"
            end, value = i + 2, 1.0
            if end + 2 < n and tokens.lower[end] == "and" and tokens.lower[end + 1] == "a" and tokens.lower[end + 2] == "half":
                end, value = end + 3, 1.5
            q = Quantity(i, end, Range(value, value), "hour", number_start=i)
            self._bounds(doc, q, phrases, False)
            return [q]
        share = self._share_at(doc, i)
        if share is not None:
            self._bounds(doc, share, phrases, False)  # "more than 1 in 10 people", "fewer than 1 in 1,000"
            return [share]
        either = word == "either"
        if either:
            i += 1
            if i >= n:
                return []
        if i > 1 and tokens.text[i - 1] == "=" and tokens.lower[i - 2] == "n":
            return []  # "N = 101": a count of people
        span = self._time_word_at(doc, i)
        if span is not None:
            self._bounds(doc, span, phrases, False)
            return [span]
        num = read_number(doc, i)
        if num is None:
            return []
        v1, j = num
        if j + 1 < n and tokens.lower[j] == "or" and tokens.lower[j + 1] == "so" and read_unit(doc, j + 2) is not None:
            j += 2  # "within 15 or so minutes"
        unit1 = read_unit(doc, j)
        if unit1 is None and j < n and tokens.text[j] == ",":
            listed = self._value_list(doc, i, taken)
            if listed:
                return listed
        after1 = unit1[1] if unit1 else j
        # "half a milligram a day or less": a bound may follow the unit and its per-day marker
        sign = tokens.lower[after1] if after1 < n else ""
        between = i > 0 and tokens.lower[i - 1] == "between"
        if between and i > 1 and tokens.lower[i - 2] in CONTRAST_BEFORE_BETWEEN:
            between = False
        second = None
        if (sign in RANGE_SIGNS or (sign == "and" and between)) and after1 + 1 < n and after1 + 1 not in taken:
            second = read_number(doc, after1 + 1)
            if second is None and unit1 is not None and tokens.lower[after1 + 1] in ("a", "an") and sign in ("to", "or"):
                other = read_unit(doc, after1 + 2)  # "6 months to a year"
                if other is not None and unit_dimension(other[0]) == "time" == unit_dimension(unit1[0]):
                    second = (1.0, after1 + 2)
        if second is not None:
            w, k = second
            unit2 = read_unit(doc, k)
            if unit2 is None and k < n and tokens.lower[k] in OTHER_UNITS:
                second = None  # "up to 10 years (or 30 kg)": the second number measures something else
            elif (unit1 is None and unit2 is None) or (
                    unit1 is not None and unit2 is not None and unit_dimension(unit1[0]) != unit_dimension(unit2[0])
                    and not (unit_dimension(unit1[0]) == "mass" and unit_dimension(unit2[0]) == "mass_per_kg")):
                second = None  # "10mg to 15mg for each kilogram" is a range in mg/kg
        if second is not None:
            w, k = second
            unit2 = read_unit(doc, k)
            both_units = unit1 is not None and unit2 is not None
            after_from = i > 0 and tokens.lower[i - 1] == "from" and sign == "to"
            moved = i > 1 and tokens.lower[i - 2] in MOTION_WORDS  # "went from 10 to 20 mg"
            from_change = after_from and (moved or both_units) and not any(
                w in RANGE_WORDS for w in tokens.lower[max(0, i - 4):i - 1])
            alternatives = either or (sign == "or" and both_units)
            if from_change or alternatives:
                # "from 10 mg to 5 mg" is a change; "either 5 or 10 mg", "5 mg or 10 mg" are two doses
                unit_a = unit1 or unit2
                first_q = Quantity(i - (1 if either else 0), after1, Range(v1, v1), unit_a[0], number_start=i)
                second_q = Quantity(after1 + 1, unit2[1] if unit2 else k, Range(w, w), (unit2 or unit1)[0],
                                    number_start=after1 + 1)
                out = []
                for q, u in ((first_q, unit1), (second_q, unit2)):
                    if u is not None and u[2]:
                        q.per, q.per_marker = "day", "/day"
                    self._bounds(doc, q, phrases, False)
                    self._per_marker(doc, q, phrases, taken)
                    out.append(q)
                return out
            unit = unit2 or unit1
            low_v, high_v = v1, w
            if unit1 is not None and unit2 is not None and unit1[0] != unit2[0] and unit_dimension(unit1[0]) == "time":
                # "anywhere from 15 minutes to 2.5 hours": the range takes the second unit
                low_v = convert_value(v1, unit1[0], unit2[0])
            end = unit2[1] if unit2 else k
            low, high = min(low_v, high_v), max(low_v, high_v)
        else:
            if unit1 is None or either:
                return []
            unit = unit1
            end = after1
            low = high = v1
        canonical, _, per_day_in_unit = unit
        q = Quantity(i, end, Range(low, high), canonical, number_start=i)
        if canonical in PER_KG_SCALE:
            q.value, q.unit = q.value.scaled(PER_KG_SCALE[canonical]), "mg/kg"
        if per_day_in_unit or (unit1 and unit1[2]):
            q.per, q.per_marker = "day", "/day"
        self._tablet_amount(doc, q, taken)
        self._bounds(doc, q, phrases, between)
        self._per_marker(doc, q, phrases, taken)
        self._bound_after_marker(doc, q, phrases)
        if q.tablets is not None and q.per != "day":
            q.value = q.value.scaled(q.tablets)  # "three 600 mg tabs in the morning" is 1800 mg at once
            q.tablets = None
        return [q]

    def _tablet_amount(self, doc: Doc, q: Quantity, taken: set[int]) -> None:
        """A share or a count of tablets of the strength ``q`` names: "half a 10 mg tablet" (5 mg),
        "3/4 of a 10mg tablet", "1/4 a pill of a .25mg pill", "three 600 mg tabs" (counted in
        ``q.tablets``: a dose of three tablets, or three a day when a per-day marker follows)."""
        tokens = token_table(doc)
        if q.dimension != "mass" or q.value.low != q.value.high or q.start != q.number_start:
            return
        n = len(doc)
        tablet_after = q.end < n and tokens.lower[q.end] in TABLET_WORDS
        if not tablet_after and not any(w in TABLET_WORDS for w in tokens.lower[max(0, q.start - 5):q.start]):
            return
        for s in range(max(0, q.start - 7), q.start):
            if s in taken:
                continue
            num = read_number(doc, s)
            if num is None or not 0 < num[0] < 1 or num[1] > q.start:
                continue
            between = tokens.lower[num[1]:q.start]
            if not all(w in FRACTION_JOINERS for w in between):
                continue
            if tablet_after or any(w in TABLET_WORDS for w in between):
                q.value = q.value.scaled(num[0])
                q.start = q.number_start = s
                return
        if not tablet_after:
            return
        k = q.start - 1
        if k > 0 and tokens.lower[k] == "x":
            k -= 1
        if k < 0 or k in taken or tokens.lower[k] in ("a", "an") or (k > 0 and (
                tokens.like_num[k - 1] or tokens.lower[k - 1] in ("into", "in"))):
            return  # "divided into 2 150mg capsules": the count splits a dose, it does not add up
        num = read_number(doc, k)
        if num is not None and num[1] in (q.start, q.start - 1) and num[0] == int(num[0]) and 1 <= num[0] <= 10:
            q.tablets = num[0]
            q.start = q.number_start = k

    @staticmethod
    def _time_word_at(doc: Doc, i: int) -> Quantity | None:
        """ "for a year", "after a week", "within an hour and a half", "6 months to a year": a span of one
        unit written with "a" or "an" after a word that opens a span."""
        tokens = token_table(doc)
        n = len(doc)
        if tokens.lower[i] not in ("a", "an") or i + 1 >= n or i == 0:
            return None
        prev = tokens.lower[i - 1]
        if prev not in SPAN_OPENERS and not (prev == "to" and i > 1 and tokens.like_num[i - 2]):
            return None
        found = read_unit(doc, i + 1)
        if found is None or unit_dimension(found[0]) != "time" or tokens.lower[i + 1] in ("h", "min"):
            return None
        end = found[1]
        value = 1.0
        if end + 2 < n and tokens.lower[end] == "and" and tokens.lower[end + 1] == "a" and tokens.lower[end + 2] == "half":
            value, end = 1.5, end + 3
        return Quantity(i, end, Range(value, value), found[0], number_start=i)

    def _value_list(self, doc: Doc, i: int, taken: set[int]) -> list[Quantity]:
        """ "2.5, 5, 7.5, 10 and 20 mg": every number of a list takes the unit written after the last."""
        tokens = token_table(doc)
        n = len(doc)
        items = []
        k = i
        while k < n and len(items) < 20:
            num = read_number(doc, k)
            if num is None or num[1] in taken:
                return []
            items.append((k, num[1], num[0]))
            unit = read_unit(doc, num[1])
            if unit is not None:
                break
            k = num[1]
            if k < n and tokens.text[k] == ",":
                k += 1
            if k < n and tokens.lower[k] in ("and", "or"):
                k += 1
            if k == num[1]:
                return []
        else:
            return []
        if len(items) < 3 or unit_dimension(unit[0]) != "mass":
            return []
        out = [Quantity(s, e, Range(v, v), unit[0], number_start=s) for s, e, v in items[:-1]]
        s, _e, v = items[-1]
        last = Quantity(s, unit[1], Range(v, v), unit[0], number_start=s)
        self._per_marker(doc, last, {}, taken)
        return [*out, last]

    def _share_at(self, doc: Doc, i: int) -> Quantity | None:
        """ "1 in 3 people", "half of patients", "a third of users": a share of people, as a percentage."""
        tokens = token_table(doc)
        n = len(doc)
        low = tokens.lower[i]
        if low in ("half", "third", "quarter", "a") and i + 2 < n:
            j = i + 1 if low == "a" else i
            word = tokens.lower[j]
            if word in SHARE_WORDS and tokens.lower[j + 1] == "of":
                k = j + 2
                if k < n and tokens.lower[k] in ("the", "all", "those", "their"):
                    k += 1
                if k < n and tokens.lower[k] in PEOPLE_WORDS:
                    return Quantity(i, j + 1, Range(SHARE_WORDS[word], SHARE_WORDS[word]), "percent", number_start=i)
            return None
        num = read_number(doc, i)
        if num is None:
            return None
        v, j = num
        if j + 1 < n and tokens.lower[j] in ("in", "out") and v > 0:
            k = j + 1 + (1 if tokens.lower[j] == "out" and tokens.lower[j + 1] == "of" else 0)
            den = read_number(doc, k)
            if den is not None and den[0] > v and den[1] < n and tokens.lower[den[1]] in PEOPLE_WORDS | {"of"}:
                pct = round(v / den[0] * 100, 1)
                return Quantity(i, den[1], Range(pct, pct), "percent", number_start=i)
        return None

    def _bound_after_marker(self, doc: Doc, q: Quantity, phrases) -> None:
        """ "0.5 mg a day or less": a bound after the per-day marker bounds the dose."""
        tokens = token_table(doc)
        if q.bound is not None or q.per_end is None:
            return
        for label, kind in (("UPPER_AFTER", "upper"), ("LOWER_AFTER", "lower")):
            e = phrases.get(label, {}).get(q.per_end)
            if e is not None and tokens.lower[q.per_end] not in ("maximum", "max", "+"):
                self._apply_bound(q, kind, doc[q.per_end:e].text)
                return

    def _bounds(self, doc: Doc, q: Quantity, phrases, between: bool) -> None:
        """Widen the quantity over a bounding phrase before or after it."""
        tokens = token_table(doc)
        start = q.start
        # skip an approximation word directly before ("about 4 mg", "up to about 4 mg")
        approx_start = phrases.get("APPROX@end", {}).get(start)
        if approx_start is not None and tokens.lower[approx_start] not in ("a", "an"):
            q.approximate = True
            start = approx_start
        if between:
            q.start = start - 1
            return
        for label, kind in (("UPPER_BEFORE", "upper"), ("LOWER_BEFORE", "lower")):
            b = phrases.get(label + "@end", {}).get(start)
            flipped = b is not None and kind == "lower" and any(
                w in NEGATORS for w in tokens.lower[max(0, b - 3):b])
            if flipped:
                kind = "upper"  # "should not take more than 10 mg", "shouldn't go above 4 mg" set a ceiling
            mover = b - 2 if b is not None and b > 1 and tokens.lower[b - 1] == "back" else (b or 0) - 1
            if b is not None and tokens.lower[b] == "up" and mover >= 0 and tokens.lower[mover] in MOTION_WORDS and not (
                    b > 1 and tokens.lower[b - 2] in ("can", "may", "could", "might")):
                continue  # "going up to 1 mg" moves to a dose; "the dose can go up to 60mg" bounds it
            if b is not None:
                if kind == "lower" and tokens.lower[b] == "over" and q.dimension == "time" and not (
                        b > 0 and tokens.lower[b - 1] in SPAN_OPENERS):
                    continue  # "taper over 2 weeks" is a span of time; "for over 8 years" a lower bound
                if kind == "upper" and tokens.lower[b] == "within" and q.dimension != "time":
                    continue
                self._apply_bound(q, kind, ("not " if flipped else "") + doc[b:start].text.lower())
                q.start = b
                return
        after = q.end
        if after + 1 < len(doc) and tokens.lower[after] == "of":
            # "0.5 mg of clonazepam or less"
            k = after + 1
            while k < len(doc) and k < after + 4 and tokens.is_alpha[k] and tokens.lower[k] not in ("or", "and"):
                k += 1
            if any(phrases.get(lb, {}).get(k) is not None for lb in ("UPPER_AFTER", "LOWER_AFTER")):
                after = k
        for label, kind in (("UPPER_AFTER", "upper"), ("LOWER_AFTER", "lower")):
            e = phrases.get(label, {}).get(after)
            if e is not None and tokens.text[after] == "+" and tokens.ws[after - 1]:
                continue  # "0.25 mg + diazepam" joins two things; "65+" bounds
            if e is not None and tokens.lower[after] not in ("maximum", "max"):
                self._apply_bound(q, kind, doc[after:e].text)
                if after == q.end:
                    q.end = e
                return

    @staticmethod
    def _apply_bound(q: Quantity, kind: str, text: str) -> None:
        q.bound = text
        if q.value.low == q.value.high:
            q.value = Range(None, q.value.high) if kind == "upper" else Range(q.value.low, None)

    def _per_marker(self, doc: Doc, q: Quantity, phrases, taken: set[int]) -> None:
        """ "daily", "a day", "per dose", ... right after the quantity (or after "of <drug>")."""
        tokens = token_table(doc)
        if q.per is not None or q.dimension not in ("mass", "mass_per_kg"):
            return
        j = q.end
        n = len(doc)
        if j + 1 < n and tokens.lower[j] in TABLET_WORDS:
            j += 1  # "one 10 mg tablet a day"
        for label, per in (("PER_DAY_AFTER", "day"), ("PER_DOSE_AFTER", "dose")):
            e = phrases.get(label, {}).get(j)
            if e is None and j + 1 < n and tokens.lower[j] == "of":
                # "4 mg of clonazepam per day", "2 mg of Klonopin daily"
                k = j + 1
                while k < n and k < j + 4 and tokens.is_alpha[k] and (k, label) and phrases.get(label, {}).get(k) is None:
                    k += 1
                e = phrases.get(label, {}).get(k)
            if e is not None and not any(t in taken for t in range(j, e)):
                q.per, q.per_marker = per, doc[j:e].text.split(" of ")[-1]
                q.per_end = e
                return
        b = phrases.get("PER_DAY_BEFORE@end", {}).get(q.start)
        if b is not None:
            q.per, q.per_marker = "day", doc[b:q.start].text


@Language.factory("quantity_recognizer")
def make_quantity_recognizer(nlp: Language, name: str) -> QuantityRecognizer:
    """spaCy factory for :class:`QuantityRecognizer`."""
    return QuantityRecognizer(nlp, name)
