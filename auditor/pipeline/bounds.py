"""Numeric bounds of who a claim is about: creatinine-clearance bands ("CrCl 30 to 59 mL/min",
"creatinine clearance below 15"), age bounds ("children up to 10 years", "aged 3 to 12",
"12 years and older") and body-weight bounds ("or 30 kg", "weighing less than 30 kg").

The patterns are data (the tuples below); each yields a ``Range`` with an open end where the
text gives one. They are read in the claim's sentence, its table headers and its heading.

``is_age_bound`` tells the claim builder that a number of years bounds a population ("children
up to 10 years", "patients 12 years of age and older"): CLAIMS.md does not count it as a claim.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..claims import Range

_NUM = r"(\d+(?:\.\d+)?)"
_TO = r"\s*(?:to|-|–|—|through|and)\s*"
_BELOW = r"(?:<|≤|<=|less than|lower than|below|under|up to|no more than|younger than|at most)"
_ABOVE = r"(?:>|≥|>=|greater than|more than|above|over|at least|older than)"
_OR_MORE = r"(?:or (?:more|greater|higher|above|over|older)|and (?:above|over|older|higher)|\+)"
_OR_LESS = r"(?:or (?:less|lower|below|under|younger))"

# creatinine clearance (or eGFR), then within a few words the band
_RENAL_LEAD = r"(?:creatinine clearance|crcl|clcr|cl\s?cr|egfr|gfr|kidney function|renal function)\b[^.;:,]{0,40}?"
_RENAL_UNIT = r"\s*(?:ml/min(?:ute)?(?:/1\.73\s*m2)?)?"
RENAL_PATTERNS = (
    (_RENAL_LEAD + r"(?:between\s*)?>?\s*" + _NUM + _TO + _NUM, "range"),
    (_RENAL_LEAD + _BELOW + r"\s*" + _NUM, "below"),
    (_RENAL_LEAD + _ABOVE + r"\s*" + _NUM, "above"),
    (_RENAL_LEAD + _NUM + _RENAL_UNIT + r"\s*" + _OR_MORE, "above"),
    (_RENAL_LEAD + _NUM + _RENAL_UNIT + r"\s*" + _OR_LESS, "below"),
)
_YEARS = r"\s*(?:years?|yrs?)(?:\s+of\s+age|\s+old)?"
AGE_PATTERNS = (
    (r"\b(?:aged?|ages)\s+(?:from\s+)?" + _NUM + _TO + _NUM, "range"),
    (r"\b" + _NUM + _TO + _NUM + _YEARS, "range"),
    (r"\b(?:aged?\s+)?" + _NUM + _YEARS + r"\s*" + _OR_MORE, "above"),
    (r"\b(?:aged?\s+)?" + _NUM + _YEARS + r"\s*" + _OR_LESS, "below"),
    (_BELOW + r"\s+(?:the\s+age\s+of\s+)?" + _NUM + _YEARS, "below"),
    (_ABOVE + r"\s+(?:the\s+age\s+of\s+)?" + _NUM + _YEARS, "above"),
    (r"\bunder\s+(?:age\s+)?" + _NUM + r"\b(?!\s*(?:mg|mcg|g|kg|%|percent|hours?|minutes?|days?|weeks?))", "below"),
)
WEIGHT_PATTERNS = (
    (r"\b" + _NUM + _TO + _NUM + r"\s*kg\b(?!/)", "range"),
    (_BELOW + r"\s+" + _NUM + r"\s*kg\b(?!/)", "below"),
    (r"\bor\s+" + _NUM + r"\s*kg\b(?!/)", "below"),
    (_ABOVE + r"\s+" + _NUM + r"\s*kg\b(?!/)", "above"),
    (r"\b" + _NUM + r"\s*kg\b(?!/)\s*" + _OR_MORE, "above"),
    (r"\b" + _NUM + r"\s*kg\b(?!/)\s*" + _OR_LESS, "below"),
)
# Words one of which a text must hold for the patterns of a kind to be tried at all.
_NEEDS = {
    "renal": ("clearance", "crcl", "clcr", "cl cr", "gfr", "kidney function", "renal function"),
    "age": ("year", "yr", "age", "under"),
    "weight": ("kg",),
}
_COMPILED = {
    name: [(re.compile(p, re.IGNORECASE), kind) for p, kind in patterns]
    for name, patterns in (("renal", RENAL_PATTERNS), ("age", AGE_PATTERNS), ("weight", WEIGHT_PATTERNS))
}


@lru_cache(maxsize=4096)
def find_bound(kind: str, text: str) -> Range | None:
    """The first bound of ``kind`` ("renal", "age" or "weight") stated in ``text``."""
    lowered = text.lower()
    if not any(word in lowered for word in _NEEDS[kind]):
        return None
    best: tuple[tuple[int, int], Range] | None = None
    for pattern, shape in _COMPILED[kind]:
        m = pattern.search(text)
        if m is None or (best is not None and (m.start(), m.end()) >= best[0]):
            continue
        numbers = [float(g) for g in m.groups() if g is not None]
        if shape == "range" and len(numbers) >= 2:
            low, high = numbers[-2], numbers[-1]
            if low > high:
                continue
            bound = Range(low, high)
        elif shape == "below":
            bound = Range(None, numbers[-1])
        else:
            bound = Range(numbers[-1], None)
        best = ((m.start(), m.end()), bound)
    return best[1] if best else None


_AGE_BEFORE = {"aged", "age", "ages"}
_AGE_AFTER = (("of", "age"), ("old",), ("and", "older"), ("or", "older"), ("and", "over"), ("and", "up"),
              ("and", "above"), ("or", "more"), ("or", "over"))


def is_age_bound(doc, index, start: int, end: int, unit: str) -> bool:
    """A number of years at tokens ``start:end`` that bounds a population, not a duration."""
    if unit != "year":
        return False
    before = [t.lower_ for t in doc[max(0, start - 2):start]]
    if before and (before[-1] in _AGE_BEFORE or (before[0] in _AGE_BEFORE and before[-1] in ("of", "from"))):
        return True
    after = tuple(t.lower_ for t in doc[end:end + 2])
    if any(after[:len(words)] == words for words in _AGE_AFTER):
        return True
    # "children up to 10 years", "infants and children (up to 10 years or 30 kg)"
    return any(0 <= start - p.end <= 1 and all(t.is_punct for t in doc[p.end:start]) for p in index.populations)
