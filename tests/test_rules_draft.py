"""`auditor rules draft`: rule packs drafted from openFDA label records and SPL XML, refused by
`rules validate` and left out of `check` until reviewed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import run_cli

from auditor.engine.draft import draft_from_label
from auditor.engine.label_source import read_label, split_numbered
from auditor.engine.loader import load_pack

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO.parent / "shared" / "labels"
SPL = REPO / "tests" / "fixtures" / "labels" / "celexa-excerpt.spl.xml"


@pytest.fixture(scope="module")
def labels() -> Path:
    if not LABELS.is_dir():
        pytest.skip("../shared/labels is not beside this checkout")
    return LABELS


def _rules(content: str) -> list[dict]:
    return yaml.safe_load(content)["rules"]


def _facts(rules: list[dict]) -> set[tuple]:
    return {(r["type"], r["select"]["attribute"] if isinstance(r["select"]["attribute"], str) else "max",
             json.dumps(r["reference"]["value"]), r["reference"]["unit"]) for r in rules}


def _section_text(record, name: str) -> str:
    return " ".join(s.text for s in record.sections if s.name == name)


# -- reading labels ----------------------------------------------------------------------
def test_numbered_headings_are_found_in_flattened_text():
    text = ("2 DOSAGE AND ADMINISTRATION Take it once daily ( 2.1 ). 2.1 Recommended Dosage Administer "
            "DRUGX once daily at 20 mg. 2. 3 Dosing in the Elderly The starting dose is 10 mg. "
            "Volume of distribution is 4.9 L/kg in adults.")
    sections = split_numbered(text, "dosage_and_administration")
    assert [(s.number, s.heading) for s in sections] == [
        ("2", "DOSAGE AND ADMINISTRATION"), ("2.1", "Recommended Dosage"), ("2.3", "Dosing in the Elderly")]
    assert sections[1].text.startswith("Administer DRUGX once daily")
    assert sections[2].text.endswith("4.9 L/kg in adults.")  # a value with a unit is no heading


def test_openfda_record_names_drug_version_and_sections(labels):
    record = read_label(str(labels / "celexa.openfda.json"))
    assert record.generic == "citalopram" and record.brand == "Celexa"
    assert record.set_id == "4259d9b1-de34-43a4-85a8-41dd214e9177" and record.version == "37"
    names = [s.name for s in record.sections]
    assert "2.1 Recommended Dosage" in names and "12.3 Pharmacokinetics" in names


def test_spl_xml_gives_the_same_sections():
    record = read_label(str(SPL))
    assert record.generic == "citalopram" and record.version == "37"
    assert [s.name for s in record.sections] == ["2.1 Recommended Dosage", "12.3 Pharmacokinetics"]
    # paragraphs are separated, not glued
    assert "4 hours. Biotransformation" in record.sections[1].text


# -- drafting ------------------------------------------------------------------------------
def test_celexa_draft_states_the_labels_dosing_and_pharmacokinetics(labels):
    content, record, _facts_found = draft_from_label(str(labels / "celexa.openfda.json"))
    rules = _rules(content)
    found = _facts(rules)
    assert ("limit", "max", "40", "mg") in found          # 2.1: a maximum dosage of 40 mg once daily
    assert ("expect", "dose.start", "20", "mg") in found  # initial dosage of 20 mg once daily
    assert ("expect", "half_life", "35", "hour") in found  # 12.3: half-life of about 35 hours
    assert ("expect", "peak", "4", "hour") in found       # 12.3: peak blood levels at about 4 hours
    # study doses in Clinical Pharmacology (another drug's 200 mg) are not drafted as limits
    assert not any(r["reference"]["value"] == 200 for r in rules)
    for rule in rules:
        assert rule["reviewed"] is None and rule["draft"] is True
        assert rule["source"]["ref"] == "label"
        quote = rule["source"]["quote"]
        assert quote in _section_text(record, rule["source"]["section"]), rule["id"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))


def test_draft_scopes_facts_to_the_population_the_text_names(labels):
    content, _record, _facts = draft_from_label(str(labels / "silenor.openfda.json"))
    rules = _rules(content)
    elderly = [r for r in rules if r["select"].get("population") == "elderly" and r["select"]["attribute"] == "dose.start"]
    assert elderly and elderly[0]["reference"]["value"] == 3  # 2.2: starting dose in elderly patients is 3 mg
    assert elderly[0]["source"]["section"] == "2.2 Dosing in the Elderly"


def test_spl_and_openfda_drafts_agree_on_shared_sections(labels):
    spl_rules = _rules(draft_from_label(str(SPL))[0])
    json_rules = _rules(draft_from_label(str(labels / "celexa.openfda.json"))[0])
    assert _facts(spl_rules) <= _facts(json_rules)
    assert ("limit", "max", "40", "mg") in _facts(spl_rules)


@pytest.mark.parametrize("name", ["abilify", "celexa", "clozaril", "diazepam-rectal-gel", "pristiq", "silenor",
                                  "trintellix", "venlafaxine"])
def test_every_shared_label_drafts_a_valid_pack(labels, tmp_path, name):
    path = labels / f"{name}.openfda.json"
    content = draft_from_label(str(path))[0]
    out = tmp_path / f"{name}.yaml"
    out.write_text(content, encoding="utf-8")
    pack = load_pack(out)  # schema-valid as written
    assert pack.rules, f"{name}: no fact drafted"
    assert all(r.unreviewed_draft for r in pack.rules)


# -- the CLI: validate refuses, check leaves out, review lets in ---------------------------
def test_cli_draft_validate_check_cycle(labels, tmp_path):
    rules_dir = tmp_path / "house"
    rules_dir.mkdir()
    pack = rules_dir / "citalopram.yaml"
    result = run_cli("rules", "draft", str(labels / "celexa.openfda.json"), "--output", str(pack))
    assert result.exit_code == 0, result.output
    assert "draft rules" in result.stderr

    refused = run_cli("rules", "validate", str(rules_dir))
    assert refused.exit_code == 2
    assert str(pack) in refused.stderr and "unreviewed draft" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    article = tmp_path / "article.md"
    article.write_text("Citalopram can be taken at 60 mg once daily for depression.\n", encoding="utf-8")
    skipped = run_cli("check", str(article), "--rules", str(rules_dir), "--format", "json")
    assert "unreviewed draft" in skipped.stderr and str(pack) in skipped.stderr
    assert not [f for f in json.loads(skipped.stdout)["findings"] if f["rule"].startswith("citalopram-label.")]
    listed = run_cli("rules", "list", "--rules", str(rules_dir))
    assert listed.exit_code == 0
    assert "unreviewed draft" in listed.stderr and str(pack) in listed.stderr
    assert "citalopram-label." not in listed.stdout

    pack.write_text(pack.read_text(encoding="utf-8").replace("reviewed: null", "reviewed: 2026-12-01"), encoding="utf-8")
    assert run_cli("rules", "validate", str(rules_dir)).exit_code == 0
    checked = run_cli("check", str(article), "--rules", str(rules_dir), "--format", "json")
    rules_hit = {f["rule"] for f in json.loads(checked.stdout)["findings"]}
    assert "citalopram-label.max" in rules_hit


def test_cli_compare_counts_the_facts_of_a_reviewed_pack(labels, tmp_path):
    pack = tmp_path / "citalopram.yaml"
    pack.write_text("""
