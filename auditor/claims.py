"""The claim model: one numeric statement extracted from an article.

``Claim.to_record()`` produces exactly the record of ``CLAIMS.md`` (the contract other
tools read), plus a few extra keys (``effect``, ``explain``). ``Claim.to_dict()`` and
``Claim.from_dict()`` are a lossless JSON form of every field, for the claim cache and for
work handed between processes. ``ClaimSpool`` holds the claims of one long document on disk
past ``SPOOL_CLAIMS`` of them, so that a run's memory does not grow with one document's size.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import IO, Any

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
    formulation: str | None = None  # a formulation of rules/lexicon/formulations.yaml; None: immediate-release or unstated
    population_detail: str | None = None  # a subgroup of the population that labels dose apart ("women", "men")
    condition: str | None = None  # "hepatic impairment", "renal impairment", "hemodialysis"
    renal_function: Range | None = None  # creatinine clearance band stated, in mL/min
    age: Range | None = None  # age bounds stated for the population, in years ("children up to 10 years")
    weight: Range | None = None  # body-weight bounds stated for the population, in kg
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
        if self.population_detail is not None:
            record["population_detail"] = self.population_detail
        if self.condition is not None:
            record["condition"] = self.condition
        for key in ("renal_function", "age", "weight"):
            bound = getattr(self, key)
            if bound is not None:
                record[key] = bound.as_dict()
        if explain:
            record["explain"] = dict(self.explain)
        return record


_RANGES = ("value", "frequency", "daily", "renal_function", "age", "weight")
_NAMES = ("path", "attribute", "unit", "drug", "per", "indication", "population", "effect", "drug_class", "heading",
          "formulation", "population_detail", "condition")


def compact(claims: Iterable[Claim], previous: Claim | None = None) -> list[Claim]:
    """``claims`` with equal strings shared (the same values, less memory): a claim's ``text``
    is its quote's string when they are equal, and its ``sentence`` the previous claim's when
    both stand in the same sentence (``previous``: the claim before the first)."""
    out = list(claims)
    for claim in out:
        quote = claim.location.get("quote")
        if claim.text == quote:
            claim.text = quote
        if previous is not None and claim.sentence == previous.sentence:
            claim.sentence = previous.sentence
        previous = claim
    return out


SPOOL_CLAIMS = 5_000  # claims a ClaimSpool holds in memory; more go to its temporary file
SPOOL_BATCH = 1_000  # claims pickled (and read back) together
HAND_OFF = False  # True in a worker process of a run: spools cross to the run as files (``ClaimSpool.__reduce__``)
_NO_EXPLAIN: dict[str, str] = {}


class ClaimSpool:
    """The claims of one document in order, as ``DocumentResult.claims`` of a long document.

    Up to ``SPOOL_CLAIMS`` claims are held in a list (``list_or_self`` then gives that list);
    past that they are pickled ``SPOOL_BATCH`` at a time to an unnamed temporary file (on POSIX
    it has no name from the start, so a killed run leaves nothing) and read back a batch at a
    time each time the spool is iterated, any number of times. ``len`` is known without reading.
    A spool crosses processes as the list of its claims (a spool again on the other side).
    """

    def __init__(self, claims: Iterable[Claim] = ()) -> None:
        self._held: list[Claim] = []  # claims not written (all of them while there is no file)
        self._file: IO[bytes] | None = None
        self._offsets: list[int] = []  # where each written batch starts in the file
        self._count = 0
        self.keep_explain = True  # False: claims come back without their ``explain``
        self.extend(claims)

    def extend(self, claims: Iterable[Claim]) -> None:
        """Add claims after those already held (``compact``: equal strings shared)."""
        before = len(self._held)
        self._held.extend(compact(claims, self._held[-1] if self._held else None))
        self._count += len(self._held) - before
        if len(self._held) >= (SPOOL_BATCH if self._file is not None else SPOOL_CLAIMS):
            self._write()

    def _write(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="auditor-claims-")  # noqa: SIM115  (closed by close or with the spool)
        file, held = self._file, self._held
        file.seek(0, 2)
        for i in range(0, len(held) - SPOOL_BATCH + 1, SPOOL_BATCH):
            self._offsets.append(file.tell())
            pickle.dump(held[i:i + SPOOL_BATCH], file, pickle.HIGHEST_PROTOCOL)
        del held[:len(held) - len(held) % SPOOL_BATCH]

    @property
    def spooled(self) -> bool:
        """Whether some claims are on disk."""
        return self._file is not None

    def list_or_self(self) -> list[Claim] | ClaimSpool:
        """The list of the claims when none went to disk, else the spool."""
        return self._held if self._file is None else self

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Claim]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Claim]]:
        """The claims in order, a list of at most ``SPOOL_BATCH`` of them (or those held) at a time."""
        file = self._file
        for offset in list(self._offsets):
            assert file is not None
            file.seek(offset)
            yield self._read(pickle.load(file))  # a file this spool wrote
        if self._held:
            yield self._read(list(self._held))

    def _read(self, batch: list[Claim]) -> list[Claim]:
        if not self.keep_explain:
            for claim in batch:
                claim.explain = _NO_EXPLAIN
        return batch

    def close(self) -> None:
        """Remove the temporary file (the spool is empty afterwards)."""
        if self._file is not None:
            self._file.close()
        self._file, self._offsets, self._held, self._count = None, [], [], 0

    def __reduce__(self) -> tuple[Any, ...]:
        """A spool crosses processes as its claims; with ``HAND_OFF`` (processes of one machine) a
        spool on disk crosses as the name of a copy of its file, which the receiver opens and
        removes at once (``_adopt``), so that its claims are never held together."""
        if not (HAND_OFF and self._file is not None):
            return (ClaimSpool, (list(self),))
        offsets = list(self._offsets)
        with tempfile.NamedTemporaryFile(prefix="auditor-claims-", delete=False) as copy:
            self._file.seek(0)
            shutil.copyfileobj(self._file, copy)
            held = copy.tell()
            if self._held:
                offsets.append(held)
                pickle.dump(self._held, copy, pickle.HIGHEST_PROTOCOL)
        return (_adopt, (copy.name, offsets, self._count, self.keep_explain))


def _adopt(name: str, offsets: list[int], count: int, keep_explain: bool) -> ClaimSpool:
    """The spool whose file another process copied to ``name`` (``ClaimSpool.__reduce__``)."""
    spool = ClaimSpool()
    try:
        spool._file = open(name, "rb")  # noqa: SIM115  (closed by close or with the spool)
    finally:
        with contextlib.suppress(OSError):  # where an open file can go (POSIX), it goes now
            os.unlink(name)
    spool._offsets, spool._count, spool.keep_explain = offsets, count, keep_explain
    return spool
