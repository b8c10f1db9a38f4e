"""The claim model: one numeric statement extracted from an article.

``Claim.to_record()`` produces exactly the record of ``CLAIMS.md`` (the contract other
tools read), plus a few extra keys (``effect``, ``explain``). ``Claim.to_dict()`` and
``Claim.from_dict()`` are a lossless JSON form of every field, for the claim cache and for
work handed between processes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from typing import Any

ATTRIBUTES = (
    "dose.start",
    "dose.target",
    "dose.max",
    "dose.increment",
    "dose.typical",
    "dose.mention",
    "frequency",
    "onset",
    "duration.effect",
    "peak",
    "half_life",
    "treatment.duration",
    "incidence",
    "efficacy",
)
UNITS = (
    "mg", "mcg", "g", "mg/kg", "hour", "minute", "day", "week", "month", "year",
    "percent", "per_day",
)


@dataclass(frozen=True, slots=True)
class Range:
    """A value or range; ``low`` None is an open lower end, ``high`` None an open upper end."""

    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {"low": _num(self.low), "high": _num(self.high)}

    def to_list(self) -> list[float | None]:
        """``[low, high]`` exactly (no rounding), for the lossless form of a claim."""
        return [self.low, self.high]

    @classmethod
    def from_list(cls, pair: list[float | None] | None) -> Range | None:
        return None if pair is None else cls(pair[0], pair[1])

    def scaled(self, factor: float) -> Range:
        return Range(
            None if self.low is None else self.low * factor,
            None if self.high is None else self.high * factor,
        )

    def __str__(self) -> str:
        if self.low == self.high:
            return _fmt(self.low)
        if self.low is None:
            return f"up to {_fmt(self.high)}"
        if self.high is None:
            return f"above {_fmt(self.low)}"
        return f"{_fmt(self.low)}-{_fmt(self.high)}"


def _num(x: float | None) -> float | int | None:
    if x is None:
        return None
    x = round(float(x), 6)
    return int(x) if x.is_integer() else x


def _fmt(x: float | None) -> str:
    return "?" if x is None else f"{_num(x)}"


@dataclass(slots=True)
class Claim:
    """A typed, normalized numeric claim, with its place in the plain text."""

    path: str
    start: int  # plain-text offsets of the value span in Document.text
    end: int
    location: dict[str, Any]  # path, line, column, end_line, end_column, quote
    sentence: str
    attribute: str
    value: Range
    unit: str
    drug: str | None = None
    per: str | None = None
    frequency: Range | None = None
    daily: Range | None = None
    indication: str | None = None
    indications: list[str] = field(default_factory=list)  # all indications the claim is stated for
    population: str | None = None
    negated: bool = False
    hypothetical: bool = False
    cited: bool = False
    effect: str | None = None
    drug_class: str | None = None
    heading: str | None = None
    formulation: str | None = None  # "extended-release" when the text says so; None: immediate or unstated
    text: str = ""  # the value span as a reader sees it (entities decoded, whitespace folded)
    explain: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Every field, losslessly, as JSON-serializable values (``from_dict`` reverses it)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _RANGES:
                value = None if value is None else value.to_list()
            elif f.name in ("location", "explain"):
                value = dict(value)
            elif f.name == "indications":
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        """The claim ``to_dict`` wrote (names that recur from claim to claim are stored once)."""
        values = dict(data)
        for name in _RANGES:
            if name in values:
                values[name] = Range.from_list(values[name])
        for name in _NAMES:
            if isinstance(values.get(name), str):
                values[name] = sys.intern(values[name])
        if isinstance(values.get("location"), dict) and isinstance(values["location"].get("path"), str):
            values["location"]["path"] = sys.intern(values["location"]["path"])
        return cls(**values)

    def to_record(self, explain: bool = False) -> dict[str, Any]:
        """The CLAIMS.md record (key order as in the spec)."""
        freq = None
        if self.frequency is not None:
            freq = (
                _num(self.frequency.low)
                if self.frequency.low == self.frequency.high
                else self.frequency.as_dict()
            )
        record: dict[str, Any] = {
            **self.location,
            "sentence": self.sentence,
            "drug": self.drug,
            "attribute": self.attribute,
            "value": self.value.as_dict(),
            "unit": self.unit,
            "per": self.per,
            "frequency": freq,
            "daily": self.daily.as_dict() if self.daily else None,
            "indication": self.indication,
            "population": self.population,
            "negated": self.negated,
            "hypothetical": self.hypothetical,
            "cited": self.cited,
        }
        if self.effect is not None:
            record["effect"] = self.effect
        if len(self.indications) > 1:
            record["indications"] = list(self.indications)
        if self.formulation is not None:
            record["formulation"] = self.formulation
        if explain:
            record["explain"] = dict(self.explain)
        return record


_RANGES = ("value", "frequency", "daily")
_NAMES = ("path", "attribute", "unit", "drug", "per", "indication", "population", "effect", "drug_class", "heading",
          "formulation")
