"""Reading numbers and units from tokens: "0.5", ".5", "1,000", "½", "two", "half a".

Pure functions over spaCy tokens; the quantity recognizer builds on them.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from .token_table import token_table

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
    lower = token_table(doc).lower
    if j >= n or lower[j] not in _PER_KG_FIRST:
        return None
    for opener in _PER_KG_OPENERS:
        k = j + len(opener)
        if k < n and all(lower[j + m] == w for m, w in enumerate(opener)) and lower[k] in KG_WORDS:
            k += 1
            if k + 2 <= n and lower[k] == "of" and lower[k + 1] in ("body", "bodyweight"):
                k += 3 if k + 2 < n and lower[k + 2] == "weight" else 2
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
    n = len(doc)
    if i >= n:
        return None
    table = token_table(doc)
    texts, lower = table.text, table.lower
    text = texts[i]
    low = lower[i]
    if not is_number_word(text, low) and low not in ("a", "an"):
        return None
    if _DIGITS.match(text):
        if i > 0 and texts[i - 1] in ("$", "£", "€") and not table.ws[i - 1]:
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
        nxt = lower[i + 1] if i + 1 < n else ""
        return 0.5, (i + 2 if nxt in ("a", "an") else i + 1)
    if low in ("a", "an") and i + 1 < n and lower[i + 1] in ("half", "quarter"):
        return (0.5 if lower[i + 1] == "half" else 0.25), i + 2
    if low in NUMBER_WORDS:
        value = float(NUMBER_WORDS[low])
        j = i + 1
        # "twenty-five", "twenty five"
        if value >= 20 and value % 10 == 0 and j < n:
            k = j + 1 if texts[j] == "-" else j
            if k < n and lower[k] in NUMBER_WORDS and NUMBER_WORDS[lower[k]] < 10:
                value += NUMBER_WORDS[lower[k]]
                j = k + 1
        # "three hundred", "two thousand"
        if j < n and lower[j] in MULTIPLIERS and value < 100:
            value *= MULTIPLIERS[lower[j]]
            j += 1
        # "one and a half"
        if j + 2 < n and lower[j] == "and" and lower[j + 1] == "a" and lower[j + 2] == "half":
            value += 0.5
            j += 3
        return value, j
    return None


_NUMBER_WORDS_SEEN: dict[str, bool] = {}


def is_number_word(text: str, low: str) -> bool:
    """Whether a token (its text and lowercased text) can start a number: "0.5", "1,000", "½", "two",
    "half". Cached by text, since the answer depends on the text alone."""
    found = _NUMBER_WORDS_SEEN.get(text)
    if found is None:
        if len(_NUMBER_WORDS_SEEN) > 200_000:
            _NUMBER_WORDS_SEEN.clear()
        found = _NUMBER_WORDS_SEEN[text] = bool(
            _DIGITS.match(text)
            or _DECIMAL_COMMA.match(text)
            or text in FRACTIONS
            or _SLASH_FRACTION.match(text)
            or low in NUMBER_WORDS
            or low == "half"
        )
    return found


def is_number_token(tok) -> bool:
    """Cheap test used to find candidate positions before the full grammar runs."""
    return is_number_word(tok.text, tok.lower_)


def read_unit(doc: Doc, i: int) -> tuple[str, int, bool] | None:
    """Read a unit at token ``i``: (canonical unit, index after it, per_day_attached).

    Handles "mg", "milligrams", "mg/kg", "mg per kg", "mg/kg/day", "mg/day", "%", "per cent",
    "hours", and a hyphen before the unit ("30-minute", "0.5-mg").
    """
    n = len(doc)
    table = token_table(doc)
    texts, lower, ws = table.text, table.lower, table.ws
    if i < n and texts[i] in ("-", "‐", "/") and i + 1 < n and not ws[i] and (
            texts[i] != "/" or (i > 0 and not ws[i - 1] and lower[i + 1] in MASS_UNITS)):
        # "30-minute", "0.5-mg"; "20/mg" (a slash typed for a space)
        found = read_unit(doc, i + 1)
        return found
    if i >= n:
        return None
    low = lower[i]
    if low in MASS_UNITS:
        unit = MASS_UNITS[low]
        if unit == "g" and texts[i] == "G":
            return None
        j = i + 1
        per_day = False
        # mg/kg, mg per kg, mg/kg/day, mg/day, mg per day; "250 micrograms for each kilogram of body weight"
        kg_end = _per_kilogram(doc, j)
        if kg_end is not None:
            unit = unit + "/kg"  # mcg/kg and g/kg are scaled to mg/kg by the quantity recognizer
            j = kg_end
        elif j + 1 < n and texts[j] == "/" and lower[j + 1] in VOLUME_WORDS and not ws[j]:
            return None  # "261 mg/dl", "5 mg/mL": a concentration, not a dose
        if j + 1 < n and texts[j] == "/" and lower[j + 1] in DAY_WORDS:
            per_day = True
            j += 2
        elif j + 1 < n and texts[j] == "." and not ws[j - 1] and table.is_lower[j + 1]:
            j += 1  # "150 mg. per night", "600 mg. tabs": the abbreviation's full stop
        return unit, j, per_day
    if low in TIME_UNITS:
        if low == "h" and i > 0 and ws[i - 1]:
            return None  # "h" alone is a unit only glued to its number ("24h")
        return TIME_UNITS[low], i + 1, False
    if low in PERCENT_UNITS:
        return "percent", i + 1, False
    if low == "per" and i + 1 < n and lower[i + 1] == "cent":
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
