"""``auditor compare DRUG``: per attribute, what each document says, against the label."""

from __future__ import annotations

from collections import defaultdict

from .claims import Claim
from .consistency import ATTRIBUTE_NAMES
from .engine.checks import agrees, comparable
from .engine.select import claim_matches
from .units import fmt_range

ORDER = list(ATTRIBUTE_NAMES)


def label_verdict(auditor, claim: Claim) -> tuple[str, str]:
    """(label value, verdict) from the first expect/limit rule that judges this claim."""
    for rule in auditor.ruleset.active():
        if rule.type not in ("expect", "limit") or rule.reference is None:
            continue
        if not claim_matches(rule.select, claim, auditor.lexicon):
            continue
        value = comparable(claim, rule)
        if value is None:
            continue
        ref = rule.reference
        shown = f"{fmt_range(ref.value)} {ref.unit}{'/day' if ref.per == 'day' else ''}"
        if rule.type == "limit":
            limit = ref.value.high
            bad = value.high is not None and limit is not None and value.high > limit + 1e-9
            return f"max {shown}", ("ABOVE MAX" if bad else "within max")
        return shown, ("agrees" if agrees(value, ref.value, rule) else "DIFFERS")
    return "-", "-"


def compare_table(auditor, results, drug: str) -> str:
    """``results``: the DocumentResult of each document."""
    rows: dict[str, list[tuple]] = defaultdict(list)
    for result in results:
        for c in result.claims:
            if c.drug != drug or c.attribute in ("dose.mention",) or c.negated:
                continue
            value = c.daily if c.per == "day" and c.daily else c.value
            said = f"{fmt_range(value)} {c.unit}{'/day' if c.per == 'day' else ''}"
            if c.frequency is not None and c.per == "dose":
                said += f" x{fmt_range(c.frequency)}/day"
            if c.hypothetical:
                said += " (if)"
            label, verdict = label_verdict(auditor, c)
            where = f"{c.location['path']}:{c.location['line']}"
            rows[c.attribute].append((where, c.indication or "-", c.population or "-", said, label, verdict))
    if not rows:
        return f"No claims about {drug} in {len(results)} documents.\n"
    out = [f"What {len(results)} documents say about {drug}", ""]
    for attribute in sorted(rows, key=lambda a: ORDER.index(a) if a in ORDER else 99):
        out.append(f"## {ATTRIBUTE_NAMES.get(attribute, attribute)} ({attribute})")
        table = [("document", "indication", "population", "says", "label", "verdict"), *rows[attribute]]
        widths = [max(len(r[i]) for r in table) for i in range(6)]
        for row in table:
            out.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        out.append("")
    return "\n".join(out)
