"""Selectors: which claims (or documents) a rule speaks to.

A selector is a mapping of fields to wanted values (a string or a list of strings):

- ``drug``: the claim's drug (generic name), or a class the drug belongs to;
- ``class``: a class of the claim's drug (``benzodiazepines``);
- ``attribute``: exact names or globs (``dose.*``);
- ``indication``: the claim's indication is this one or a kind of it (panic disorder is a
  kind of anxiety); a claim with no indication, or another one, is not selected;
- ``population``: ``adult`` also selects claims that name no population (label doses are
  adult doses unless stated); ``pediatric`` and ``elderly`` must be stated;
- ``per``, ``unit``; ``negated`` / ``hypothetical``: by default a rule does not judge negated
  or hypothetical claims (``any`` judges both kinds);
- ``formulation``: a claim about an extended-release product ("Xanax XR", "Ambien CR") is
  judged only by rules that select ``formulation: extended-release`` (labels differ).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ..claims import Claim
from ..lexicon import Lexicon


def _wanted(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v).lower() for v in (value if isinstance(value, list) else [value])]


def drug_matches(lexicon: Lexicon, drug: str | None, wanted_drugs: list[str], wanted_classes: list[str]) -> bool:
    """The drug is one of ``wanted_drugs`` or belongs to one of the classes named in either list."""
    if drug is None:
        return False
    classes = set(lexicon.classes_of(drug)) | ({drug} if lexicon.is_class(drug) else set())
    if wanted_drugs and not (drug in wanted_drugs or classes & set(wanted_drugs)):
        return False
    return not wanted_classes or bool(classes & set(wanted_classes))


def claim_matches(selector: dict[str, Any], claim: Claim, lexicon: Lexicon) -> bool:
    """True when the claim is one the selector speaks to."""
    return _compiled(selector, lexicon).matches(claim)


def may_select(selector: dict[str, Any], drug: str | None, attribute: str, lexicon: Lexicon) -> bool:
    """False when no claim about ``drug`` and ``attribute`` can match the selector."""
    compiled = _compiled(selector, lexicon)
    return compiled.accepts_drug(drug) and compiled.accepts_attribute(attribute)


class _Selector:
    """A selector read once, with the answers that depend only on the drug or attribute remembered."""

    def __init__(self, selector: dict[str, Any], lexicon: Lexicon) -> None:
        self.selector = selector
        self.lexicon = lexicon
        self.drugs, self.classes = _wanted(selector.get("drug")), _wanted(selector.get("class"))
        self.attributes = _wanted(selector.get("attribute"))
        self.indications = _wanted(selector.get("indication"))
        self.populations = _wanted(selector.get("population"))
        self.units = _wanted(selector.get("unit"))
        self.flags = [(flag, selector.get(flag, False)) for flag in ("negated", "hypothetical")]
        self.drug_ok: dict[str | None, bool] = {}
        self.attribute_ok: dict[str, bool] = {}

    def accepts_drug(self, drug: str | None) -> bool:
        if not (self.drugs or self.classes):
            return True
        ok = self.drug_ok.get(drug)
        if ok is None:
            ok = self.drug_ok[drug] = drug_matches(self.lexicon, drug, self.drugs, self.classes)
        return ok

    def accepts_attribute(self, attribute: str) -> bool:
        if not self.attributes:
            return True
        ok = self.attribute_ok.get(attribute)
        if ok is None:
            ok = self.attribute_ok[attribute] = any(fnmatch.fnmatchcase(attribute, a) for a in self.attributes)
        return ok

    def matches(self, claim: Claim) -> bool:
        selector, lexicon = self.selector, self.lexicon
        if not (self.accepts_drug(claim.drug) and self.accepts_attribute(claim.attribute)):
            return False
        if self.indications:
            stated = claim.indications or [claim.indication]
            if not any(lexicon.indication_is_a(s, i) for s in stated for i in self.indications):
                return False
        if self.populations and (claim.population or "adult") not in self.populations:
            return False
        if "per" in selector and selector["per"] != claim.per:
            return False
        if self.units and claim.unit not in self.units:
            return False
        if selector.get("formulation") != claim.formulation and selector.get("formulation") != "any":
            return False
        for flag, wanted in self.flags:
            if wanted != "any" and bool(getattr(claim, flag)) != bool(wanted):
                return False
        return not ("cited" in selector and bool(selector["cited"]) != claim.cited)


_COMPILED: dict[tuple[int, int], _Selector] = {}


def _compiled(selector: dict[str, Any], lexicon: Lexicon) -> _Selector:
    """The selector read once per (selector, lexicon); the entry keeps both alive, so ids are not reused."""
    key = (id(selector), id(lexicon))
    found = _COMPILED.get(key)
    if found is None or found.selector is not selector or found.lexicon is not lexicon:
        if len(_COMPILED) > 4096:
            _COMPILED.clear()
        found = _COMPILED[key] = _Selector(selector, lexicon)
    return found
