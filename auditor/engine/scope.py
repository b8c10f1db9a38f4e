"""The ``scope`` rule type: claims that are broader than every label fact that could judge them.

A label's facts are scoped: a maximum for panic disorder, a start for women, a dose for a band
of creatinine clearance. A claim that names no indication ("the maximum dose of clonazepam is
30 mg a day"), a broader one ("for anxiety", when the label doses panic disorder), or a broader
population ("adults", when the label doses women and men apart) is selected by none of them,
and without this check it would pass unjudged.

For such a claim, the label rules that would select it if it were as specific as they are
(``scope_relation`` is ``NARROWER``) are its candidates, and the claim is judged against the
most permissive of them:

- ``judges: maximum``: the ``limit`` rules that set a ceiling (``<=``); a value above every one
  of them is a finding;
- ``judges: value``: the ``expect`` rules (and the ceilings on starting doses); a value that
  overlaps none of them is a finding (a range that reaches a labelled value is given the
  benefit of the doubt).

The scope rule's own ``select`` narrows the claims it judges (``label.scope.value`` judges
starting, target and usual doses).

A claim that a rule of the same kind already selects directly is left to that rule. The
message names every labelled value with the indication and population it is for; the finding
carries the most permissive one as its reference, with that rule's source.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ..claims import Claim, Range
from ..findings import Finding, fingerprint
from ..lexicon import Lexicon
from ..units import convert, fmt, fmt_range
from .checks import _violates_limit, claim_finding, comparable, message_values, render_message
from .model import Rule
from .select import MATCH, NARROWER, scope_relation

ATTRIBUTE_NAMES = {
    "dose.start": "a starting dose", "dose.target": "a target dose", "dose.max": "a maximum",
    "dose.increment": "a dose step", "dose.typical": "a usual dose", "dose.mention": "a dose",
    "peak": "a time to peak", "half_life": "a half-life", "onset": "a time to onset",
    "duration.effect": "a duration of effect",
}


def is_maximum(rule: Rule) -> bool:
    """A label maximum: a ceiling (``limit`` with ``<=``) on claims that include ``dose.max``."""
    attributes = rule.select.get("attribute") or []
    attributes = attributes if isinstance(attributes, list) else [attributes]
    return (rule.type == "limit" and rule.compare in ("<=", "<") and rule.reference is not None
            and any(fnmatch.fnmatchcase("dose.max", a) for a in attributes))


def is_value(rule: Rule) -> bool:
    """Any other labelled value: an ``expect`` rule, or a limit on starts or steps."""
    return rule.reference is not None and (rule.type == "expect" or (rule.type == "limit" and not is_maximum(rule)))


def overlaps(rule: Rule, value: Range) -> bool:
    """Some part of the value is one the rule allows."""
    ends = [x for x in (value.low, value.high) if x is not None]
    if rule.type == "limit":
        return any(not _violates_limit(rule, Range(x, x)) for x in ends)
    ref = rule.reference.value
    low = ref.low if ref.low is not None else ref.high
    high = ref.high if ref.high is not None else ref.low
    if low is None or high is None or not ends:
        return True
    v_low = value.low if value.low is not None else float("-inf")
    v_high = value.high if value.high is not None else float("inf")
    return v_low <= high + rule.tolerance_for(high) + 1e-9 and v_high >= low - rule.tolerance_for(low) - 1e-9


def check_scope(rule: Rule, label_rules: list[Rule], claims: list[Claim], lexicon: Lexicon) -> list[Finding]:
    """Findings of one ``scope`` rule over the claims of a document."""
    wanted = is_maximum if rule.judges == "maximum" else is_value
    pool = [r for r in label_rules if wanted(r)]
    out = []
    for claim in claims:
        if claim.drug is None:
            continue
        if rule.select and scope_relation({"formulation": "any", **rule.select}, claim, lexicon) != MATCH:
            continue
        members = []
        direct = False
        for r in pool:
            relation = scope_relation(r.select, claim, lexicon, ceiling=is_maximum(r))
            if relation == MATCH:
                direct = True
                break
            if relation == NARROWER and _speaks_for(r, claim):
                value = comparable(claim, r)
                if value is not None:
                    members.append((r, value))
        if direct or not members:
            continue
        if rule.judges == "maximum":
            if not all(_violates_limit(r, value) for r, value in members):
                continue
        elif any(overlaps(r, value) for r, value in members):
            continue
        out.append(_finding(rule, claim, members))
    return out


def _speaks_for(rule: Rule, claim: Claim) -> bool:
    """A rule with no population (or condition) judges everyone directly, but under a claim about
    older adults or children (or about renal impairment) only a rule that names that population
    (or condition) is one of its facts."""
    if claim.condition is not None and not (rule.select.get("condition") or rule.select.get("renal_function")):
        return False
    return claim.population in (None, "adult") or bool(rule.select.get("population"))


def _finding(rule: Rule, claim: Claim, members: list[tuple[Rule, Range]]) -> Finding:
    permissive = max(members, key=lambda m: _upper(m[0], claim))[0]
    labelled = "; ".join(f"{label_value(r)} ({scope_text(r)})" for r, _ in members)
    said = [f"for {claim.indication}" if claim.indication else "no indication named"]
    if claim.population_detail or claim.population:
        said.append(claim.population_detail or claim.population)
    if claim.condition:
        said.append(claim.condition)
    per_day = claim.per == "day" and claim.daily is not None
    values = message_values(rule, claim, labelled=labelled, scope=", ".join(said),
                            claim_said=f"{fmt_range(claim.daily)} {claim.unit}/day" if per_day
                            else f"{fmt_range(claim.value)} {claim.unit}",
                            attribute_name=ATTRIBUTE_NAMES.get(claim.attribute, "a value"),
                            count=len(members))
    values.update(ref_value=fmt_range(permissive.reference.value), ref_unit=permissive.reference.unit)
    finding = claim_finding(permissive, claim, render_message(rule.message, values))
    finding.rule, finding.severity, finding.help = rule.id, rule.severity, rule.description
    loc = claim.location
    finding.fingerprint = fingerprint(rule.id, loc["path"], f"{loc['quote']}\0{claim.sentence}", 0)
    return finding


def _upper(rule: Rule, claim: Claim) -> float:
    ref = rule.reference
    value = convert(ref.daily() or ref.value, ref.unit, claim.unit)
    if value is None:
        return float("-inf")
    return value.high if value.high is not None else (value.low or 0.0)


def label_value(rule: Rule) -> str:
    """ "4 mg/day", "0.25 mg twice daily", "25-35 mg/kg/day": a rule's reference as a label states it."""
    ref = rule.reference
    text = f"{fmt_range(ref.value)} {ref.unit}"
    if ref.per == "day":
        return text + "/day"
    if ref.frequency is not None:
        return f"{text} {_times(ref.frequency)}"
    return text


def _times(freq: Range) -> str:
    words = {1: "once daily", 2: "twice daily"}
    if freq.low == freq.high:
        return words.get(int(freq.low or 0), f"{fmt(freq.low)} times daily")
    return f"{fmt(freq.low)} to {fmt(freq.high)} times daily"


def scope_text(rule: Rule) -> str:
    """Who and what a rule's value is for: "panic disorder", "seizure disorder, adult", "women"."""
    sel: dict[str, Any] = rule.select
    parts = []
    for key in ("indication", "population", "condition"):
        value = sel.get(key)
        if value:
            parts.append(" or ".join(value) if isinstance(value, list) else str(value))
    for key, unit in (("age", "years"), ("weight", "kg"), ("renal_function", "mL/min creatinine clearance")):
        band = sel.get(key)
        if band is not None:
            low, high = band
            if low is None:
                parts.append(f"up to {fmt(high)} {unit}")
            elif high is None:
                parts.append(f"{fmt(low)} {unit} or more")
            else:
                parts.append(f"{fmt(low)}-{fmt(high)} {unit}")
    if sel.get("formulation"):
        parts.append(str(sel["formulation"]))
    return ", ".join(parts) or "all uses"
