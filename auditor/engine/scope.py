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
from .select import MATCH, NARROWER, may_select, scope_relation

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
    return ScopeRules([rule], label_rules, lexicon).check(claims)


class ScopeRules:
    """The scope rules of a run, each with the label rules it may judge by, indexed by the drug
    and attribute their selectors accept (``select.may_select``), so that a claim is compared
    only with the rules that can speak to it. Built once; ``check`` gives the findings of every
    scope rule (in rule order) on the claims of one document, as ``check_scope`` for each would.
    """

    def __init__(self, rules: list[Rule], label_rules: list[Rule], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.rules = [r for r in rules if r.type == "scope"]
        self._selectors = [{"formulation": "any", **r.select} if r.select else None for r in self.rules]
        # per scope rule: the label rules of its kind, each with whether it is a ceiling
        self._pools = [[(r, is_maximum(r)) for r in label_rules if (is_maximum if rule.judges == "maximum" else is_value)(r)]
                       for rule in self.rules]
        self._index: dict[tuple[str, str], list[tuple[bool, list[tuple[Rule, bool]]]]] = {}

    def _candidates(self, drug: str, attribute: str) -> list[tuple[bool, list[tuple[Rule, bool]]]]:
        """Per scope rule: whether its own selector may take such a claim, and the label rules that may."""
        key = (drug, attribute)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = [
                (selector is None or may_select(selector, drug, attribute, self.lexicon),
                 [(r, ceiling) for r, ceiling in pool if may_select(r.select, drug, attribute, self.lexicon)])
                for selector, pool in zip(self._selectors, self._pools, strict=True)]
        return found

    def check(self, claims: list[Claim]) -> list[Finding]:
        out: list[Finding] = []
        for number, rule in enumerate(self.rules):
            selector = self._selectors[number]
            for claim in claims:
                if claim.drug is None:
                    continue
                admitted, pool = self._candidates(claim.drug, claim.attribute)[number]
                if not admitted or not pool:
                    continue
                if selector is not None and scope_relation(selector, claim, self.lexicon, prefiltered=True) != MATCH:
                    continue
                finding = self._judge(rule, claim, pool)
                if finding is not None:
                    out.append(finding)
        return out

    def _judge(self, rule: Rule, claim: Claim, pool: list[tuple[Rule, bool]]) -> Finding | None:
        members = []
        for r, ceiling in pool:
            relation = scope_relation(r.select, claim, self.lexicon, ceiling=ceiling, prefiltered=True)
            if relation == MATCH:
                return None  # a rule of this kind selects the claim directly
            if relation == NARROWER and _speaks_for(r, claim):
                value = comparable(claim, r)
                if value is not None:
                    members.append((r, value))
        if not members:
            return None
        if rule.judges == "maximum":
            if not all(_violates_limit(r, value) for r, value in members):
                return None
        elif any(overlaps(r, value) for r, value in members):
            return None
        return _finding(rule, claim, members)


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
