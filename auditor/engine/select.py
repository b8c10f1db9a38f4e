"""Selectors: which claims (or documents) a rule speaks to.

A selector is a mapping of fields to wanted values (a string or a list of strings):

- ``drug``: the claim's drug (generic name), or a class the drug belongs to;
- ``class``: a class of the claim's drug (``benzodiazepines``);
- ``attribute``: exact names or globs (``dose.*``);
- ``indication``: the claim's indication is this one or a kind of it (panic disorder is a
  kind of anxiety); a claim with no indication, or another one, is not selected;
- ``population``: ``adult`` also selects claims that name no population (label doses are
  adult doses unless stated); ``pediatric`` and ``elderly`` must be stated; a subgroup of the
  lexicon (``women``, ``men``) selects only claims that name it, and a rule for its parent
  (``adult``) selects those claims too;
- ``age`` / ``weight``: ``[low, high]`` bounds in years / kg (null for an open end): a claim that
  states bounds is selected when they lie inside these; a claim that states none is not;
- ``condition``: ``hepatic impairment``, ``renal impairment``, ``hemodialysis`` (a kind of renal
  impairment): a claim that names the condition, or a kind of it. A rule without ``condition``
  does not judge a claim that names one, unless the rule is a maximum (a ceiling holds for
  everyone);
- ``renal_function``: ``[low, high]`` creatinine clearance in mL/min: a claim whose stated band
  lies inside it;
- ``per``, ``unit``; ``negated`` / ``hypothetical``: by default a rule does not judge negated
  or hypothetical claims (``any`` judges both kinds);
- ``formulation``: a claim about another formulation or product ("Xanax XR", "Ambien CR",
  "Diastat rectal gel", "Horizant"; see ``rules/lexicon/formulations.yaml``) is judged only by
  rules that select that formulation (labels differ); ``any`` judges every formulation.

``scope_relation`` tells apart a claim a rule selects (``MATCH``), one it would select if the
claim named what the rule is scoped to (``NARROWER``: the rule is for panic disorder and the
claim says anxiety, or names no indication; the rule is for women and the claim says adults;
the rule has an age, weight or kidney-function band and the claim states none) and one it does
not speak to (``NONE``). ``auditor.engine.scope`` judges the second kind.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import Any

from ..claims import Claim, Range
from ..lexicon import Lexicon

MATCH, NARROWER, NONE = "match", "narrower", "none"


def _wanted(value: Any) -> tuple[str, ...]:
    """A selector value as lowercased strings (remembered per string, and per list while it lives)."""
    if value is None:
        return ()
    if isinstance(value, str):
        found = _WANTED_TEXT.get(value)
        if found is None:
            if len(_WANTED_TEXT) > 65536:
                _WANTED_TEXT.clear()
            found = _WANTED_TEXT[value] = (value.lower(),)
        return found
    if not isinstance(value, list):
        return (str(value).lower(),)
    entry = _WANTED_LIST.get(id(value))
    if entry is None or entry[0] is not value:
        if len(_WANTED_LIST) > 65536:
            _WANTED_LIST.clear()
        entry = _WANTED_LIST[id(value)] = (value, tuple(str(v).lower() for v in value))
    return entry[1]


_WANTED_TEXT: dict[str, tuple[str, ...]] = {}
_WANTED_LIST: dict[int, tuple[list[Any], tuple[str, ...]]] = {}  # the entry keeps the list alive: ids are not reused


def _classes(lexicon: Lexicon, drug: str) -> frozenset[str]:
    """The classes of a drug, and the name itself when it is a class (remembered per lexicon)."""
    key = (id(lexicon), drug)
    entry = _CLASSES.get(key)
    if entry is None or entry[0] is not lexicon:
        classes = frozenset(lexicon.classes_of(drug)) | ({drug} if lexicon.is_class(drug) else frozenset())
        if len(_CLASSES) > 65536:
            _CLASSES.clear()
        entry = _CLASSES[key] = (lexicon, classes)
    return entry[1]


_CLASSES: dict[tuple[int, str], tuple[Lexicon, frozenset[str]]] = {}


def drug_matches(lexicon: Lexicon, drug: str | None, wanted_drugs: Sequence[str], wanted_classes: Sequence[str]) -> bool:
    """The drug is one of ``wanted_drugs`` or belongs to one of the classes named in either list."""
    if drug is None:
        return False
    classes = _classes(lexicon, drug)
    if wanted_drugs and not (drug in wanted_drugs or not classes.isdisjoint(wanted_drugs)):
        return False
    return not wanted_classes or not classes.isdisjoint(wanted_classes)


def claim_matches(selector: dict[str, Any], claim: Claim, lexicon: Lexicon, ceiling: bool = False,
                  prefiltered: bool = False) -> bool:
    """True when the claim is one the selector speaks to (``ceiling``: the rule is a maximum).

    ``prefiltered``: ``may_select`` is known to be true for the claim's drug and attribute.
    """
    return scope_relation(selector, claim, lexicon, ceiling, prefiltered) == MATCH


def scope_relation(selector: dict[str, Any], claim: Claim, lexicon: Lexicon, ceiling: bool = False,
                   prefiltered: bool = False) -> str:
    """MATCH, NARROWER or NONE (see the module docstring); ``prefiltered`` as in ``claim_matches``."""
    return compiled(selector).relation(claim, lexicon, ceiling, prefiltered)


def compiled(selector: dict[str, Any]) -> Selector:
    """The ``Selector`` of a selector mapping, made on first use and remembered; the entry keeps
    the mapping alive, so that its id is not reused (as ``may_select`` does)."""
    found = _COMPILED.get(id(selector))
    if found is None or found[0] is not selector:
        if len(_COMPILED) > 4096:  # rules hold their selectors: a run uses a few hundred
            _COMPILED.clear()
        found = _COMPILED[id(selector)] = (selector, Selector(selector))
    return found[1]


class Selector:
    """A selector mapping with its wanted values worked out once, judging claims (``relation``).

    What the lexicon says of a claim's indications and population is remembered per selector
    (for the lexicon it was last used with): claims state few distinct ones.
    """

    __slots__ = ("_indication", "_lexicon", "_population", "age", "attributes", "cited", "classes", "conditions", "drugs",
                 "flags", "formulation", "indications", "per", "populations", "renal_function", "units", "weight")

    def __init__(self, selector: dict[str, Any]) -> None:
        self.drugs, self.classes = _wanted(selector.get("drug")), _wanted(selector.get("class"))
        self.attributes = _wanted(selector.get("attribute"))
        self.per: tuple[Any, ...] = (selector["per"],) if "per" in selector else ()  # empty: any
        self.units = _wanted(selector.get("unit"))
        self.formulation = selector.get("formulation")
        # (flag, whether a claim must have it) for negated / hypothetical, unless the selector takes ``any``
        self.flags = tuple((flag, bool(selector.get(flag, False))) for flag in ("negated", "hypothetical")
                           if selector.get(flag, False) != "any")
        self.cited: tuple[bool, ...] = (bool(selector["cited"]),) if "cited" in selector else ()  # empty: any
        self.indications = _wanted(selector.get("indication"))
        self.populations = _wanted(selector.get("population"))
        self.conditions = _wanted(selector.get("condition"))
        self.age, self.weight = selector.get("age"), selector.get("weight")
        self.renal_function = selector.get("renal_function")
        self._lexicon: Lexicon | None = None
        self._indication: dict[tuple, str] = {}
        self._population: dict[str, str] = {}

    def relation(self, claim: Claim, lexicon: Lexicon, ceiling: bool = False, prefiltered: bool = False) -> str:
        """MATCH, NARROWER or NONE for ``claim`` (``scope_relation``)."""
        if not prefiltered:
            if (self.drugs or self.classes) and not drug_matches(lexicon, claim.drug, self.drugs, self.classes):
                return NONE
            if self.attributes and not any(fnmatch.fnmatchcase(claim.attribute, a) for a in self.attributes):
                return NONE
        if self.per and self.per[0] != claim.per:
            return NONE
        if self.units and claim.unit not in self.units:
            return NONE
        if self.formulation != claim.formulation and self.formulation != "any":
            return NONE
        for flag, wanted in self.flags:
            if bool(getattr(claim, flag)) != wanted:
                return NONE
        if self.cited and self.cited[0] != claim.cited:
            return NONE
        if lexicon is not self._lexicon or len(self._indication) + len(self._population) > 4096:
            self._lexicon = lexicon
            self._indication.clear()
            self._population.clear()
        # the scoped fields in turn: indication, population, condition, bands
        narrower = False
        if self.indications:
            key = (tuple(claim.indications), claim.indication)
            relation = self._indication.get(key)
            if relation is None:
                relation = self._indication[key] = self._indication_relation(claim, lexicon)
            if relation == NONE:
                return NONE
            narrower = relation == NARROWER
        if self.populations:
            stated = claim.population_detail or claim.population or "adult"
            relation = self._population.get(stated)
            if relation is None:
                relation = self._population[stated] = self._population_relation(stated, lexicon)
            if relation == NONE:
                return NONE
            narrower = narrower or relation == NARROWER
        if self.conditions or (self.renal_function is None and claim.condition is not None):
            relation = self._condition_relation(claim, lexicon, ceiling)
            if relation == NONE:
                return NONE
            narrower = narrower or relation == NARROWER
        for wanted, stated in ((self.age, claim.age), (self.weight, claim.weight)):
            if wanted is not None:
                relation = _band(wanted, stated)
                if relation == NONE:
                    return NONE
                narrower = narrower or relation == NARROWER
        if self.renal_function is not None:
            unstated = NARROWER if claim.condition and lexicon.condition_is_a(claim.condition, "renal impairment") else NONE
            relation = _band(self.renal_function, claim.renal_function, unstated=unstated)
            if relation == NONE:
                return NONE
            narrower = narrower or relation == NARROWER
        return NARROWER if narrower else MATCH

    def _indication_relation(self, claim: Claim, lexicon: Lexicon) -> str:
        stated = [s for s in (claim.indications or [claim.indication]) if s]
        if any(lexicon.indication_is_a(s, i) for s in stated for i in self.indications):
            return MATCH
        # no indication stated, or a broader one ("anxiety" for a panic-disorder rule)
        if not stated or any(lexicon.indication_is_a(i, s) for s in stated for i in self.indications):
            return NARROWER
        return NONE

    def _population_relation(self, stated: str, lexicon: Lexicon) -> str:
        if any(lexicon.population_is_a(stated, p) for p in self.populations):
            return MATCH
        # the rule is for a subgroup (women) of the claim's population (adults)
        if any(lexicon.population_is_a(p, stated) for p in self.populations):
            return NARROWER
        return NONE

    def _condition_relation(self, claim: Claim, lexicon: Lexicon, ceiling: bool) -> str:
        if not self.conditions:
            if self.renal_function is not None:
                return MATCH  # the band speaks for itself
            return MATCH if claim.condition is None or ceiling else NONE
        if claim.condition is None:
            return NONE
        if any(lexicon.condition_is_a(claim.condition, c) for c in self.conditions):
            return MATCH
        if any(lexicon.condition_is_a(c, claim.condition) for c in self.conditions):
            return NARROWER  # "kidney disease" for a rule after hemodialysis
        return NONE


_COMPILED: dict[int, tuple[dict[str, Any], Selector]] = {}


def _band(wanted: Any, stated: Range | None, unstated: str = NARROWER) -> str:
    """A rule's ``[low, high]`` band against the claim's stated bounds."""
    if wanted is None:
        return MATCH
    low, high = (wanted if isinstance(wanted, list) else [wanted, wanted])
    if stated is None:
        return unstated
    s_low = stated.low if stated.low is not None else float("-inf")
    s_high = stated.high if stated.high is not None else float("inf")
    r_low = low if low is not None else float("-inf")
    r_high = high if high is not None else float("inf")
    return MATCH if r_low - 1e-9 <= s_low and s_high <= r_high + 1e-9 else NONE


def may_select(selector: dict[str, Any], drug: str | None, attribute: str, lexicon: Lexicon) -> bool:
    """False when no claim about ``drug`` and ``attribute`` can match the selector.

    A cheap prefilter for indexing claim rules by drug and attribute; the answer is remembered
    per (selector, lexicon, drug, attribute), and the entry keeps the selector and lexicon alive so
    that their ids are not reused.
    """
    key = (id(selector), id(lexicon), drug, attribute)
    found = _MAY_SELECT.get(key)
    if found is None or found[0] is not selector or found[1] is not lexicon:
        drugs, classes = _wanted(selector.get("drug")), _wanted(selector.get("class"))
        ok = not (drugs or classes) or drug_matches(lexicon, drug, drugs, classes)
        attributes = _wanted(selector.get("attribute"))
        ok = ok and (not attributes or any(fnmatch.fnmatchcase(attribute, a) for a in attributes))
        if len(_MAY_SELECT) > 65536:
            _MAY_SELECT.clear()
        found = _MAY_SELECT[key] = (selector, lexicon, ok)
    return found[2]


_MAY_SELECT: dict[tuple[int, int, str | None, str], tuple[dict[str, Any], Lexicon, bool]] = {}
