"""Hover text for a claim: what was extracted, and what the label says where a pack has the fact.

The label facts are the ``expect`` and ``limit`` rules that select the claim and can compare
it (the same rules ``auditor check`` judges it by), each with its value, the verdict, and the
rule's source: title, section, verbatim quote and link, as ``auditor rules explain`` shows it.
"""

from __future__ import annotations

from ..claims import Claim
from ..consistency import ATTRIBUTE_NAMES
from ..engine.checks import label_judgement
from ..engine.model import Rule
from ..reports._common import safe_url
from ..runner import Auditor
from ..units import fmt_quantity

MAX_FACTS = 3


def claim_fields(claim: Claim) -> list[tuple[str, str]]:
    """(field, value) rows of the extracted claim, as a reader would say them."""
    rows = [
        ("attribute", f"{claim.attribute} ({ATTRIBUTE_NAMES.get(claim.attribute, claim.attribute)})"),
        ("value", fmt_quantity(claim.value, claim.unit)),
        ("per", claim.per or "-"),
    ]
    if claim.frequency is not None:
        rows.append(("frequency", fmt_quantity(claim.frequency, "per_day")))
    rows.extend([
        ("daily total", fmt_quantity(claim.daily, claim.unit, per_day=True) if claim.daily else "-"),
        ("drug", claim.drug or "-"),
        ("indication", ", ".join(claim.indications) or claim.indication or "-"),
        ("population", claim.population or "not stated (adult)"),
    ])
    flags = [name for name, on in (("negated", claim.negated), ("hypothetical", claim.hypothetical),
                                   ("cited", claim.cited)) if on]
    if claim.formulation:
        flags.append(claim.formulation)
    if flags:
        rows.append(("flags", ", ".join(flags)))
    return rows


def label_facts(auditor: Auditor, claim: Claim) -> list[tuple[Rule, str]]:
    """(rule, verdict) for the label rules that judge this claim, first ``MAX_FACTS`` of them."""
    out: list[tuple[Rule, str]] = []
    for rule in auditor.ruleset.active():
        ok = label_judgement(rule, claim, auditor.lexicon)
        if ok is None:
            continue
        if rule.type == "limit":
            verdict = "within the label's maximum" if ok else "above the label's maximum"
        else:
            verdict = "agrees with the label" if ok else "differs from the label"
        out.append((rule, verdict))
        if len(out) == MAX_FACTS:
            break
    return out


def hover_markdown(auditor: Auditor, claim: Claim) -> str:
    """The hover text (Markdown) for one claim."""
    lines = [f"**auditor claim** `{_code(claim.text or claim.location['quote'])}`", ""]
    lines.append("| field | value |")
    lines.append("| --- | --- |")
    lines.extend(f"| {name} | {_cell(value)} |" for name, value in claim_fields(claim))
    facts = label_facts(auditor, claim)
    if not facts:
        lines.extend(["", "_No label value in the rule packs judges this claim._"])
    for rule, verdict in facts:
        ref = rule.reference
        if ref is None:
            continue
        kind = "maximum" if rule.type == "limit" else "value"
        per = "/day" if ref.per == "day" else (" per dose" if ref.per == "dose" else "")
        lines.extend(["", f"**Label {kind}: {fmt_quantity(ref.value, ref.unit)}{per}** ({verdict}; rule `{rule.id}`)", ""])
        source = rule.source or {}
        cited = ", ".join(str(source[k]) for k in ("title", "version") if source.get(k))
        if source.get("section"):
            lines.append(f"Section {source['section']}" + (f" of {cited}" if cited else ""))
        elif cited:
            lines.append(cited)
        if source.get("quote"):
            lines.extend([f"> {source['quote']}", ""])
        url = safe_url(source.get("url"))
        if url:
            lines.append(f"[{url}]({url})")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return " ".join(text.replace("`", "'").split())
