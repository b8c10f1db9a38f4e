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
    drugs, classes = _wanted(selector.get("drug")), _wanted(selector.get("class"))
    if (drugs or classes) and not drug_matches(lexicon, claim.drug, drugs, classes):
        return False
    attributes = _wanted(selector.get("attribute"))
    if attributes and not any(fnmatch.fnmatchcase(claim.attribute, a) for a in attributes):
        return False
    indications = _wanted(selector.get("indication"))
    stated = claim.indications or [claim.indication]
    if indications and not any(lexicon.indication_is_a(s, i) for s in stated for i in indications):
        return False
    populations = _wanted(selector.get("population"))
    if populations:
        population = claim.population or "adult"
        if population not in populations:
            return False
    if "per" in selector and selector["per"] != claim.per:
        return False
    units = _wanted(selector.get("unit"))
    if units and claim.unit not in units:
        return False
    if selector.get("formulation") != claim.formulation and selector.get("formulation") != "any":
        return False
    for flag in ("negated", "hypothetical"):
        wanted = selector.get(flag, False)
        if wanted != "any" and bool(getattr(claim, flag)) != bool(wanted):
            return False
    return not ("cited" in selector and bool(selector["cited"]) != claim.cited)
