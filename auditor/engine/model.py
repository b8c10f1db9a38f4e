"""Rules and packs as loaded from YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..claims import Range


@dataclass(frozen=True)
class Reference:
    """A label value a rule compares claims with."""

    value: Range
    unit: str
    per: str | None = None
    frequency: Range | None = None

    @classmethod
    def from_yaml(cls, data: dict[str, Any]) -> Reference:
        return cls(_range(data["value"]), data["unit"], data.get("per"),
                   _range(data["frequency"]) if data.get("frequency") is not None else None)

    def daily(self) -> Range | None:
        """The reference as a daily total, when it can be computed."""
        if self.per == "day":
            return self.value
        if self.per == "dose" and self.frequency is not None and self.value.low is not None:
            return Range(self.value.low * (self.frequency.low or 1),
                         (self.value.high or self.value.low) * (self.frequency.high or self.frequency.low or 1))
        return None

    def to_record(self, source: dict[str, Any] | None) -> dict[str, Any]:
        return {"value": self.value.as_dict(), "unit": self.unit, "per": self.per, "source": source}


def _range(value: Any) -> Range:
    if isinstance(value, list):
        return Range(value[0], value[1])
    return Range(value, value)


@dataclass
class Rule:
    """One rule of a pack (see ``auditor/schema/rules.schema.json``)."""

    id: str
    type: str
    severity: str
    message: str
    description: str
    pack: str
    path: str
    line: int
    select: dict[str, Any] = field(default_factory=dict)
    when: dict[str, Any] = field(default_factory=dict)
    reference: Reference | None = None
    compare: str | None = None
    tolerance: str | float | None = None
    phrases: list[dict[str, Any]] = field(default_factory=list)
    suggest: str | None = None
    scope: str = "across"
    group_by: list[str] = field(default_factory=list)
    against: dict[str, Any] | None = None
    values: str = "any"  # consistency: "ranges", "points" or "any"
    judges: str | None = None  # scope: "maximum" (limit rules that set a ceiling) or "value" (expect rules)
    accept_sources_section: bool = False
    source: dict[str, Any] | None = None  # resolved: title, section, url, version, quote
    reviewed: str | None = None
    example: dict[str, str] | None = None
    enabled: bool = True
    draft: bool = False  # made by `auditor rules draft`

    @property
    def unreviewed_draft(self) -> bool:
        """A drafted rule nobody has checked against the label yet."""
        return self.draft and self.reviewed is None

    def tolerance_for(self, magnitude: float) -> float:
        """Absolute tolerance around ``magnitude`` ("10%" is relative)."""
        tol = self.tolerance
        if tol is None:
            return 0.0
        if isinstance(tol, str) and tol.endswith("%"):
            return abs(magnitude) * float(tol[:-1]) / 100
        return float(tol)

    def metadata(self) -> dict[str, Any]:
        """What reports need to describe the rule (SARIF driver rules, text output)."""
        return {
            "id": self.id, "type": self.type, "severity": self.severity, "description": self.description,
            "message": self.message, "source": self.source, "pack": self.pack, "reviewed": self.reviewed,
            "example": self.example,
        }


@dataclass
class Pack:
    """A rule pack: one YAML file."""

    id: str
    path: str
    title: str | None
    version: str | None
    drug: str | None
    rules: list[Rule]
