"""The token table holds what spaCy's Token objects say, and the windowed reference-marker matcher
finds what a Matcher over the whole Doc finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher
from spacy.tokens import Doc

from auditor.pipeline import build_pipeline
from auditor.pipeline.cues import REFERENCE_MARKER, WindowedMatcher
from auditor.pipeline.token_table import token_table

WORDS = ["[", "]", "(", ")", "1", "12", "2020", "1999a", ",", "-", "–", ".", "Smith", "et", "al", "¹²", "x",
         "Xanax", "MG", "0.5", "½", "two", "n't", "\n\n", "  ", "https://x.org", "Ünïcode", "mg/day"]


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def test_columns_match_token_attributes(nlp):
    doc = nlp.make_doc("Don't take  more than 0.5 mg (Smith et al., 2020).[2]\n\nÜnïcode ½ TABLET at https://x.org")
    table = token_table(doc)
    assert table.text == [t.text for t in doc]
    assert table.lower == [t.lower_ for t in doc]
    assert table.norm == [t.norm_ for t in doc]  # tokenizer exceptions set a token's norm ("n't" -> "not")
    assert table.ws == [bool(t.whitespace_) for t in doc]
    assert table.idx == [t.idx for t in doc]
    for name in ("like_num", "like_url", "is_alpha", "is_punct", "is_space", "is_title", "is_upper", "is_lower"):
        assert getattr(table, name) == [getattr(t, name) for t in doc], name
    assert token_table(doc) is table  # kept with the Doc


LEXICAL = ("lower", "like_num", "like_url", "is_alpha", "is_punct", "is_space", "is_title", "is_upper", "is_lower")


def _lexical_columns_match(doc) -> None:
    table = token_table(doc)
    assert table.lower == [t.lower_ for t in doc]
    for name in LEXICAL[1:]:
        assert getattr(table, name) == [getattr(t, name) for t in doc], name


def test_lexeme_columns_are_read_per_vocabulary(nlp):
    """The lowercased text and flags are remembered by text for one vocabulary: a second
    vocabulary whose lexeme says otherwise gets its own answer, and new words are read as met."""
    text = "Xanax 2 MG twice daily, then ½ tablet at https://x.org (Smith, 2020)"
    _lexical_columns_match(nlp.make_doc(text))
    other = build_pipeline()
    other.vocab["Xanax"].is_alpha = False  # a lexeme that says otherwise in this vocabulary only
    doc = other.make_doc(text)
    assert token_table(doc).is_alpha[0] is False
    _lexical_columns_match(doc)
    again = nlp.make_doc(text)
    assert token_table(again).is_alpha[0] is True
    _lexical_columns_match(nlp.make_doc(text + " zolpidemish Ünseen wörds 3x"))


def test_norms_of_a_range_are_the_norm_column(nlp):
    doc = nlp.make_doc("Don't take it, they'd said: 0.5 mg isn't enough")
    table = token_table(doc)
    expected = [t.norm_ for t in doc]
    assert table.norms(1, 4) == expected[1:4]  # read token by token: the column is not built
    assert table.norms(0, len(doc) + 3) == expected and table.norms(5, 2) == []
    assert table.norm == expected
    assert table.norms(2, 6) == expected[2:6]


def test_where_finds_tokens_by_text(nlp):
    doc = nlp.make_doc("A dose of 2 mg, then 2 mg again, not two")
    table = token_table(doc)
    asked = []

    def digits(text, low):
        asked.append(text)
        return text.isdigit()

    assert table.where(digits) == [3, 7]
    assert asked.count("2") == 1  # once per distinct text
    memo: dict[str, bool] = {}
    assert table.where(lambda text, low: low == "a", memo) == [0]
    assert memo["A"] is True and memo["dose"] is False


def test_empty_doc(nlp):
    doc = nlp.make_doc("")
    table = token_table(doc)
    assert table.text == [] and table.ws == [] and table.where(lambda text, low: True) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.booleans()), min_size=1, max_size=30))
def test_windowed_matcher_finds_what_the_matcher_finds(nlp, words):
    doc = Doc(nlp.vocab, words=[w for w, _ in words], spaces=[s for _, s in words])
    plain = Matcher(nlp.vocab)
    plain.add("CITATION", REFERENCE_MARKER)
    windowed = WindowedMatcher(nlp.vocab, {"CITATION": REFERENCE_MARKER})
    assert sorted(set(windowed(doc))) == sorted(set(plain(doc)))



# require/forbid rules' token patterns: a first token by LOWER / ORTH / TEXT (string or IN), optional
# tokens after it, a lowercase key, and a first token that cannot be tested (every token may start)
RULE_PATTERNS = {
    "stop": [[{"LOWER": {"IN": ["stop", "quit"]}}, {"IS_ALPHA": True, "OP": "?"}, {"IS_ALPHA": True, "OP": "?"},
              {"LOWER": {"IN": ["suddenly", "abruptly"]}}]],
    "alcohol": [[{"lower": "alcohol"}], [{"ORTH": {"IN": ["Alcohol", "Booze"]}}, {"IS_PUNCT": True}]],
    "brand": [[{"TEXT": "Xanax"}, {"LOWER": "mg", "OP": "?"}]],
}
RULE_WORDS = ["stop", "Stop", "STOP", "quit", "taking", "it", "suddenly", "Abruptly", "alcohol", "Alcohol",
              "booze", "Booze", ".", ",", "Xanax", "mg", "MG", "0.5", "and", "\n\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(RULE_WORDS), st.booleans()), min_size=1, max_size=40))
def test_windowed_matcher_finds_rule_patterns_in_the_matchers_order(nlp, words):
    _matches_as_the_matcher_does(nlp, RULE_PATTERNS, words)  # every first token here can be tested


def test_windowed_matcher_with_an_untested_first_token_finds_every_match(nlp):
    windowed = WindowedMatcher(nlp.vocab, {"any": [[{"IS_DIGIT": True}, {"LOWER": "mg"}]]})
    plain = Matcher(nlp.vocab)
    plain.add("any", [[{"IS_DIGIT": True}, {"LOWER": "mg"}]])
    doc = nlp.make_doc("Take 5 mg, then 10 mg.")
    assert windowed(doc) == plain(doc) and len(windowed(doc)) == 2  # every token is a window start


# patterns the token table answers whole (found without the Matcher), also under several keys at once,
# beside patterns that need the Matcher and overlap them
KNOWN_PATTERNS = {
    "drink": [[{"LOWER": {"IN": ["alcohol", "booze"]}}], [{"ORTH": "Alcohol", "SPACY": True}]],
    "drink-again": [[{"LOWER": {"IN": ["alcohol", "booze"]}}]],
    "dot-number": [[{"ORTH": ".", "SPACY": False}, {"TEXT": {"REGEX": r"^\d{1,3}$"}}]],
    "booze-dot": [[{"LOWER": "booze"}, {"IS_PUNCT": True}]],
    "titled": [[{"ORTH": "("}, {"IS_TITLE": True}, {"OP": "{0,2}"}, {"ORTH": ")"}]],
    "norm": [[{"NORM": "not"}, {"LIKE_NUM": True, "OP": "?"}, {"IS_ALPHA": True}]],
}
KNOWN_WORDS = ["alcohol", "Alcohol", "BOOZE", "booze", ".", "12", "1234", "(", ")", "Smith", "x", "n't", "not",
               "2", "and", ","]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KNOWN_WORDS), st.booleans()), min_size=1, max_size=30))
def test_windowed_matcher_knows_whole_patterns_in_the_matchers_order(nlp, words):
    _matches_as_the_matcher_does(nlp, KNOWN_PATTERNS, words)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 4)), max_size=12))
def test_longest_matches_keeps_what_filter_spans_keeps(nlp, pairs):
    from spacy.util import filter_spans

    from auditor.pipeline.cues import longest_matches

    doc = Doc(nlp.vocab, words=["w"] * 16)
    matches = [(start, start + length) for start, length in pairs]
    assert longest_matches(matches) == [(s.start, s.end) for s in filter_spans([doc[a:b] for a, b in matches])]


def _matches_as_the_matcher_does(nlp, patterns: dict, words: list[tuple[str, bool]]) -> None:
    """A WindowedMatcher and spaCy's Matcher with the same ``patterns`` find the same matches in the
    same order on the Doc of ``words`` (text, followed by a space), with windows tested first."""
    doc = Doc(nlp.vocab, words=[w for w, _ in words], spaces=[s for _, s in words])
    plain = Matcher(nlp.vocab)
    windowed = WindowedMatcher(nlp.vocab)
    for key, group in patterns.items():
        plain.add(key, group)
        windowed.add(key, group)
    assert windowed.tests is not None  # the Matcher runs on windows, not on every token
    assert windowed(doc) == plain(doc)
