"""Unit normalization: every value compared by a rule is first put on one scale per dimension."""

from __future__ import annotations

from .claims import Range

# unit -> (dimension, factor to the base unit of the dimension)
SCALE: dict[str, tuple[str, float]] = {
    "mg": ("mass", 1.0),
    "mcg": ("mass", 0.001),
    "g": ("mass", 1000.0),
    "mg/kg": ("mass_per_kg", 1.0),
    "minute": ("time", 1 / 60),
    "hour": ("time", 1.0),
    "day": ("time", 24.0),
    "week": ("time", 168.0),
    "month": ("time", 730.0),
    "year": ("time", 8760.0),
    "percent": ("percent", 1.0),
    "per_day": ("frequency", 1.0),
}
BASE_UNIT = {"mass": "mg", "mass_per_kg": "mg/kg", "time": "hour", "percent": "percent", "frequency": "per_day"}


def dimension(unit: str) -> str:
    return SCALE.get(unit, (unit, 1.0))[0]


def to_base(value: Range, unit: str) -> Range:
    """``value`` in ``unit`` expressed in the base unit of its dimension (mg, hour, ...)."""
    return value.scaled(SCALE.get(unit, (unit, 1.0))[1])


def convert(value: Range, unit: str, target: str) -> Range | None:
    """``value`` converted to ``target``; None when the two units measure different things."""
    if dimension(unit) != dimension(target):
        return None
    return to_base(value, unit).scaled(1 / SCALE[target][1])


def fmt(x: float | None) -> str:
    if x is None:
        return "?"
    x = round(float(x), 4)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def fmt_range(value: Range) -> str:
    if value.low is None and value.high is None:
        return "?"
    if value.low is None:
        return f"up to {fmt(value.high)}"
    if value.high is None:
        return f"above {fmt(value.low)}"
    if value.low == value.high:
        return fmt(value.low)
    return f"{fmt(value.low)}-{fmt(value.high)}"


def fmt_quantity(value: Range, unit: str, per_day: bool = False) -> str:
    """ "8-12 hours", "0.25 mg", "1-2 mg/day", "30%": a value with its unit, as people write it."""
    text = fmt_range(value)
    if unit == "percent":
        return f"{text}%"
    if unit == "per_day":
        words = {"1": "once a day", "2": "twice a day"}
        return words.get(text, f"{text} times a day")
    if unit in ("minute", "hour", "day", "week", "month", "year"):
        one = value.low == value.high == 1 or (value.low is None and value.high == 1)
        return f"{text} {unit if one else unit + 's'}"
    return f"{text} {unit}{'/day' if per_day else ''}"
