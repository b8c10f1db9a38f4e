"""``auditor rules draft``: a rule pack drafted from a drug label, for a person to review.

The label's Dosage and Administration and Clinical Pharmacology sections (read by
``label_source``) go through the same pipeline as articles. Every claim the pipeline finds of
one of the attributes a pack states (start, usual, target, maximum, increment, half-life, peak)
becomes one rule, scoped to the indication and population the text gives it, citing the section
and the sentence it came from. Each rule carries ``reviewed: null`` and ``draft: true``: the
loader refuses such a rule in ``auditor rules validate`` and leaves it out of ``check`` until a
person has compared it with the label and set ``reviewed``.

The draft is a starting point, not a pack: the pipeline misses facts written in tables or across
sentences, and only a reviewer can tell a label's maximum for one population from another's.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..claims import Claim, Range
from ..errors import AuditorError
from ..units import fmt_range
from .label_source import LabelRecord, LabelSection, read_label

# attribute -> (rule type, id suffix, what the message calls it)
DRAFTED = {
    "dose.start": ("expect", "start", "a starting dose"),
    "dose.typical": ("expect", "usual", "a usual dose"),
    "dose.target": ("expect", "target", "a target dose"),
    "dose.increment": ("expect", "increment", "a dose step"),
    "dose.max": ("limit", "max", "a maximum"),
    "half_life": ("expect", "half-life", "a half-life"),
    "peak": ("expect", "peak", "a time to peak"),
}
DOSE_ATTRIBUTES = ["dose.max", "dose.typical", "dose.target", "dose.start", "dose.mention"]
# Doses are drafted from Dosage and Administration only: doses in Clinical Pharmacology are
# study doses ("dose-proportional in a range of 10 to 40 mg/day", an interaction study's 200 mg
# of another drug), not recommendations. Half-life and peak come from Clinical Pharmacology.
FIELDS_FOR = {"dose": {"dosage_and_administration"}, "pk": {"clinical_pharmacology", "pharmacokinetics"}}
TIME_UNITS = {"hour", "minute", "day", "week", "month", "year"}


@dataclass
class DraftFact:
    """One fact the pipeline found in a label section."""

    attribute: str
    value: Range
    unit: str
    per: str | None
    frequency: Range | None
    indication: str | None
    population: str | None
    section: LabelSection
    quote: str

    def key(self) -> tuple:
        return (self.attribute, self.value, self.unit, self.per, self.indication, self.population)


def label_text(record: LabelRecord) -> tuple[str, list[tuple[int, LabelSection]]]:
    """The sections as one plain-text article: a heading line and a body line each.

    Returns the text and, per body line (1-based line number), the section it holds.
    """
    lines: list[str] = [record.title]
    where: list[tuple[int, LabelSection]] = []
    for section in record.sections:
        lines.append("")
        if section.heading:
            lines.append(section.heading)
        lines.append(section.text)
        where.append((len(lines), section))
    return "\n".join(lines) + "\n", where


def facts_from_claims(claims: Iterable[Claim], where: list[tuple[int, LabelSection]], generic: str) -> list[DraftFact]:
    """Claims of the label's own drug, of drafted attributes, stated as facts (not negated or hypothetical)."""
    by_line = dict(where)
    facts = []
    for claim in claims:
        if claim.attribute not in DRAFTED or claim.negated or claim.hypothetical:
            continue
        if claim.drug not in (None, generic):
            continue
        section = by_line.get(claim.location["line"])
        if section is None:  # the title or a heading line
            continue
        if section.field not in FIELDS_FOR["dose" if claim.attribute.startswith("dose.") else "pk"]:
            continue
        value = claim.value
        if claim.attribute == "dose.max" and value.high is None:
            value = Range(value.low, value.low)  # "above 40 mg ... not recommended": the limit is 40
        if value.low is None and value.high is None:
            continue
        facts.append(DraftFact(claim.attribute, value, claim.unit, claim.per, claim.frequency,
                               claim.indication, claim.population, section, _sentence_in(section.text, claim.sentence)))
    return _dedupe(facts)


