"""The cue phrases and the misspellings are data files editors extend; both are checked here."""

from __future__ import annotations

from collections import Counter

import pytest
from helpers import one_claim

from auditor.errors import AuditorError
from auditor.lexicon import Lexicon
from auditor.pipeline.cues import CUE_DATA, LABELS, load_cue_phrases


def test_cue_file_has_every_label_and_no_repeated_phrase():
    phrases = load_cue_phrases(CUE_DATA)
    assert set(phrases) == set(LABELS)
    for label, items in phrases.items():
        repeated = [p for p, n in Counter(p.lower() for p in items).items() if n > 1]
        assert repeated == [], (label, repeated)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cues:\n  STRAT: [start]\n", "unknown cue label 'STRAT'"),
        ("cues:\n  START: start\n", "'START' must be a list of non-empty strings"),
        ("- start\n", "a cue file is a mapping"),
    ],
)
def test_a_bad_cue_file_names_file_and_line(tmp_path, text, message):
    path = tmp_path / "cues.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AuditorError) as err:
        load_cue_phrases(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_misspelt_drug_condition_and_cue_words_read_as_the_words_meant(nlp):
    claim = one_claim(nlp, "I was perscribed 0.5 mg of clonazapam for my anxeity.")
    assert (claim.drug, claim.indication) == ("clonazepam", "anxiety")
    claim = one_claim(nlp, "The maxium dose of trazadone is 400 mg.")
    assert (claim.drug, claim.attribute) == ("trazodone", "dose.max")


def test_a_bad_spelling_entry_names_file_and_line(tmp_path):
    path = tmp_path / "spellings.yaml"
    path.write_text("spellings:\n  clonazepam: clonazapam\n", encoding="utf-8")
    with pytest.raises(AuditorError) as err:
        Lexicon().add_file(path)
    assert f"{path}:2" in str(err.value)
