"""What each rule type checks. Every check turns rules + claims (+ documents) into Findings.

- ``limit``: a selected claim's value, as a daily total when the reference is per day, must
  satisfy ``compare`` against the reference (``<=``: not above a maximum).
- ``expect``: a selected claim must agree with the reference value or range within the
  tolerance, compared on the same basis (per dose with per dose, per day with per day).
- ``require``: a document that names the drug or class of ``when`` must contain one of the
  phrases or token patterns of ``any``.
- ``forbid``: none of the phrases or patterns of ``any`` may appear.
- ``cite``: selected claims (incidence, efficacy) must carry a citation.

The ``scope`` type (claims broader than every label fact) is implemented in ``auditor.engine.scope``.

The ``consistency`` type is implemented in ``auditor.consistency``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..claims import Claim, Range
from ..findings import Finding, fingerprint
from ..lexicon import Lexicon
from ..units import convert, fmt_range
from .model import Rule
from .select import claim_matches, drug_matches, may_select

if TYPE_CHECKING:  # spaCy is imported only when a document is parsed
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    from ..docresult import DocumentResult, PhraseMatch
    from ..pipeline.cues import WindowedMatcher


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_message(template: str, values: dict[str, Any]) -> str:
    """Fill ``{placeholders}``; unknown ones stay as written."""
    return string.Formatter().vformat(template, (), _SafeDict({k: ("?" if v is None else v) for k, v in values.items()}))


def message_values(rule: Rule, claim: Claim | None, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"rule": rule.id}
    if claim is not None:
        wanted = rule.select.get("indication")
        named = wanted if isinstance(wanted, str) else None  # the rule's own indication, when it names one
        values.update(
            drug=claim.drug, indication=named or claim.indication or "unspecified use", population=claim.population or "adults",
            attribute=claim.attribute, claim_value=fmt_range(claim.value), claim_unit=claim.unit,
            claim_daily=fmt_range(claim.daily or claim.value), quote=claim.location["quote"],
        )
    if rule.reference is not None:
        values.update(ref_value=fmt_range(rule.reference.value), ref_unit=rule.reference.unit, ref_per=rule.reference.per or "")
    values.update(extra)
    return values


def claim_finding(rule: Rule, claim: Claim, message: str, occurrence: int = 0) -> Finding:
    loc = claim.location
    reference = rule.reference.to_record(_source_record(rule)) if rule.reference else None
    return Finding(
        rule=rule.id, severity=rule.severity, message=message, path=loc["path"], line=loc["line"],
        column=loc["column"], end_line=loc["end_line"], end_column=loc["end_column"], quote=loc["quote"],
        claim=claim.to_record(), reference=reference,
        fingerprint=fingerprint(rule.id, loc["path"], f"{loc['quote']}\0{claim.sentence}", occurrence),
        source=_source_record(rule), help=rule.description,
    )


def _source_record(rule: Rule) -> dict[str, Any] | None:
    """The rule's citation for its findings: one dict per rule, shared by its findings (read only)."""
    if not rule.source:
        return None
    found = _SOURCES.get(id(rule))
    if found is None or found[0] is not rule:
        record = {"title": rule.source.get("title"), "section": rule.source.get("section"), "url": rule.source.get("url")}
        if len(_SOURCES) > 10000:
            _SOURCES.clear()
        found = _SOURCES[id(rule)] = (rule, record)
    return found[1]


_SOURCES: dict[int, tuple[Rule, dict[str, Any]]] = {}


# -- claim comparisons -----------------------------------------------------------------
def comparable(claim: Claim, rule: Rule) -> Range | None:
    """The claim's value on the reference's basis and unit, or None when it cannot be compared."""
    ref = rule.reference
    if ref is None:
        return None
    value = claim.value
    if ref.per == "day":
        # a daily total if known; else the amount itself, which no daily total can be below
        value = claim.daily or claim.value
        if rule.type == "expect" and claim.daily is None and claim.per == "dose":
            return None
    elif ref.per == "dose" and claim.per == "day":
        if ref.frequency is None or rule.type != "expect":
            return None
        daily = ref.daily()
        if daily is None:
            return None
        return convert(value, claim.unit, ref.unit) and _against_daily(convert(value, claim.unit, ref.unit), daily, ref.value)
    return convert(value, claim.unit, ref.unit)


def _against_daily(value: Range, ref_daily: Range, ref_dose: Range) -> Range:
    """Express a claimed daily total on the per-dose scale of the reference (divide by frequency)."""
    if ref_dose.low and ref_daily.low:
        factor = ref_daily.low / ref_dose.low
        return value.scaled(1 / factor)
    return value


