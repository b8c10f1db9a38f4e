"""The rule engine: rule types, selectors, and errors for malformed rules and config."""

from __future__ import annotations

import json
import textwrap

import pytest
from helpers import house_rules, run_cli

from auditor.engine.checks import DocumentRules, check_document
from auditor.runner import Selection


def _check(tmp_path, text: str, *args: str, name: str = "article.md") -> list[dict]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = run_cli("check", str(path), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


def _rules(findings: list[dict]) -> list[str]:
    return [f["rule"] for f in findings]


# -- label rules ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    [
        "Panic disorder patients sometimes stay on clonazepam 3 mg three times a day.",  # 9 mg/day via frequency
        "For panic disorder, the ceiling for clonazepam is 6 mg daily.",
        "In adults with panic attacks, Klonopin can go as high as 5 mg a day.",
    ],
)
def test_label_maximum_violation_in_unseen_wording(tmp_path, sentence):
    findings = _check(tmp_path, sentence + "\n")
    assert "clonazepam.panic.max-daily" in _rules(findings)
    hit = next(f for f in findings if f["rule"] == "clonazepam.panic.max-daily")
    assert hit["severity"] == "error"
    assert hit["reference"]["value"] == {"low": 4, "high": 4}
    assert hit["reference"]["source"]["section"]


def test_correct_statement_for_another_indication_is_not_judged(tmp_path):
    findings = _check(tmp_path, "For seizure disorders, adults may take up to 20 mg of clonazepam a day.\n")
    assert "clonazepam.panic.max-daily" not in _rules(findings)
    assert "clonazepam.seizure.max-daily" not in _rules(findings)


def test_hypothetical_dose_is_not_held_to_a_limit(tmp_path):
    findings = _check(tmp_path, "If someone with panic disorder took 8 mg of clonazepam a day, they would be very drowsy.\n")
    assert "clonazepam.panic.max-daily" not in _rules(findings)


def test_expect_rule_compares_like_with_like(tmp_path):
    ok = _check(tmp_path, "For panic disorder, the starting dose of clonazepam is 0.25 mg twice a day.\n")
    assert "clonazepam.panic.start" not in _rules(ok)
    bad = _check(tmp_path, "For panic disorder, the starting dose of clonazepam is 1 mg twice a day.\n")
    assert "clonazepam.panic.start" in _rules(bad)


def test_uncited_and_cited_statistics(tmp_path):
    findings = _check(tmp_path, """\
        Nearly 40% of people taking sertraline report nausea.

        According to the label, 26% of patients reported nausea.
        """)
    uncited = [f for f in findings if f["rule"] == "general.uncited-statistic"]
    assert [f["line"] for f in uncited] == [1]


def test_require_rule_on_a_benzodiazepine_article(tmp_path):
    missing = _check(tmp_path, "Clonazepam is a benzodiazepine. Adults take 1 mg a day.\n")
    assert {"benzodiazepines.opioids", "benzodiazepines.taper", "benzodiazepines.alcohol"} <= set(_rules(missing))
    present = _check(tmp_path, "Clonazepam is a benzodiazepine. Never combine it with opioids or alcohol, "
                               "and do not stop it abruptly: your doctor will taper the dose.\n")
    assert not {"benzodiazepines.opioids", "benzodiazepines.taper", "benzodiazepines.alcohol"} & set(_rules(present))



def test_document_rules_built_once_judge_each_document_as_each_rule_alone(auditor, tmp_path):
    texts = {"named.md": "Clonazepam is a benzodiazepine. Adults take 1 mg a day.\n",
             "told.md": "Clonazepam is a benzodiazepine. Never combine it with opioids or alcohol, "
                        "and do not stop it abruptly: your doctor will taper the dose. It is completely safe.\n",
             "other.md": "Zolpidem helps with sleep. Adults take 5 mg at bedtime.\n"}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    results = list(auditor.analyze(auditor.read(Selection([str(tmp_path)]), lambda m: None)))
    rules = auditor.ruleset.active()
    together = DocumentRules(rules, auditor.lexicon)
    for result in results + results:  # the second time, with what the first documents taught it
        alone = [f for rule in rules for f in check_document(rule, result, auditor.lexicon)]
        assert [f.to_record() for f in together.check(result)] == [f.to_record() for f in alone]
    found = {result.path.rsplit("/", 1)[-1]: {f.rule for f in together.check(result)} for result in results}
    assert "benzodiazepines.opioids" in found["named.md"]
    assert "benzodiazepines.opioids" not in found["told.md"] | found["other.md"]


def test_forbid_rule_from_a_user_rules_directory(tmp_path):
    rules = house_rules(tmp_path, 'suggest: "generally well tolerated"')
    findings = _check(tmp_path, "Clonazepam is completely safe for most people.\n", "--rules", str(rules))
    hit = next(f for f in findings if f["rule"] == "house.no-safe-claims")
    assert hit["quote"] == "completely safe"
    assert "generally well tolerated" in hit["message"]


