"""Reading numbers and units from tokens: "0.5", ".5", "1,000", "½", "two", "half a".

Pure functions over spaCy tokens; the quantity recognizer builds on them.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "a dozen": 12,
}
MULTIPLIERS = {"hundred": 100, "thousand": 1000}
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3, "⅛": 0.125}
_DIGITS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")  # "0,5" in European style
_SLASH_FRACTION = re.compile(r"^(\d+)/(\d+)$")

# Canonical units, by the lowercased token (or token pair) that writes them.
MASS_UNITS = {
    "mg": "mg", "mgs": "mg", "milligram": "mg", "milligrams": "mg", "milligramme": "mg",
    "milligrammes": "mg", "mcg": "mcg", "µg": "mcg", "μg": "mcg", "ug": "mcg", "microgram": "mcg",
    "micrograms": "mcg", "microgramme": "mcg", "microgrammes": "mcg", "g": "g", "gram": "g",
    "grams": "g", "gramme": "g", "grammes": "g",
}
TIME_UNITS = {
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour",
    "minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
    "day": "day", "days": "day", "week": "week", "weeks": "week", "wk": "week", "wks": "week",
    "month": "month", "months": "month", "year": "year", "years": "year", "yr": "year", "yrs": "year", "mo": "month", "mos": "month",
}
PERCENT_UNITS = {"%": "percent", "percent": "percent", "pct": "percent", "percentage": "percent"}
KG_WORDS = {"kg", "kilogram", "kilograms", "kilo", "kilos"}
VOLUME_WORDS = {"dl", "ml", "l", "dL", "mL", "L", "deciliter", "decilitre", "liter", "litre"}
_PER_KG_OPENERS = (("/",), ("per",), ("a",), ("for", "each"), ("for", "every"), ("each",), ("every",))
_PER_KG_FIRST = {opener[0] for opener in _PER_KG_OPENERS}


def _per_kilogram(doc: Doc, j: int) -> int | None:
    """ "/kg", "per kg", "for each kilogram of body weight" at token ``j``: the index after it."""
    n = len(doc)
    if j >= n or doc[j].lower_ not in _PER_KG_FIRST:
        return None
    for opener in _PER_KG_OPENERS:
        k = j + len(opener)
        if k < n and all(doc[j + m].lower_ == w for m, w in enumerate(opener)) and doc[k].lower_ in KG_WORDS:
            k += 1
            if k + 2 <= n and doc[k].lower_ == "of" and doc[k + 1].lower_ in ("body", "bodyweight"):
                k += 3 if k + 2 < n and doc[k + 2].lower_ == "weight" else 2
            return k
    return None
DAY_WORDS = {"day", "d", "24h"}


def unit_dimension(unit: str) -> str:
    """The dimension a canonical unit measures: mass, mass_per_kg, time, percent, frequency."""
    if unit in ("mg", "mcg", "g"):
        return "mass"
    if unit in ("mg/kg", "mcg/kg", "g/kg"):
        return "mass_per_kg"
    if unit == "percent":
        return "percent"
    if unit == "per_day":
        return "frequency"
    return "time"


def read_number(doc: Doc, i: int) -> tuple[float, int] | None:
    """Read a number starting at token ``i``; return its value and the index after it."""
    if i >= len(doc):
        return None
    tok = doc[i]
    text = tok.text
    low = tok.lower_
    if _DIGITS.match(text):
        if tok.i > 0 and doc[i - 1].text in ("$", "£", "€") and not doc[i - 1].whitespace_:
            return None  # a price
        return float(text.replace(",", "")), i + 1
    if _DECIMAL_COMMA.match(text):
        return float(text.replace(",", ".")), i + 1
    if text in FRACTIONS:
        return FRACTIONS[text], i + 1
    m = _SLASH_FRACTION.match(text)
    if m and int(m.group(2)) in (2, 3, 4, 8) and int(m.group(1)) < int(m.group(2)):
        return int(m.group(1)) / int(m.group(2)), i + 1
    # "half a milligram", "a half", "one and a half"
    if low == "half":
        nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
        return 0.5, (i + 2 if nxt in ("a", "an") else i + 1)
    if low in ("a", "an") and i + 1 < len(doc) and doc[i + 1].lower_ in ("half", "quarter"):
        return (0.5 if doc[i + 1].lower_ == "half" else 0.25), i + 2
    if low in NUMBER_WORDS:
        value = float(NUMBER_WORDS[low])
        j = i + 1
        # "twenty-five", "twenty five"
        if value >= 20 and value % 10 == 0 and j < len(doc):
            k = j + 1 if doc[j].text == "-" else j
            if k < len(doc) and doc[k].lower_ in NUMBER_WORDS and NUMBER_WORDS[doc[k].lower_] < 10:
                value += NUMBER_WORDS[doc[k].lower_]
                j = k + 1
        # "three hundred", "two thousand"
        if j < len(doc) and doc[j].lower_ in MULTIPLIERS and value < 100:
            value *= MULTIPLIERS[doc[j].lower_]
            j += 1
        # "one and a half"
        if j + 2 < len(doc) and doc[j].lower_ == "and" and doc[j + 1].lower_ == "a" and doc[j + 2].lower_ == "half":
            value += 0.5
            j += 3
        return value, j
    return None


def is_number_token(tok) -> bool:
    """Cheap test used to find candidate positions before the full grammar runs."""
    text = tok.text
    return bool(
        _DIGITS.match(text)
        or _DECIMAL_COMMA.match(text)
        or text in FRACTIONS
        or _SLASH_FRACTION.match(text)
        or tok.lower_ in NUMBER_WORDS
        or tok.lower_ == "half"
    )


def read_unit(doc: Doc, i: int) -> tuple[str, int, bool] | None:
    """Read a unit at token ``i``: (canonical unit, index after it, per_day_attached).

    Handles "mg", "milligrams", "mg/kg", "mg per kg", "mg/kg/day", "mg/day", "%", "per cent",
    "hours", and a hyphen before the unit ("30-minute", "0.5-mg").
    """
    n = len(doc)
    if i < n and doc[i].text in ("-", "‐", "/") and i + 1 < n and not doc[i].whitespace_ and (
            doc[i].text != "/" or (i > 0 and not doc[i - 1].whitespace_ and doc[i + 1].lower_ in MASS_UNITS)):
        # "30-minute", "0.5-mg"; "20/mg" (a slash typed for a space)
        found = read_unit(doc, i + 1)
        return found
    if i >= n:
        return None
    low = doc[i].lower_
    if low in MASS_UNITS:
        unit = MASS_UNITS[low]
        if unit == "g" and doc[i].text == "G":
            return None
        j = i + 1
        per_day = False
        # mg/kg, mg per kg, mg/kg/day, mg/day, mg per day; "250 micrograms for each kilogram of body weight"
        kg_end = _per_kilogram(doc, j)
        if kg_end is not None:
            unit = unit + "/kg"  # mcg/kg and g/kg are scaled to mg/kg by the quantity recognizer
            j = kg_end
        elif j + 1 < n and doc[j].text == "/" and doc[j + 1].lower_ in VOLUME_WORDS and not doc[j].whitespace_:
            return None  # "261 mg/dl", "5 mg/mL": a concentration, not a dose
        if j + 1 < n and doc[j].text == "/" and doc[j + 1].lower_ in DAY_WORDS:
            per_day = True
            j += 2
        elif j + 1 < n and doc[j].text == "." and not doc[j - 1].whitespace_ and doc[j + 1].is_lower:
            j += 1  # "150 mg. per night", "600 mg. tabs": the abbreviation's full stop
        return unit, j, per_day
    if low in TIME_UNITS:
        if low == "h" and i > 0 and doc[i - 1].whitespace_:
            return None  # "h" alone is a unit only glued to its number ("24h")
        return TIME_UNITS[low], i + 1, False
    if low in PERCENT_UNITS:
        return "percent", i + 1, False
    if low == "per" and i + 1 < n and doc[i + 1].lower_ == "cent":
        return "percent", i + 2, False
    return None


_TIME_IN_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0, "month": 730.0, "year": 8760.0}
_MASS_IN_MG = {"mg": 1.0, "mcg": 0.001, "g": 1000.0}


def convert_value(value: float, unit: str, target: str) -> float:
    """Convert a number between units of one dimension (minutes to hours, mcg to mg)."""
    for table in (_TIME_IN_HOURS, _MASS_IN_MG):
        if unit in table and target in table:
            return value * table[unit] / table[target]
    return value
