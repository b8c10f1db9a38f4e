"""Contradictions between documents and inside one: the ``consistency`` rule type.

Claims are grouped by a key -- drug, attribute, and where the rule asks for them, the root
of the indication hierarchy, population and per -- in one pass over the claims, so the cost
grows with the number of claims, not with the number of document pairs. Inside a group,
claims are clustered by value (after unit normalization, daily totals for doses per day);
a group with more than one cluster is a disagreement and becomes one finding with every
place involved. Indications are compared along their lineage only: "panic disorder" and
"anxiety" speak to the same readers, "panic disorder" and "social anxiety disorder" do not.

A rule with ``against`` compares two kinds of claims instead: e.g. a maximum (``select``)
below a typical dose (``against``) stated elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .claims import Claim, Range
from .engine.checks import agrees, comparable, render_message
from .engine.model import Rule
from .engine.select import claim_matches, may_select
from .findings import Finding, Related, fingerprint
from .lexicon import Lexicon
from .units import BASE_UNIT, dimension, fmt_quantity, fmt_range, to_base

ATTRIBUTE_NAMES = {
    "dose.start": "starting dose", "dose.target": "target dose", "dose.max": "maximum dose",
    "dose.increment": "dose step", "dose.typical": "usual dose", "dose.mention": "dose",
    "frequency": "dosing frequency", "onset": "time to onset", "duration.effect": "duration of effect",
    "peak": "time to peak", "half_life": "half-life", "treatment.duration": "treatment duration",
    "incidence": "incidence", "efficacy": "efficacy",
}


@dataclass
class _Point:
    claim: Claim
    value: Range  # in the base unit of its dimension
    unit: str


def _root(lexicon: Lexicon, indication: str | None) -> str | None:
    seen = set()
    while indication is not None and lexicon.indication_parent.get(indication) and indication not in seen:
        seen.add(indication)
        indication = lexicon.indication_parent[indication]
    return indication


def _key(rule: Rule, claim: Claim, lexicon: Lexicon) -> tuple:
    parts: list[Any] = []
    for field in rule.group_by:
        if field == "indication":
            parts.append(_root(lexicon, claim.indication))
        elif field == "population":
            # subgroups the labels dose apart (women, men) are compared among themselves
            parts.append(claim.population_detail or claim.population or "adult")
        elif field == "unit":
            parts.append(dimension(claim.unit))
        elif field == "per":
            # a dose whose daily total is known compares as a daily total
            parts.append("day" if claim.daily is not None else claim.per)
        else:
            parts.append(getattr(claim, field))
    parts.append(dimension(claim.unit))
    # another formulation (Xanax XR, Ambien CR) compares only with claims about that formulation
    parts.append(claim.formulation)
    return tuple(parts)


def _every_formulation(selector: dict | None) -> dict:
    """A consistency selector that names no formulation takes claims of every formulation;
    ``_key`` keeps each formulation in its own group."""
    return {"formulation": "any", **(selector or {})}


def _said(claim: Claim) -> str:
    """What a claim says, as a reader would write it (daily totals for daily doses)."""
    if claim.daily is not None and claim.per == "day":
        return fmt_quantity(claim.daily, claim.unit, per_day=True)
    text = fmt_quantity(claim.value, claim.unit)
    if claim.frequency is not None and claim.per == "dose":
        text += f" {fmt_quantity(claim.frequency, 'per_day')}"
    return text


def _takes_part(rule: Rule, claim: Claim) -> bool:
    is_range = claim.value.low != claim.value.high
    return rule.values == "any" or (rule.values == "ranges") == is_range


def _point(claim: Claim) -> _Point:
    value = claim.daily if claim.daily is not None else claim.value
    return _Point(claim, to_base(value, claim.unit), BASE_UNIT.get(dimension(claim.unit), claim.unit))


def same_readers(lexicon: Lexicon, a: str | None, b: str | None) -> bool:
    """Two indications speak to the same readers when one is a kind of the other."""
    if a == b:
        return True
    if a is None or b is None:
        return False
    return lexicon.indication_is_a(a, b) or lexicon.indication_is_a(b, a)


def values_agree(a: Range, b: Range, tolerance: float) -> bool:
    """Open ends are unknown, not disagreement; a point inside a range agrees with it."""
    a_point = a.low is not None and a.low == a.high
    b_point = b.low is not None and b.low == b.high
    if a_point != b_point:
        point, span = (a, b) if a_point else (b, a)
        lo = span.low if span.low is not None else float("-inf")
        hi = span.high if span.high is not None else float("inf")
        return lo - tolerance <= point.low <= hi + tolerance
    for x, y in ((a.low, b.low), (a.high, b.high)):
        if x is not None and y is not None and abs(x - y) > tolerance + 1e-9:
            return False
    return True


def _clusters(points: list[_Point], rule: Rule) -> list[list[_Point]]:
    clusters: list[list[_Point]] = []
    for p in sorted(points, key=lambda p: (p.claim.path, p.claim.location["line"], p.claim.location["column"])):
        magnitude = p.value.high if p.value.high is not None else (p.value.low or 0)
        tol = rule.tolerance_for(magnitude)
        for cluster in clusters:
            head = cluster[0]
            if values_agree(head.value, p.value, tol):
                cluster.append(p)
                break
        else:
            clusters.append([p])
    return clusters


class ConsistencyChecker:
    """Runs every consistency rule over all the claims of a run."""

    def __init__(self, rules: list[Rule], reference_rules: list[Rule], lexicon: Lexicon) -> None:
        self.rules = [r for r in rules if r.type == "consistency" and r.enabled]
        self.reference_rules = [r for r in reference_rules if r.type in ("expect", "limit") and r.reference]
        self.lexicon = lexicon
        self._notes: dict[int, str] = {}
        # each rule's selectors, made once (``select.may_select`` remembers its answers per selector)
        self._selectors = {id(r): (_every_formulation(r.select), _every_formulation(r.against) if r.against else None)
                           for r in self.rules}
        self._expects = [r for r in self.reference_rules if r.type == "expect"]
        # (drug, attribute) -> the rules whose selectors may take such a claim (``_candidates``)
        self._by_drug: dict[tuple[str, str], list[tuple[int, Rule]]] = {}
        self._expects_by_drug: dict[tuple[str, str], list[Rule]] = {}

    def check(self, claims: list[Claim]) -> list[Finding]:
        findings: list[Finding] = []
        for rule in self.rules:
            if rule.against:
                findings.extend(self._against(rule, claims))
            else:
                findings.extend(self._groups(rule, claims))
        return findings

    # -- one group at a time (for engines that group the claims themselves) -------------
    def group_keys(self, claim: Claim) -> Iterator[tuple[int, tuple]]:
        """``(rule number, group key)`` of every group the claim takes part in.

        The findings of ``check`` are those of ``check_group`` over each group (claims in run
        order), taken in rule order and, inside a rule, in the order of each group's first claim.
        """
        if not claim.drug:
            return
        for number, rule in self._candidates(claim.drug, claim.attribute):
            if self._selects(rule, claim):
                yield number, _key(rule, claim, self.lexicon)

    def _candidates(self, drug: str, attribute: str) -> list[tuple[int, Rule]]:
        """The rules (with their numbers, in order) that may select a claim about ``drug`` and
        ``attribute`` with their ``select`` or ``against`` (``select.may_select``)."""
        key = (drug, attribute)
        found = self._by_drug.get(key)
        if found is None:
            found = self._by_drug[key] = [
                (number, rule) for number, rule in enumerate(self.rules)
                if any(s is not None and may_select(s, drug, attribute, self.lexicon) for s in self._selectors[id(rule)])]
        return found

    def groups(self, claims: Iterable[Claim]) -> list[tuple[int, list[Claim]]]:
        """``(rule number, claims)`` of every group of these claims, in memory, in the order
        ``RunStore.groups`` gives those it holds: rules in order, inside a rule the groups in the
        order of their first claim, the claims of a group in order. Keys are told apart as the
        store tells them (by ``repr``)."""
        by_rule: list[dict[str, list[Claim]]] = [{} for _ in self.rules]
        for claim in claims:
            for number, key in self.group_keys(claim):
                by_rule[number].setdefault(repr(key), []).append(claim)
        return [(number, group) for number, groups in enumerate(by_rule) for group in groups.values()]

    def check_group(self, number: int, claims: list[Claim]) -> list[Finding]:
        """The findings of rule ``number`` over the claims of one of its groups, in run order."""
        rule = self.rules[number]
        self._notes.clear()  # keyed by id(claim): the claims of another group may reuse the ids
        return self._against(rule, claims) if rule.against else self._groups(rule, claims)

    def _selects(self, rule: Rule, claim: Claim) -> bool:
        if not claim.drug:
            return False
        select, against = self._selectors[id(rule)]
        if against is not None:
            return claim_matches(select, claim, self.lexicon) or claim_matches(against, claim, self.lexicon)
        return claim_matches(select, claim, self.lexicon) and _takes_part(rule, claim)

    # -- same attribute, different values ---------------------------------------------
    def _groups(self, rule: Rule, claims: list[Claim]) -> list[Finding]:
        buckets: dict[tuple, list[_Point]] = defaultdict(list)
        for claim in claims:
            if self._selects(rule, claim):
                buckets[_key(rule, claim, self.lexicon)].append(_point(claim))
        out: list[Finding] = []
        for points in buckets.values():
            for lineage in self._lineages(points, rule):
                if rule.scope in ("within", "both"):
                    by_doc: dict[str, list[_Point]] = defaultdict(list)
                    for p in lineage:
                        by_doc[p.claim.path].append(p)
                    for doc_points in by_doc.values():
                        clusters = _clusters(doc_points, rule)
                        if len(clusters) > 1:
                            out.append(self._finding(rule, clusters, "within"))
                if rule.scope in ("across", "both"):
                    clusters = _clusters(lineage, rule)
                    paths = {p.claim.path for p in lineage}
                    # a disagreement between documents: some cluster is absent from some document
                    if len(clusters) > 1 and len(paths) > 1 and self._spans_documents(clusters):
                        out.append(self._finding(rule, clusters, "across"))
        return out

    def _lineages(self, points: list[_Point], rule: Rule) -> list[list[_Point]]:
        """Split a bucket into sets of claims whose indications are on one lineage."""
        if "indication" not in rule.group_by:
            return [points]
        names = sorted({p.claim.indication for p in points}, key=lambda n: (n is None, n or ""))
        leaves = [n for n in names if not any(m != n and self.lexicon.indication_is_a(m, n) for m in names if m)]
        if len(leaves) <= 1:
            return [points]
        out = []
        for leaf in leaves:
            out.append([p for p in points if same_readers(self.lexicon, p.claim.indication, leaf)])
        return out

    @staticmethod
    def _spans_documents(clusters: list[list[_Point]]) -> bool:
        docs_of = [{p.claim.path for p in c} for c in clusters]
        return any(a != b or len(a) > 1 for i, a in enumerate(docs_of) for b in docs_of[i + 1:]) and len(
            set().union(*docs_of)) > 1

    def _label_note(self, claim: Claim) -> str:
        """Whether the claim agrees with the label, where a pack has the value (cached per claim)."""
        key = id(claim)
        if key not in self._notes:
            self._notes[key] = self._compute_label_note(claim)
        return self._notes[key]

    def _compute_label_note(self, claim: Claim) -> str:
        key = (claim.drug, claim.attribute)
        expects = self._expects_by_drug.get(key)
        if expects is None:  # the expect rules that may select such a claim, in order
            expects = self._expects_by_drug[key] = [
                r for r in self._expects if may_select(r.select, claim.drug, claim.attribute, self.lexicon)]
        for rule in expects:
            if claim_matches(rule.select, claim, self.lexicon, prefiltered=True):
                value = comparable(claim, rule)
                if value is None or rule.reference is None:
                    continue
                verdict = "agrees with" if agrees(value, rule.reference.value, rule) else "differs from"
                return f"; {verdict} the label ({fmt_range(rule.reference.value)} {rule.reference.unit})"
        return ""

    def _finding(self, rule: Rule, clusters: list[list[_Point]], scope: str) -> Finding:
        points = [p for c in clusters for p in c]
        primary = points[0].claim
        attr = ATTRIBUTE_NAMES.get(primary.attribute, primary.attribute)
        said = "; ".join(f"{_said(c[0].claim)} ({len(c)} place{'s' if len(c) > 1 else ''})" for c in clusters)
        where = "This article gives" if scope == "within" else f"{len({p.claim.path for p in points})} articles give"
        values = {
            "drug": primary.drug, "attribute": attr, "indication": primary.indication or "unspecified use",
            "values": said, "where": where, "count": len(points),
        }
        message = render_message(rule.message, values)
        related = []
        for p in points[1:]:
            c = p.claim
            loc = c.location
            related.append(Related(
                path=loc["path"], line=loc["line"], column=loc["column"], end_line=loc["end_line"],
                end_column=loc["end_column"], quote=loc["quote"],
                message=f"says {c.text or loc['quote']} ({attr}{', ' + c.indication if c.indication else ''}){self._label_note(c)}",
            ))
        loc = primary.location
        context = "|".join(sorted(f"{p.claim.path}\0{p.claim.location['quote']}\0{p.claim.sentence}" for p in points))
        note = self._label_note(primary)
        if note:
            note = f" Here, {_said(primary)}{note[1:]}."
        return Finding(
            rule=rule.id, severity=rule.severity, message=message + note,
            path=loc["path"], line=loc["line"], column=loc["column"], end_line=loc["end_line"],
            end_column=loc["end_column"], quote=loc["quote"], claim=primary.to_record(), reference=None,
            related=related, fingerprint=fingerprint(rule.id, loc["path"], context), help=rule.description,
            source=None,
        )

    # -- one attribute against another ------------------------------------------------
    def _against(self, rule: Rule, claims: list[Claim]) -> list[Finding]:
        sides: dict[tuple, tuple[list[_Point], list[_Point]]] = defaultdict(lambda: ([], []))
        for claim in claims:
            if not claim.drug:
                continue
            key = _key(rule, claim, self.lexicon)
            select, against = self._selectors[id(rule)]
            if claim_matches(select, claim, self.lexicon):
                sides[key][0].append(_point(claim))
            elif claim_matches(against, claim, self.lexicon):
                sides[key][1].append(_point(claim))
        out = []
        for limits, others in sides.values():
            # one finding per distinct maximum in a group, with every place that states it
            by_value: dict[float, list[_Point]] = defaultdict(list)
            for lim in limits:
                if lim.value.high is not None:
                    by_value[lim.value.high].append(lim)
            for top, same in sorted(by_value.items()):
                tol = rule.tolerance_for(top)
                paths = {p.claim.path for p in same}
                above = [o for o in others if o.value.high is not None and o.value.high > top + tol + 1e-9
                         and (rule.scope != "across" or o.claim.path not in paths)
                         and any(same_readers(self.lexicon, o.claim.indication, p.claim.indication) for p in same)]
                if above:
                    out.append(self._finding(rule, [same, above], "across"))
        return out