pack: citalopram-house
drug: citalopram
sources: {label: {title: CELEXA label}}
rules:
  - id: house.citalopram.max
    type: limit
    severity: error
    message: "too much"
    description: "The label's maximum."
    select: {drug: citalopram, attribute: [dose.max, dose.mention]}
    reference: {value: 40, unit: mg, per: day}
    compare: "<="
    source: {ref: label, section: "2.1"}
    reviewed: 2026-12-01
  - id: house.citalopram.half-life
    type: expect
    severity: warning
    message: "half-life"
    description: "The label's half-life."
    select: {drug: citalopram, attribute: half_life}
    reference: {value: 35, unit: hour}
    source: {ref: label, section: "12.3"}
    reviewed: 2026-12-01
  - id: house.citalopram.start
    type: expect
    severity: warning
    message: "start"
    description: "Not a label value: the draft must not find it."
    select: {drug: citalopram, attribute: dose.start}
    reference: {value: 99, unit: mg, per: dose}
    source: {ref: label, section: "2.1"}
    reviewed: 2026-12-01
""", encoding="utf-8")
    result = run_cli("rules", "draft", str(labels / "celexa.openfda.json"), "--compare", str(pack))
    assert result.exit_code == 0, result.output
    assert "finds 2 of 3 label facts" in result.stderr
    assert "not found: house.citalopram.start" in result.stderr


def test_non_draft_rule_with_empty_review_date_is_refused(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text("""pack: p
sources: {label: {title: L}}
rules:
  - id: p.max
    type: limit
    severity: error
    message: m
    description: d
    select: {drug: citalopram}
    reference: {value: 40, unit: mg, per: day}
    compare: "<="
    source: {ref: label}
    reviewed: null
""", encoding="utf-8")
    result = run_cli("rules", "validate", str(tmp_path))
    assert result.exit_code == 2
    assert f"{pack}:" in result.stderr and "only a draft rule" in result.stderr


@pytest.mark.parametrize("content, words", [
    (b'{"meta": {}, "results": []}', "no results"),
    (b'{"hello": 1}', "no dosage_and_administration"),
    (b"\xff\xfe not json", "not an openFDA label record"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><d>&b;</d>', "refused"),
    (b"<document><unclosed></document>", "not well-formed"),
])
def test_bad_label_files_are_one_line_and_exit_2(tmp_path, content, words):
    path = tmp_path / "label.json"
    path.write_bytes(content)
    result = run_cli("rules", "draft", str(path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], lines
