"""The lexicon of other medicines (rules/lexicon/medicines.yaml): doses of medicines other than
the article's drug get their own drug, and no drug or class term is defined twice.

The sentences are written for this test; none is taken from an article or a label.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from helpers import claims_of

from auditor.lexicon import Lexicon, load_lexicon
from auditor.paths import bundled_rules_dir
from auditor.yamlio import load_yaml

LEXICON_DIR = bundled_rules_dir() / "lexicon"


def _entries_terms(path: Path) -> list[tuple[str, set[str]]]:
    """Each drug and class entry of a lexicon file, as (its name, the lowercased terms it defines)."""
    data = load_yaml(path).data or {}
    entries = []
    for entry in data.get("drugs") or []:
        entries.append((entry["generic"], [entry["generic"], *(entry.get("brands") or [])]))
    for entry in data.get("classes") or []:
        entries.append((entry["name"], [entry["name"], *(entry.get("terms") or [])]))
    return [(name, {str(t).strip().lower() for t in terms}) for name, terms in entries]


def test_no_drug_or_class_term_is_defined_twice():
    # Not in two entries, of one file or of two: drug and class terms share one matcher table
    # (pipeline/terms.py) and a later entry silently overrides an earlier one, so a repeated term
    # would change what a word means without notice.
    places = defaultdict(list)
    files = sorted(LEXICON_DIR.glob("*.yaml"))
    assert any(f.name == "medicines.yaml" for f in files)
    for path in files:
        for name, terms in _entries_terms(path):
            for term in terms:
                places[term].append(f"{path.name}: {name}")
    repeated = {term: where for term, where in places.items() if len(where) > 1}
    assert not repeated, repeated


def test_medicines_file_adds_several_hundred_generics_with_classes():
    lexicon = Lexicon()
    lexicon.add_file(LEXICON_DIR / "medicines.yaml")
    generics = set(lexicon.drug_terms.values())
    assert len(generics) >= 400
    merged = load_lexicon([bundled_rules_dir()])
    assert merged.drug_terms["nexium"] == "esomeprazole"
    assert merged.drug_terms["salbutamol"] == "albuterol"  # UK generic name of a US one
    assert merged.drug_terms["paracetamol"] == "acetaminophen"
    assert merged.classes_of("imipramine") == ["tricyclic antidepressants", "antidepressants"]
    assert merged.classes_of("glipizide") == ["sulfonylureas", "antidiabetics"]
    assert merged.classes_of("clorazepate") == ["benzodiazepines"]  # a class drugs.yaml defines
    assert merged.drug_terms["clonazepam"] == "clonazepam"  # drugs.yaml entries are untouched


@pytest.mark.parametrize(
    "word",
    ["today", "alli", "plan b", "focus", "advance", "soma", "ella", "alcohol", "caffeine", "nicotine",
     "iron", "vitamin", "water", "adrenaline", "estrogen", "thyroid hormone", "nitrates", "maoi"],
)
def test_ordinary_words_are_not_drug_terms(word):
    lexicon = load_lexicon([bundled_rules_dir()])
    assert word not in lexicon.drug_terms
    assert word not in lexicon.class_terms


def _drugs(nlp, text: str) -> dict[str, str | None]:
    return {c.location["quote"]: c.drug for c in claims_of(nlp, text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cimetidine 400 mg twice daily raised citalopram levels.", {"400 mg": "cimetidine"}),
        ("Patients on citalopram 40 mg daily were also given cimetidine 400 mg twice a day.",
         {"40 mg": "citalopram", "400 mg": "cimetidine"}),
        ("In the study, people taking escitalopram 10 mg a day were given ketoconazole 200 mg.",
         {"10 mg": "escitalopram", "200 mg": "ketoconazole"}),
        ("After a single dose of theophylline (300 mg), sertraline levels did not change.",
         {"300 mg": "theophylline"}),
        ("A single dose of warfarin 25 mg was given to people on sertraline 100 mg a day.",
         {"25 mg": "warfarin", "100 mg": "sertraline"}),
        ("Mixing tramadol 50 mg with sumatriptan 25 mg can cause serotonin syndrome.",
         {"50 mg": "tramadol", "25 mg": "sumatriptan"}),
        ("She takes Zoloft 50mg, lisinopril 10mg and Wellbutrin 150mg every morning.",
         {"50mg": "sertraline", "10mg": "lisinopril", "150mg": "bupropion"}),
        ("I was put on Lustral 50mg with lansoprazole 30mg for my stomach.",
         {"50mg": "sertraline", "30mg": "lansoprazole"}),
        ("I take alprazolam 0.5 mg in the evening and Adderall 20 mg in the morning.",
         {"0.5 mg": "alprazolam", "20 mg": "amphetamine"}),
        ("Zolpidem 10 mg did not work until my doctor stopped the omeprazole 20 mg and the Diflucan 150 mg.",
         {"10 mg": "zolpidem", "20 mg": "omeprazole", "150 mg": "fluconazole"}),
        ("Since starting 20 mg of Prozac I can focus better, and I still take my Nexium 40 mg.",
         {"20 mg": "fluoxetine", "40 mg": "esomeprazole"}),
        ("You can take paracetamol 1g up to four times a day while you take diazepam.",
         {"1g": "acetaminophen"}),
        ("NSAIDs such as ibuprofen 400 mg raise the risk of bleeding with sertraline.",
         {"400 mg": "ibuprofen"}),
        ("Today I took 0.5 mg of Xanax before the flight.", {"0.5 mg": "alprazolam"}),
    ],
)
def test_other_medicines_doses_get_their_own_drug(nlp, text, expected):
    found = _drugs(nlp, text)
    assert {quote: found.get(quote) for quote in expected} == expected, found


def test_another_medicine_in_an_article_about_one_drug(nlp):
    text = ("Clonazepam for panic disorder\n\n"
            "Most adults start clonazepam at 0.25 mg twice a day.\n\n"
            "Her GP also prescribed amlodipine 5 mg for blood pressure.")
    assert _drugs(nlp, text) == {"0.25 mg": "clonazepam", "5 mg": "amlodipine"}
