"""``auditor claims --format table``: extracted claims for people, one line each."""

from __future__ import annotations

from ..claims import Claim
from ..units import fmt_range


def _flags(claim: Claim) -> str:
    flags = [name for name in ("negated", "hypothetical", "cited") if getattr(claim, name)]
    return ",".join(flags)


def render_claims(claims: list[Claim], explain: bool = False) -> str:
    rows = [("where", "attribute", "value", "per", "drug", "indication", "population", "flags", "quote")]
    for c in claims:
        loc = c.location
        value = f"{fmt_range(c.value)} {c.unit}"
        if c.frequency is not None:
            value += f" x{fmt_range(c.frequency)}/day"
        rows.append((f"{loc['path']}:{loc['line']}:{loc['column']}", c.attribute, value, c.per or "-", c.drug or "-",
                     c.indication or "-", c.population or "-", _flags(c) or "-", loc["quote"]))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1])
        if explain and n:
            claim = claims[n - 1]
            for key, why in claim.explain.items():
                lines.append(f"    {key}: {why}")
    lines.append(f"{len(claims)} claims")
    return "\n".join(lines) + "\n"
