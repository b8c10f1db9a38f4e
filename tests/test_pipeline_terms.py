"""The term recognizer's matchers (pipeline/terms.py): patterns built without tokenizing plain
terms match exactly what one tokenized pattern per term matches.

The reference below is the straightforward construction (one ``nlp.make_doc`` pattern and one
match key per term); every test compares the recognizer with it on the same text. The
sentences and lexicon entries are written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from auditor.lexicon import load_lexicon
from auditor.paths import bundled_rules_dir
from auditor.pipeline import build_pipeline
from auditor.pipeline.terms import TermPatterns, TermRecognizer, pattern_key, term_tables

GROUPS = ("drugs", "indications", "populations", "conditions", "formulations")


def reference_spans(nlp, lexicon, text: str) -> dict[str, list[tuple[int, int, str, str]]]:
    """The spans of one PhraseMatcher per group with one tokenized pattern and one key per term."""
    tables = term_tables(lexicon)
    doc = nlp.make_doc(text)
    out = {}
    for group, table in tables.items():
        matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for term in table:
            matcher.add(f"{group}:{term}", [nlp.make_doc(term)])
        spans = []
        for match_id, start, end in matcher(doc):
            term = nlp.vocab.strings[match_id].split(":", 1)[1]
            if term in lexicon.acronyms and not doc[start:end].text.isupper():
                continue
            is_class = group == "drugs" and term in lexicon.class_terms and term not in lexicon.drug_terms
            spans.append(Span(doc, start, end, label=table[term], span_id="class" if is_class else 0))
        out[group] = [(s.start, s.end, s.label_, s.id_) for s in filter_spans(spans)]
    return out


def recognized(nlp, text: str) -> dict[str, list[tuple[int, int, str, str]]]:
    doc = nlp.get_pipe("term_recognizer")(nlp.make_doc(text))
    return {group: [(s.start, s.end, s.label_, s.id_) for s in doc.spans[group]] for group in GROUPS}


def lexicon_pipeline(tmp_path: Path, text: str):
    """A pipeline reading only the lexicon file ``text``, with a second one as the reference."""
    path = tmp_path / "lexicon.yaml"
    path.write_text(text, encoding="utf-8")
    lexicon = load_lexicon([path])
    return build_pipeline([str(path)]), build_pipeline([str(path)]), lexicon


@pytest.fixture(scope="module")
def bundled():
    return build_pipeline(), build_pipeline(), load_lexicon([bundled_rules_dir()])


def test_every_bundled_term_reads_as_its_tokens(bundled):
    nlp, fresh, lexicon = bundled
    patterns = TermPatterns(nlp)
    terms = [*lexicon.class_terms, *lexicon.drug_terms, *lexicon.indication_terms, *lexicon.population_terms,
             *lexicon.condition_terms, *lexicon.formulation_terms]
    built = {term: patterns(term) for term in terms}
    assert sum(isinstance(p, tuple) for p in built.values()) > len(terms) // 2  # most terms are plain words
    assert any(isinstance(p, Doc) for p in built.values())  # "z-drugs", "glp-1 agonist": tokenized
    for term, pattern in built.items():
        assert pattern_key(pattern) == tuple(t.norm for t in fresh.make_doc(term)), term


def test_bundled_terms_match_as_the_reference(bundled):
    nlp, fresh, lexicon = bundled
    # every term of every group once, capitalized, in capitals, possessive and misspelled, in sentences
    terms = [*lexicon.drug_terms, *lexicon.class_terms, *lexicon.indication_terms, *lexicon.population_terms,
             *lexicon.condition_terms, *lexicon.formulation_terms]
    text = " ".join(
        f"Take {term} daily. {term.title()} and {term.upper()}'s dose (for {term}), not {term}s."
        for term in terms[::3]
    ) + " Clonazapam for panic disorder in older adults with hepatic impairment, extended-release tablets."
    got, want = recognized(nlp, text), reference_spans(fresh, lexicon, text)
    assert sum(len(v) for v in got.values()) > 1000
    assert got == want


def test_terms_that_read_the_same_keep_the_reference_order(tmp_path):
    # "zorvex" is a misspelling of "zorvax": the brand "zorvex" of one drug reads as the brand
    # "zorvax" of another, so both match the same words and the first match returned wins.
    nlp, fresh, lexicon = lexicon_pipeline(tmp_path, """
drugs:
  - generic: alphamab
    brands: [Zorvax, Kelto, ZX]
  - generic: betamab
    brands: [Zorvex, KELTO XR, Quin, zz]
  - generic: gammamab
    brands: [quin]
classes:
  - name: widgets
    terms: [kelto]
spellings:
  zorvax: [zorvex]
  zz: [zx]
""")
    # "ZX" (an acronym: capitals only) reads as "zz" too
    text = "Zorvax 5 mg, zorvex 10 mg, ZORVAX, Kelto, KELTO XR and kelto xr, Quin and quin; ZX, zx and zz."
    got = recognized(nlp, text)
    assert got == reference_spans(fresh, lexicon, text)
    assert got["drugs"][0][2] in {"alphamab", "betamab"}
    assert [label for *_, label, _ in got["drugs"][-2:]] == ["betamab", "betamab"]  # "zx", "zz"


def test_tokenizer_exceptions_and_punctuated_terms(tmp_path):
    # "cannot" is a tokenizer exception (two tokens), "anti-flu" has an infix, "dr ez" a plain term
    nlp, fresh, lexicon = lexicon_pipeline(tmp_path, """
drugs:
  - generic: testamine
    brands: [cannot, anti-flu, dr ez, "b.i.d"]
indications:
  - name: sore throat
    terms: [throat pain]
populations:
  - name: adult
    terms: [grown ups, adults]
""")
    patterns = TermPatterns(nlp)
    assert isinstance(patterns("cannot"), Doc) and isinstance(patterns("anti-flu"), Doc)
    assert isinstance(patterns("dr ez"), tuple)
    text = "I cannot take Anti-flu or Dr Ez (b.i.d) for throat pain; grown ups and adults can."
    got = recognized(nlp, text)
    assert got == reference_spans(fresh, lexicon, text)
    assert [label for *_, label, _ in got["drugs"]] == ["testamine"] * 4
    assert [label for *_, label, _ in got["indications"]] == ["sore throat"]


def test_recognizer_keys_are_fewer_than_terms(bundled):
    nlp, _fresh, _lexicon = bundled
    recognizer = nlp.get_pipe("term_recognizer")
    assert isinstance(recognizer, TermRecognizer)
    keys = sum(len(matcher) for matcher, *_ in recognizer.matchers.values())
    terms = sum(len(table) for _matcher, table, *_ in recognizer.matchers.values())
    assert keys < terms