def _violates_limit(rule: Rule, value: Range) -> bool:
    ref = rule.reference.value
    if rule.compare in ("<=", "<"):
        x, limit = value.high, ref.high
        return x is not None and limit is not None and (x > limit + 1e-9 if rule.compare == "<=" else x >= limit)
    x, limit = value.low, ref.low
    return x is not None and limit is not None and (x < limit - 1e-9 if rule.compare == ">=" else x <= limit)


def label_judgement(rule: Rule, claim: Claim, lexicon: Lexicon) -> bool | None:
    """How a limit or expect rule judges a claim: True (within / agrees), False (violates /
    differs), or None when the rule does not judge it. Editors' views (``compare``, the language
    server's hover) show this; ``check_claim`` makes the findings by the same comparisons."""
    if rule.type not in ("limit", "expect") or rule.reference is None:
        return None
    ceiling = rule.type == "limit" and rule.compare in ("<=", "<")
    if not claim_matches(rule.select, claim, lexicon, ceiling):
        return None
    value = comparable(claim, rule)
    if value is None:
        return None
    if rule.type == "limit":
        return not _violates_limit(rule, value)
    return agrees(value, rule.reference.value, rule)


def check_claim(rule: Rule, claim: Claim, lexicon: Lexicon, has_sources: bool = False,
                prefiltered: bool = False) -> Finding | None:
    """A limit, expect or cite rule on one claim: its finding, or None.

    ``has_sources``: the claim's document has a Sources section (for cite rules);
    ``prefiltered``: the rule is known to accept the claim's drug and attribute (``ClaimRules``).
    """
    if rule.type == "cite":
        if claim.cited or not claim_matches(rule.select, claim, lexicon, prefiltered=prefiltered):
            return None
        if rule.accept_sources_section and has_sources:
            return None
        return claim_finding(rule, claim, render_message(rule.message, message_values(rule, claim)))
    ceiling = rule.type == "limit" and rule.compare in ("<=", "<")
    if rule.reference is None or not claim_matches(rule.select, claim, lexicon, ceiling, prefiltered):
        return None
    value = comparable(claim, rule)
    if value is None:
        return None
    wrong = _violates_limit(rule, value) if rule.type == "limit" else not agrees(value, rule.reference.value, rule)
    return claim_finding(rule, claim, render_message(rule.message, message_values(rule, claim))) if wrong else None


class ClaimRules:
    """The limit, expect and cite rules, indexed by the drugs and attributes their selectors accept."""

    def __init__(self, rules: list[Rule], lexicon: Lexicon) -> None:
        self.rules = [r for r in rules if r.type in ("limit", "expect", "cite")]
        self.lexicon = lexicon
        self._by_drug: dict[tuple[str | None, str], list[Rule]] = {}

    def candidates(self, drug: str | None, attribute: str) -> list[Rule]:
        """The rules that can select a claim about ``drug`` and ``attribute``, in rule order."""
        key = (drug, attribute)
        found = self._by_drug.get(key)
        if found is None:
            found = self._by_drug[key] = [r for r in self.rules if may_select(r.select, drug, attribute, self.lexicon)]
        return found

    def check(self, claims: list[Claim], has_sources: bool = False) -> list[Finding]:
        """Every finding of these rules on the claims of one document."""
        out = []
        for claim in claims:
            for rule in self.candidates(claim.drug, claim.attribute):
                finding = check_claim(rule, claim, self.lexicon, has_sources, prefiltered=True)
                if finding is not None:
                    out.append(finding)
        return out


def check_limit(rule: Rule, claims: list[Claim], lexicon: Lexicon) -> list[Finding]:
    return [f for c in claims if (f := check_claim(rule, c, lexicon)) is not None]


def check_expect(rule: Rule, claims: list[Claim], lexicon: Lexicon) -> list[Finding]:
    return [f for c in claims if (f := check_claim(rule, c, lexicon)) is not None]


def agrees(value: Range, ref: Range, rule: Rule) -> bool:
    """Each stated end of ``value`` lies within the reference range, widened by the tolerance."""
    low = ref.low if ref.low is not None else ref.high
    high = ref.high if ref.high is not None else ref.low
    if low is None or high is None:
        return True
    lo_tol, hi_tol = rule.tolerance_for(low), rule.tolerance_for(high)
    for x in (value.low, value.high):
        if x is None:
            continue
        if x < low - lo_tol - 1e-9 or x > high + hi_tol + 1e-9:
            return False
    return True


def check_cite(rule: Rule, claims: list[Claim], lexicon: Lexicon, has_sources: bool = False) -> list[Finding]:
    """``claims`` are those of one document; ``has_sources``: it has a Sources section."""
    return [f for c in claims if (f := check_claim(rule, c, lexicon, has_sources)) is not None]