# -- malformed rules and config -------------------------------------------------------
def _bad_rules(tmp_path, body: str) -> str:
    rules = tmp_path / "bad"
    rules.mkdir(exist_ok=True)
    (rules / "pack.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    result = run_cli("rules", "validate", str(rules))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


RULE = """\
pack: bad
rules:
  - id: bad.rule
    type: cite
    severity: warning
    message: m
    description: d
    select: {attribute: incidence}
"""


def test_unknown_key_names_file_line_and_key(tmp_path):
    line = _bad_rules(tmp_path, RULE + "    severty: error\n")
    assert "pack.yaml:9:5" in line and "severty" in line


def test_wrong_type_names_the_key(tmp_path):
    line = _bad_rules(tmp_path, RULE.replace("severity: warning", "severity: 3"))
    assert "pack.yaml:5:" in line and "severity" in line


def test_invalid_yaml(tmp_path):
    line = _bad_rules(tmp_path, "pack: bad\nrules: [\n  - id: x\n")
    assert "pack.yaml:" in line and "invalid YAML" in line


def test_duplicate_ids(tmp_path):
    line = _bad_rules(tmp_path, RULE + RULE.split("rules:\n", 1)[1])
    assert "duplicate rule id 'bad.rule'" in line and "pack.yaml:9:" in line


def test_medical_fact_without_source_is_rejected(tmp_path):
    line = _bad_rules(tmp_path, """\
        pack: bad
        rules:
          - id: bad.max
            type: limit
            severity: error
            message: m
            description: d
            select: {drug: clonazepam}
            reference: {value: 4, unit: mg, per: day}
            compare: "<="
        """)
    assert "source" in line and "pack.yaml:3:" in line


def test_config_error_names_file_and_line(tmp_path):
    (tmp_path / "auditor.yaml").write_text("fail_on: warning\nrules_dir: [x]\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Clonazepam lasts 6-12 hours.\n", encoding="utf-8")
    result = run_cli("check", "a.txt", cwd=tmp_path)
    assert result.exit_code == 2
    assert "auditor.yaml:2:" in result.output and "rules_dir" in result.output


def test_config_in_pyproject_sets_fail_level_and_disables_rules(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.auditor]\nfail_on = "warning"\ndisable = ["general.*"]\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text("About 40% of people report nausea.\n", encoding="utf-8")
    result = run_cli("check", "a.txt", "--format", "json", cwd=tmp_path)
    assert json.loads(result.stdout)["findings"] == []
    assert result.exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.auditor]\nfail_on = "warning"\n', encoding="utf-8")
    result = run_cli("check", "a.txt", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1


def test_config_severity_override(tmp_path):
    (tmp_path / "auditor.yaml").write_text("severity:\n  general.uncited-statistic: error\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("About 40% of people on sertraline report nausea.\n", encoding="utf-8")
    result = run_cli("check", "a.txt", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["severity"] == "error"


def test_bundled_rules_validate_and_every_fact_is_cited():
    from auditor.engine import load_rules
    from auditor.paths import bundled_rules_dir

    ruleset = load_rules([bundled_rules_dir()])
    drug_packs = {"clonazepam", "alprazolam", "lorazepam", "diazepam", "zolpidem", "sertraline", "gabapentin",
                  "citalopram", "escitalopram", "buspirone", "hydroxyzine", "trazodone", "mirtazapine", "quetiapine",
                  "alprazolam-xr", "zolpidem-cr"}
    assert drug_packs <= {p.id for p in ruleset.packs}
    assert len({p.drug for p in ruleset.packs if p.drug}) >= 14
    for rule in ruleset.rules:
        if rule.reference is not None:
            assert rule.source and rule.source.get("section") and rule.source.get("url") and rule.reviewed, rule.id


def test_extended_release_is_not_judged_by_immediate_release_facts(tmp_path):
    findings = _check(tmp_path, "For insomnia, Ambien CR goes up to 12.5 mg once daily.\n")
    assert "zolpidem.insomnia.max-daily" not in _rules(findings)
    findings = _check(tmp_path, "For insomnia, Ambien goes up to 12.5 mg once daily.\n")
    assert "zolpidem.insomnia.max-daily" in _rules(findings)


def test_extended_release_products_are_judged_by_their_own_packs(tmp_path):
    findings = _rules(_check(tmp_path, "For insomnia, Ambien CR can be taken at up to 25 mg a night.\n"))
    assert "zolpidem-cr.insomnia.max-daily" in findings and "zolpidem.insomnia.max-daily" not in findings
    findings = _rules(_check(tmp_path, "For insomnia, Ambien can be taken at up to 25 mg a night.\n"))
    assert "zolpidem.insomnia.max-daily" in findings and "zolpidem-cr.insomnia.max-daily" not in findings
    findings = _rules(_check(tmp_path, "Xanax XR is usually started at 3 mg once daily.\n"))
    assert "alprazolam-xr.panic.start" in findings
    # the immediate-release facts stay silent; the boxed-warning rule is about the document
    assert [r for r in findings if r.startswith("alprazolam.")] == ["alprazolam.boxed-warning.addiction"]
    findings = _rules(_check(tmp_path, "Most people take 3 to 6 mg of Xanax XR once a day.\n"))
    assert [r for r in findings if r.startswith(("alprazolam.", "alprazolam-xr."))] == ["alprazolam.boxed-warning.addiction"]