def _sentence_in(text: str, sentence: str) -> str:
    """The sentence as it stands in the label (verbatim), bounded to a short quote."""
    sentence = " ".join(sentence.split())
    if sentence in text:
        return sentence if len(sentence) <= 400 else sentence[:397].rsplit(" ", 1)[0] + " ..."
    return sentence


def _dedupe(facts: list[DraftFact]) -> list[DraftFact]:
    """One fact per (attribute, value, unit, per, indication, population): the most specific section wins.

    Highlights and section 2's summary repeat what section 2.1 says; the numbered subsection
    is the one to cite.
    """
    best: dict[tuple, DraftFact] = {}
    order: list[tuple] = []
    for fact in facts:
        key = fact.key()
        if key not in best:
            best[key] = fact
            order.append(key)
        elif fact.section.number.count(".") > best[key].section.number.count("."):
            best[key] = fact
    return [best[k] for k in order]


def draft_pack(record: LabelRecord, facts: list[DraftFact], today: _dt.date | None = None) -> dict[str, Any]:
    """The draft pack as YAML-ready data."""
    drug = record.generic
    slug = re.sub(r"[^a-z0-9]+", "-", drug).strip("-") or "drug"
    rules = []
    used: dict[str, int] = {}
    for fact in facts:
        rtype, suffix, noun = DRAFTED[fact.attribute]
        scope = [s for s in (fact.indication, fact.population) if s]
        # ids under the pack's own name, so they never collide with a bundled pack's
        base = ".".join([f"{slug}-label", *(re.sub(r"[^a-z0-9]+", "-", s).strip("-") for s in scope), suffix])
        used[base] = used.get(base, 0) + 1
        rule_id = base if used[base] == 1 else f"{base}-{used[base]}"
        rules.append(_rule(rule_id, rtype, noun, drug, fact))
    return {
        "pack": f"{slug}-label",
        "drug": drug,
        "title": f"{record.title}: draft from the label",
        "version": f"draft {(today or _dt.date.today()).isoformat()}",
        "sources": {"label": {k: v for k, v in {
            "title": f"{record.title} prescribing information",
            "version": record.version_note,
            "url": record.url,
        }.items() if v}},
        "rules": rules,
    }


def _rule(rule_id: str, rtype: str, noun: str, drug: str, fact: DraftFact) -> dict[str, Any]:
    who = (f" for {fact.indication}" if fact.indication else "") + (f" ({fact.population})" if fact.population else "")
    value = fmt_range(fact.value)
    unit = fact.unit + ("s" if fact.unit in TIME_UNITS and fact.value != Range(1, 1) else "")
    per = fact.per if fact.attribute.startswith("dose.") else None
    select: dict[str, Any] = {"drug": drug,
                              "attribute": DOSE_ATTRIBUTES if rtype == "limit" else fact.attribute}
    if fact.indication:
        select["indication"] = fact.indication
    if fact.population:
        select["population"] = fact.population
    reference: dict[str, Any] = {"value": _yaml_value(fact.value), "unit": fact.unit}
    if per:
        reference["per"] = per
    if per == "dose" and fact.frequency is not None and fact.frequency.low is not None:
        reference["frequency"] = _yaml_value(fact.frequency)
    if rtype == "limit":
        message = (f"{{drug}}{who}: {{claim_daily}} {{claim_unit}}"
                   f"{'/day' if per == 'day' else ''} is above the label's maximum of {{ref_value}} {{ref_unit}}"
                   f"{'/day' if per == 'day' else ''}.")
    else:
        message = f"{{drug}}{who}: {noun} of {{claim_value}} {{claim_unit}} differs from the label's {value} {unit}."
    rule: dict[str, Any] = {
        "id": rule_id,
        "type": rtype,
        "severity": "error" if rtype == "limit" else "warning",
        "message": message,
        "description": (f"Drafted from section {fact.section.name} of the label: {noun}{who} of {value} "
                        f"{unit}{'/' + per if per else ''}. Before setting 'reviewed', check the value, the "
                        f"indication and the population against the label text, and write why the fact matters."),
        "select": select,
        "reference": reference,
    }
    if rtype == "limit":
        rule["compare"] = "<="
    else:
        rule["tolerance"] = 0
    rule["source"] = {"ref": "label", "section": fact.section.name, "quote": fact.quote}
    rule["reviewed"] = None
    rule["draft"] = True
    return rule


