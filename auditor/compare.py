"""``auditor compare DRUG``: per attribute, what each document says, against the label."""

from __future__ import annotations

from collections import defaultdict

from .claims import Claim
from .consistency import ATTRIBUTE_NAMES
from .engine.checks import label_judgement
from .units import fmt_range

ORDER = list(ATTRIBUTE_NAMES)


def label_verdict(auditor, claim: Claim) -> tuple[str, str]:
    """(label value, verdict) from the first expect/limit rule that judges this claim."""
    for rule in auditor.ruleset.active():
        ok = label_judgement(rule, claim, auditor.lexicon)
        if ok is None:
            continue
        ref = rule.reference
        shown = f"{fmt_range(ref.value)} {ref.unit}{'/day' if ref.per == 'day' else ''}"
        if rule.type == "limit":
            return f"max {shown}", ("within max" if ok else "ABOVE MAX")
        return shown, ("agrees" if ok else "DIFFERS")
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
            who = c.population_detail or c.population or "-"
            rows[c.attribute].append((where, c.indication or "-", who, said, label, verdict))
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