# -- document checks -------------------------------------------------------------------
@dataclass
class PhraseIndex:
    """Matchers for the phrases and token patterns of require/forbid rules, built once."""

    phrase: PhraseMatcher
    token: WindowedMatcher  # a token Matcher run only where a rule's first token can match

    @classmethod
    def build(cls, nlp, rules: list[Rule]) -> PhraseIndex:
        from spacy.matcher import PhraseMatcher

        from ..pipeline.cues import WindowedMatcher
        from .patterns import check_pattern, re2_pattern

        phrase = PhraseMatcher(nlp.vocab, attr="LOWER")
        token = WindowedMatcher(nlp.vocab)
        for rule in rules:
            if rule.type not in ("require", "forbid"):
                continue
            phrases = [nlp.make_doc(p["phrase"]) for p in rule.phrases if "phrase" in p]
            patterns = [p["pattern"] for p in rule.phrases if "pattern" in p]
            if phrases:
                phrase.add(rule.id, phrases)
            for pattern in patterns:
                check_pattern(rule, pattern)
            patterns = [re2_pattern(rule, p) for p in patterns]  # REGEX runs on RE2: no backtracking
            if patterns:
                try:
                    token.add(rule.id, patterns)
                except (ValueError, KeyError) as exc:
                    from ..errors import AuditorError

                    raise AuditorError(f"{rule.path}:{rule.line}:5: invalid token pattern in rule '{rule.id}': {exc}") from None
        return cls(phrase, token)

    def matches(self, doc: Doc) -> dict[str, list[tuple[int, int]]]:
        """rule id -> token spans matched in ``doc``."""
        out: dict[str, list[tuple[int, int]]] = {}
        for matcher in (self.phrase, self.token):
            if not len(matcher):
                continue
            for match_id, start, end in matcher(doc):
                out.setdefault(doc.vocab.strings[match_id], []).append((start, end))
        return out


def check_document(rule: Rule, result: DocumentResult, lexicon: Lexicon) -> list[Finding]:
    """require / forbid rules on one document, from its result (phrase matches and drug mentions)."""
    return DocumentRules([rule], lexicon).check(result)


class DocumentRules:
    """The require and forbid rules, built once: the drugs and classes that make each require rule
    apply are worked out once, and whether a drug a document names is one of them is remembered.
    ``check`` gives their findings on one document, in rule order, as ``check_document`` for each would."""

    def __init__(self, rules: list[Rule], lexicon: Lexicon) -> None:
        self.rules = [r for r in rules if r.type in ("require", "forbid")]
        self.lexicon = lexicon
        self._when = [([str(d).lower() for d in _as_list(r.when.get("drug"))],
                       [str(c).lower() for c in _as_list(r.when.get("class"))]) for r in self.rules]
        self._applies: dict[tuple[int, str], bool] = {}  # (rule number, drug or class named) -> the rule applies

    def check(self, result: DocumentResult) -> list[Finding]:
        spans: dict[str, list[PhraseMatch]] = {}
        for match in result.matches:
            spans.setdefault(match.rule, []).append(match)
        out: list[Finding] = []
        for number, rule in enumerate(self.rules):
            if rule.type == "forbid":
                out.extend(_forbidden(rule, result, spans.get(rule.id, [])))
            elif rule.id not in spans:
                out.extend(self._required(number, rule, result))
        return out

    def _required(self, number: int, rule: Rule, result: DocumentResult) -> list[Finding]:
        """A require rule whose phrases the document lacks: applies when the drug or class is named in it."""
        mention = next((m for m in result.mentions if self._names(number, m.label)), None)
        if mention is None or mention.location is None:
            return []
        loc = mention.location
        message = render_message(rule.message, {"drug": mention.label, "quote": loc["quote"]})
        return [Finding(rule=rule.id, severity=rule.severity, message=message, **loc,
                        fingerprint=fingerprint(rule.id, result.path, "document"),
                        source=_source_record(rule), help=rule.description)]

    def _names(self, number: int, label: str) -> bool:
        key = (number, label)
        found = self._applies.get(key)
        if found is None:
            wanted_drugs, wanted_classes = self._when[number]
            found = self._applies[key] = drug_matches(self.lexicon, label, wanted_drugs, wanted_classes)
        return found


def _forbidden(rule: Rule, result: DocumentResult, spans: list[PhraseMatch]) -> list[Finding]:
    out = []
    for k, match in enumerate(spans):
        loc = match.location
        if loc is None:
            continue
        message = render_message(rule.message, {"quote": loc["quote"], "suggest": rule.suggest or ""})
        if rule.suggest and "{suggest}" not in rule.message:
            message += f" Suggested: {rule.suggest}"
        out.append(Finding(rule=rule.id, severity=rule.severity, message=message, **loc,
                           fingerprint=fingerprint(rule.id, result.path, match.sentence, k),
                           source=_source_record(rule), help=rule.description))
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