def _yaml_value(value: Range) -> Any:
    low, high = value.as_dict()["low"], value.as_dict()["high"]
    return low if low == high else [low, high]


def render_draft(pack: dict[str, Any], record: LabelRecord) -> str:
    """YAML text of a draft pack, with a header saying what it is and what to do with it."""
    import yaml

    header = (
        f"# Draft rule pack for {record.generic}, made by `auditor rules draft` from {record.path}\n"
        f"# ({record.title}; {record.version_note}).\n"
        "# Every rule has `reviewed: null` and `draft: true`: `auditor rules validate` refuses it and\n"
        "# `auditor check` leaves it out until a person has compared it with the label, corrected it,\n"
        "# and set `reviewed: YYYY-MM-DD`. Facts in tables, or spread over sentences, are not drafted.\n"
    )
    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    body = yaml.dump(pack, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    return header + body


def compare_with_pack(facts: list[DraftFact], rules: list) -> tuple[list, list]:
    """Which label facts of a reviewed pack the draft found: (found, missed) lists of rules.

    A pack rule is found when a drafted fact has its attribute family, value, unit and per
    basis (indication and population are not compared: a reviewer often scopes them by hand).
    """
    found, missed = [], []
    for rule in rules:
        if rule.type not in ("limit", "expect") or rule.reference is None:
            continue
        attrs = rule.select.get("attribute")
        attrs = [attrs] if isinstance(attrs, str) else list(attrs or [])
        wanted = "dose.max" if rule.type == "limit" else (attrs[0] if attrs else None)
        ref = rule.reference
        hit = any(f.attribute == wanted and f.unit == ref.unit and _same(f, ref) for f in facts)
        (found if hit else missed).append(rule)
    return found, missed


def _same(fact: DraftFact, ref) -> bool:
    if fact.value == ref.value and (ref.per is None or fact.per in (None, ref.per)):
        return True
    # a per-dose fact with its frequency against a per-day reference, and the other way round
    daily = None
    if fact.per == "dose" and fact.frequency is not None and fact.frequency.low is not None and fact.value.low is not None:
        daily = Range(fact.value.low * fact.frequency.low, (fact.value.high or fact.value.low) * (fact.frequency.high or fact.frequency.low))
    return daily is not None and ref.daily() == daily


def draft_from_label(path: str, today: _dt.date | None = None) -> tuple[str, LabelRecord, list[DraftFact]]:
    """Read a label, run the pipeline over its sections, and render the draft pack.

    The label's own drug (generic and brand name) is added to the bundled lexicon for the run,
    so a drug the lexicon does not know yet is still recognised in its own label.
    """
    import tempfile
    from pathlib import Path

    import yaml

    from ..extract import extract
    from ..ingest.text import read_text
    from ..lexicon import load_lexicon
    from ..paths import bundled_rules_dir
    from ..pipeline import build_pipeline

    record = read_label(path)
    if not record.sections:
        raise AuditorError(f"{path}: no Dosage and Administration or Clinical Pharmacology text in the label")
    if not record.generic:
        raise AuditorError(f"{path}: the label names no generic drug (openfda.generic_name or genericMedicine)")
    bundled = load_lexicon([bundled_rules_dir()])
    record.generic = bundled.drug_terms.get(record.generic, record.generic)
    text, where = label_text(record)
    document = read_text(path, text, [])
    with tempfile.TemporaryDirectory() as tmp:
        own = Path(tmp) / "label-drug.yaml"
        brands = [record.brand] if record.brand and record.brand.lower() != record.generic else []
        own.write_text(yaml.safe_dump({"drugs": [{"generic": record.generic, "brands": brands}]}), encoding="utf-8")
        nlp = build_pipeline([str(bundled_rules_dir()), str(own)])
        claims = [c for _d, _doc, found in extract(nlp, [document]) for c in found]
    facts = facts_from_claims(claims, where, record.generic)
    return render_draft(draft_pack(record, facts, today), record), record, facts
