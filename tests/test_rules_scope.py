"""Scoped label facts: claims broader than a label's indications or populations, population
subgroups, conditions and their bands, age and weight bounds, and formulations."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace

import pytest
from helpers import one_claim, run_cli

from auditor.claims import Range
from auditor.engine.select import MATCH, NARROWER, NONE, scope_relation
from auditor.lexicon import Lexicon


def _check(tmp_path, text: str, *args: str) -> list[dict]:
    path = tmp_path / "article.md"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = run_cli("check", str(path), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return [f for f in json.loads(result.stdout)["findings"] if f.get("claim")]


def _by_rule(findings: list[dict]) -> dict[str, dict]:
    return {f["rule"]: f for f in findings}


# -- the four sentences of the label review, end to end through the CLI ---------------
def test_maximum_with_no_indication_above_every_labelled_maximum_is_an_error(tmp_path):
    findings = _by_rule(_check(tmp_path, "The maximum dose of clonazepam is 30 mg a day.\n"))
    hit = findings["label.scope.max"]
    assert hit["severity"] == "error"
    # names every labelled maximum and what it is for; the reference is the most permissive
    assert "4 mg/day (panic disorder)" in hit["message"] and "20 mg/day (seizure disorder, adult)" in hit["message"]
    assert hit["reference"]["value"] == {"low": 20, "high": 20}
    assert hit["reference"]["source"]["section"].startswith("DOSAGE AND ADMINISTRATION - Seizure Disorders")


def test_broader_indication_is_judged_by_the_labelled_indications_under_it(tmp_path):
    findings = _by_rule(_check(tmp_path, "Adults can safely take as much as 8 mg of Klonopin daily for anxiety.\n"))
    hit = findings["label.scope.max"]
    assert hit["severity"] == "error"
    assert "4 mg/day (panic disorder)" in hit["message"]
    assert "seizure" not in hit["message"]  # seizure disorders are not a kind of anxiety


def test_women_are_judged_by_the_labels_start_for_women(tmp_path):
    findings = _check(tmp_path, "Women should start Ambien at 10 mg.\n")
    hit = _by_rule(findings)["label.scope.value"]
    assert hit["severity"] in ("warning", "error")
    assert "5 mg once daily (insomnia, women)" in hit["message"]
    assert "(insomnia, men)" not in hit["message"]


def test_pmdd_maximum(tmp_path):
    hit = _by_rule(_check(tmp_path, "For PMDD, sertraline can go up to 200 mg a day.\n"))["sertraline.pmdd.max-daily"]
    assert hit["severity"] == "error" and hit["reference"]["value"] == {"low": 150, "high": 150}


@pytest.mark.parametrize("sentence", [
    "The maximum dose of clonazepam is 20 mg a day.",  # the seizure-disorder maximum
    "Adults usually start Ambien at 10 mg at bedtime.",  # the start for men
    "Sertraline is usually started at 25 or 50 mg once daily.",  # each end is a labelled start
    "For PMDD, sertraline can go up to 150 mg a day.",
    "Older adults start lorazepam at 1 to 2 mg a day.",  # the elderly fact judges it, not the adult ones
    "Some adults with anxiety start lorazepam at 1 mg a day.",  # within the label's 1 to 10 mg/day
])
def test_broad_claims_that_agree_with_some_labelled_value_pass(tmp_path, sentence):
    findings = _check(tmp_path, sentence + "\n")
    assert [f["rule"] for f in findings] == [], [f["message"] for f in findings]


def test_a_claim_the_label_scopes_exactly_is_left_to_its_own_rule(tmp_path):
    rules = [f["rule"] for f in _check(tmp_path, "For panic disorder, clonazepam can go up to 30 mg a day.\n")]
    assert rules == ["clonazepam.panic.max-daily"]


def test_broad_starts_outside_every_labelled_start_name_them_all(tmp_path):
    hit = _by_rule(_check(tmp_path, "Sertraline is usually started at 100 mg once daily.\n"))["label.scope.value"]
    for part in ("50 mg once daily (major depressive disorder)", "25 mg once daily (panic disorder)",
                 "50 mg once daily (premenstrual dysphoric disorder)"):
        assert part in hit["message"]


def test_scope_rules_can_be_disabled_like_any_rule(tmp_path):
    config = tmp_path / "auditor.yaml"
    config.write_text('disable: ["label.scope.*"]\n', encoding="utf-8")
    findings = _check(tmp_path, "The maximum dose of clonazepam is 30 mg a day.\n", "--config", str(config))
    assert "label.scope.max" not in [f["rule"] for f in findings]


# -- populations, conditions, bounds in the claim record --------------------------------
def test_subgroups_keep_the_contract_population(nlp):
    claim = one_claim(nlp, "Women should start Ambien at 10 mg.")
    assert (claim.population, claim.population_detail) == ("adult", "women")
    record = claim.to_record()
    assert record["population"] == "adult" and record["population_detail"] == "women"


def test_a_group_named_right_after_the_value_is_its_own(nlp):
    from helpers import claims_of

    claims = claims_of(nlp, "The starting dose of zolpidem is 5 mg for women and 10 mg for men.")
    assert [(c.location["quote"], c.population_detail) for c in claims] == [("5 mg", "women"), ("10 mg", "men")]


@pytest.mark.parametrize("sentence, condition, band", [
    ("With a creatinine clearance of 30 to 59 mL/min, gabapentin is given at 400 to 1400 mg a day.", "renal impairment", (30, 59)),
    ("For a CrCl below 15 mL/min, gabapentin is given at 100 to 300 mg a day.", "renal impairment", (None, 15)),
    ("People with kidney disease take 300 mg of gabapentin a day.", "renal impairment", None),
    ("After each 4 hours of hemodialysis, a supplemental gabapentin dose of 125 to 350 mg is given.", "hemodialysis", None),
    ("People with liver disease take 5 mg of zolpidem at bedtime.", "hepatic impairment", None),
])
def test_conditions_and_creatinine_clearance_bands(nlp, sentence, condition, band):
    claim = one_claim(nlp, sentence)
    assert claim.condition == condition
    assert (None if claim.renal_function is None else (claim.renal_function.low, claim.renal_function.high)) == band


def test_age_and_weight_bounds_of_a_population(nlp):
    from helpers import claims_of

    claim = next(c for c in claims_of(nlp, "Children up to 10 years or 30 kg start clonazepam at 0.01 to 0.03 mg/kg/day.")
             if c.attribute == "dose.start")
    assert claim.population == "pediatric"
    assert (claim.age, claim.weight) == (Range(None, 10), Range(None, 30))
    assert claim.to_record()["age"] == {"low": None, "high": 10}
    older = one_claim(nlp, "Patients 12 years of age and older start gabapentin at 300 mg three times a day.")
    assert older.age == Range(12, None)


def test_ages_bound_nothing_without_a_population(nlp):
    from helpers import claims_of

    claim = next(c for c in claims_of(nlp, "Gabapentin has been sold for up to 30 years at 300 mg a capsule.")
             if c.unit == "mg")
    assert claim.age is None


# -- bands and conditions in the rules --------------------------------------------------
def test_renal_bands_judge_only_their_band(tmp_path):
    in_band = _check(tmp_path, "With a creatinine clearance of 15 to 29 mL/min, gabapentin is given at 1200 mg a day.\n")
    assert [f["rule"] for f in in_band] == ["gabapentin.renal.crcl-15-29.max-daily"]
    normal = _check(tmp_path, "With a creatinine clearance of 60 mL/min or more, gabapentin is given at 1200 mg a day.\n")
    assert normal == []


def test_unquantified_renal_impairment_is_held_to_the_most_permissive_band(tmp_path):
    hit = _by_rule(_check(tmp_path, "People with kidney disease can take up to 2400 mg of gabapentin a day.\n"))["label.scope.max"]
    assert "1400 mg/day (30-59 mL/min creatinine clearance)" in hit["message"]
    assert _check(tmp_path, "People with kidney disease take no more than 1400 mg of gabapentin a day.\n") == []


def test_general_maximums_still_apply_to_a_condition(tmp_path):
    rules = [f["rule"] for f in _check(tmp_path, "People with liver disease can take up to 20 mg of zolpidem a night for insomnia.\n")]
    assert "zolpidem.hepatic.dose" in rules and "zolpidem.insomnia.max-daily" in rules


# -- formulations -----------------------------------------------------------------------
@pytest.mark.parametrize("sentence, formulation", [
    ("Xanax XR is taken at up to 10 mg once daily for panic disorder.", "extended-release"),
    ("Ambien CR is started at 12.5 mg for men.", "extended-release"),
    ("Diastat rectal gel is given at 0.5 mg/kg for seizure clusters in children aged 2 to 5 years.", "rectal"),
    ("Valtoco nasal spray is given at 20 mg for seizure clusters.", "nasal"),
    ("Horizant is taken at 1200 mg a day for restless legs syndrome.", "gabapentin enacarbil"),
    ("Gralise is taken at 1800 mg once daily with the evening meal.", "gastroretentive"),
    ("Edluar sublingual tablets start at 10 mg for men.", "sublingual"),
])
def test_other_products_of_a_molecule_are_not_judged_by_the_tablets_facts(nlp, tmp_path, sentence, formulation):
    assert one_claim(nlp, sentence).formulation == formulation
    assert _check(tmp_path, sentence + "\n") == []


def test_the_same_numbers_for_the_tablets_are_judged(tmp_path):
    rules = [f["rule"] for f in _check(tmp_path, "Xanax is taken at up to 12 mg a day for panic disorder.\n")]
    assert "alprazolam.panic.trial-max" in rules


# -- selectors --------------------------------------------------------------------------
def test_scope_relation(nlp, auditor):
    lexicon = auditor.lexicon
    claim = one_claim(nlp, "Adults can take up to 8 mg of clonazepam a day for anxiety.")
    assert scope_relation({"drug": "clonazepam", "indication": "anxiety"}, claim, lexicon) == MATCH
    assert scope_relation({"drug": "clonazepam", "indication": "panic disorder"}, claim, lexicon) == NARROWER
    assert scope_relation({"drug": "clonazepam", "indication": "seizure disorder"}, claim, lexicon) == NONE
    assert scope_relation({"drug": "clonazepam", "population": "women"}, claim, lexicon) == NARROWER
    assert scope_relation({"drug": "clonazepam", "population": "elderly"}, claim, lexicon) == NONE
    assert scope_relation({"drug": "clonazepam", "age": [12, None]}, claim, lexicon) == NARROWER
    assert scope_relation({"drug": "clonazepam", "condition": "hepatic impairment"}, claim, lexicon) == NONE
    assert scope_relation({"drug": "clonazepam", "renal_function": [30, 59]}, claim, lexicon) == NONE



def test_one_selector_judges_each_claim_by_its_own_fields(nlp, auditor):
    """A selector is worked out once and remembers what the lexicon said of the indications and
    populations it met: each claim still gets the answer for its own, and another lexicon its own."""
    lexicon = auditor.lexicon
    anxiety = one_claim(nlp, "Adults can take up to 8 mg of clonazepam a day for anxiety.")
    panic = replace(anxiety, indication="panic disorder", indications=["panic disorder"], population_detail="women")
    seizures = replace(anxiety, indication="seizure disorder", indications=["seizure disorder"])
    liver = replace(panic, condition="hepatic impairment")
    selector = {"drug": "clonazepam", "indication": "panic disorder", "population": "women"}
    for _ in range(2):
        assert scope_relation(selector, anxiety, lexicon) == NARROWER
        assert scope_relation(selector, panic, lexicon) == MATCH
        assert scope_relation(selector, seizures, lexicon) == NONE
        assert scope_relation(selector, liver, lexicon) == NONE
        assert scope_relation(selector, liver, lexicon, ceiling=True) == MATCH
    flat = Lexicon()  # no hierarchy: anxiety is not broader than panic disorder, nor adults than women
    assert scope_relation(selector, anxiety, flat) == NONE
    assert scope_relation(selector, panic, flat) == MATCH
    assert scope_relation(selector, anxiety, lexicon) == NARROWER


def test_a_scope_rule_needs_to_say_what_it_judges(tmp_path):
    rules = tmp_path / "house"
    rules.mkdir()
    (rules / "scope.yaml").write_text(textwrap.dedent("""\
        pack: house-scope
        rules:
          - id: house.scope
            type: scope
            severity: warning
            message: "m"
            description: "d"
        """), encoding="utf-8")
    result = run_cli("rules", "validate", str(rules))
    assert result.exit_code == 2
    assert "scope.yaml" in result.output and "judges" in result.output


# -- where subgroups and formulations are read from -------------------------------------
def test_a_heading_about_several_groups_assigns_none(nlp):
    from helpers import claims_of

    text = "Dosing differs for women and men\n\nThe total zolpidem dose should not exceed 10 mg in a night."
    claim = next(c for c in claims_of(nlp, text) if c.attribute == "dose.max")
    assert claim.population_detail is None


def test_a_product_in_the_title_is_not_every_claims(tmp_path):
    path = tmp_path / "lorazepam.md"
    path.write_text("# Lorazepam: tablets and injection\n\n## Tablets\n\n"
                    "Older adults start lorazepam at 3 mg a day.\n\n## Injection\n\n"
                    "For status epilepticus, 4 mg is given by intravenous injection.\n", encoding="utf-8")
    result = run_cli("claims", str(path), "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("formulation") for r in records] == [None, "injection"]
    findings = json.loads(run_cli("check", str(path), "--format", "json").stdout)["findings"]
    assert "lorazepam.elderly.start" in [f["rule"] for f in findings]


def test_women_and_men_are_compared_apart(tmp_path):
    findings = _check(tmp_path, """\
        Women start zolpidem at 5 mg at bedtime.

        Men start zolpidem at 10 mg at bedtime.

        Zolpidem can cause complex sleep behaviors such as sleep-walking.
        """)
    assert [f["rule"] for f in findings if f["rule"].startswith("consistency.")] == []


def test_a_table_of_creatinine_clearance_bands(tmp_path, nlp):
    text = """\
        # Gabapentin and your kidneys

        | Creatinine clearance (mL/min) | Total daily dose | Doses a day |
        | --- | --- | --- |
        | 60 or more | 900 to 3600 mg | three |
        | 30 to 59 | 400 to 2400 mg | two |
        | 15 to 29 | 200 to 700 mg | one |
        | below 15 | 100 to 300 mg | one |
        """
    path = tmp_path / "kidneys.md"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    records = [json.loads(line) for line in run_cli("claims", str(path), "--format", "jsonl").stdout.splitlines()]
    assert [(r.get("renal_function"), r.get("condition")) for r in records] == [
        ({"low": 60, "high": None}, None),  # normal kidney function
        ({"low": 30, "high": 59}, "renal impairment"),
        ({"low": 15, "high": 29}, "renal impairment"),
        ({"low": None, "high": 15}, "renal impairment"),
    ]
    findings = _check(tmp_path, text)
    assert [(f["rule"], f["line"]) for f in findings] == [("gabapentin.renal.crcl-30-59.max-daily", 6)]


@pytest.mark.parametrize("sentence, kept", [
    ("Children up to 10 years or 30 kg start clonazepam at 0.01 to 0.03 mg/kg/day.", ["0.01 to 0.03 mg/kg/day"]),
    ("Patients 12 years of age and older start gabapentin at 300 mg three times a day.", ["300 mg"]),
    ("Children aged 3 to 12 years start gabapentin at 10 mg/kg/day.", ["10 mg/kg/day"]),
    ("Take clonazepam for up to 2 years only if your doctor agrees.", ["up to 2 years"]),  # a duration
])
def test_years_that_bound_a_population_are_not_claims(nlp, sentence, kept):
    from helpers import claims_of

    assert [c.location["quote"] for c in claims_of(nlp, sentence)] == kept
