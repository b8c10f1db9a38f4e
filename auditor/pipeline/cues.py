"""The ``cue_recognizer`` component: the words that say what a number means.

A token Matcher finds cue phrases and stores them as ``doc.spans["cues"]`` with a label:

- attribute cues: START ("starting dose"), TARGET ("maintenance"), MAX ("should not exceed",
  "upper limit"), INCREMENT ("increase by"), TYPICAL ("usually", "ranges from"), ONSET
  ("starts working", "kicks in"), DURATION ("lasts"), PEAK, HALF_LIFE, TREATMENT ("for full
  effect", "course"), EFFICACY ("relieves", "remission"), INCIDENCE ("experience", "report");
- context cues in the manner of ConText: NEGATION ("not", "never"), PSEUDO (negation words
  that do not negate: "not exceed", "no more than", "not recommended"), HYPOTHETICAL ("if",
  "might", "could"), PERMISSIVE ("may take": a permission, not a hypothesis), CITATION
  ("according to", "[1]"), TERMINATE (clause boundaries: "but", "while", ";");
- NOT_CLAIM cues that rule a number out: pharmacokinetic percentages ("bioavailability"),
  ages ("aged", "years old").

Each phrase list is data, in ``cues.yaml`` beside this module; the claim builder decides what
the cues mean for each number. Phrases are matched on the token's NORM, so that a misspelling
listed in the lexicon's ``spellings`` (``rules/lexicon/spellings.yaml``) matches as the word it
misspells.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from ..yamlio import load_yaml
from .token_table import token_table

CUE_DATA = Path(__file__).with_name("cues.yaml")
LABELS = (
    "START", "TARGET", "MAX", "INCREMENT", "TYPICAL", "ONSET", "DURATION", "PEAK", "HALF_LIFE", "TREATMENT",
    "EFFICACY", "INCIDENCE", "NEGATION", "PSEUDO", "HYPOTHETICAL", "PERMISSIVE", "CITATION", "TERMINATE",
    "NOT_CLAIM_PERCENT", "AGE",
)


@lru_cache(maxsize=4)
def load_cue_phrases(path: Path = CUE_DATA) -> dict[str, list[str]]:
    """The cue phrases of ``cues.yaml``, by label; a malformed file is an ``AuditorError``."""
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("cues"), dict):
        raise doc.error((), "a cue file is a mapping with a 'cues' mapping of label -> phrases")
    out: dict[str, list[str]] = {}
    for label, phrases in data["cues"].items():
        if label not in LABELS:
            raise doc.error(("cues", label), f"unknown cue label '{label}' (expected one of {', '.join(LABELS)})")
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise doc.error(("cues", label), f"'{label}' must be a list of non-empty strings")
        out[label] = [p.strip() for p in phrases]
    return out


CUE_PHRASES: dict[str, list[str]] = load_cue_phrases()
WORD_LISTS = ("sleep", "interval", "weak_treatment_cues", "on_objects", "span_determiners", "treatment",
              "condition_verbs", "effect_markers")


@lru_cache(maxsize=4)
def load_word_lists(path: Path = CUE_DATA) -> dict[str, list[str]]:
    """The single-word lists of ``cues.yaml`` (section ``words``), lowercased."""
    doc = load_yaml(path)
    words = (doc.data or {}).get("words")
    if not isinstance(words, dict):
        raise doc.error((), "a cue file needs a 'words' mapping of list name -> words")
    out: dict[str, list[str]] = {}
    for name in WORD_LISTS:
        items = words.get(name)
        if not isinstance(items, list) or not all(isinstance(w, str) and w.strip() for w in items):
            raise doc.error(("words", name) if name in words else ("words",),
                            f"'words.{name}' must be a list of non-empty strings")
        out[name] = [w.strip().lower() for w in items]
    for name in words:
        if name not in WORD_LISTS:
            raise doc.error(("words", name), f"unknown word list '{name}' (expected one of {', '.join(WORD_LISTS)})")
    return out

REFERENCE_MARKER = [
    # "[1]", "[12]", "[1, 2]", "[1-3]"
    [{"ORTH": "["}, {"LIKE_NUM": True}, {"ORTH": {"IN": [",", "-", "–"]}, "OP": "?"},
     {"LIKE_NUM": True, "OP": "?"}, {"ORTH": "]"}],
    # superscript digits
    [{"TEXT": {"REGEX": r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+$"}}],
    # a reference number glued after the sentence's full stop: "... experience ataxia.12"
    [{"ORTH": ".", "SPACY": False}, {"TEXT": {"REGEX": r"^\d{1,3}$"}}],
    # "(Smith et al., 2020)", "(FDA, 2023)"
    [{"ORTH": "("}, {"IS_TITLE": True}, {"OP": "{0,4}"}, {"TEXT": {"REGEX": r"^(19|20)\d\d[a-z]?$"}}, {"ORTH": ")"}],
]


LABEL_ORDER = {label: k for k, label in enumerate(CUE_PHRASES)}


def _first_token_test(pattern: list[dict]):
    """A test on a token's text and trailing whitespace that every match of ``pattern`` passes at its
    first token (from the first token's ORTH, TEXT or LOWER: a string, ``IN`` or ``REGEX``; and SPACY);
    None when the first token is optional. Other keys of the first token are not tested (every token
    may then start a match), which is slower but finds the same matches."""
    first = {key.upper() if isinstance(key, str) else key: value for key, value in pattern[0].items()}
    if "OP" in first:
        return None
    tests = []
    for key in ("ORTH", "TEXT", "LOWER"):
        value = first.get(key)
        word = (lambda text: text.lower()) if key == "LOWER" else (lambda text: text)  # spaCy's LOWER is str.lower
        if isinstance(value, str):
            tests.append(lambda text, ws, value=value, word=word: word(text) == value)
        elif isinstance(value, dict) and set(value) == {"REGEX"}:
            tests.append(lambda text, ws, regex=re.compile(value["REGEX"]), word=word: bool(regex.search(word(text))))
        elif isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
            tests.append(lambda text, ws, values=frozenset(value["IN"]), word=word: word(text) in values)
    if isinstance(first.get("SPACY"), bool):
        tests.append(lambda text, ws, spacy=first["SPACY"]: ws == spacy)
    return lambda text, ws: all(test(text, ws) for test in tests)


def _max_length(pattern: list[dict]) -> int | None:
    """The most tokens a match of ``pattern`` can span (None: no limit)."""
    total = 0
    for spec in pattern:
        op = spec.get("OP")
        if op in (None, "!", "?", "1"):
            total += 1
        elif isinstance(op, str) and re.fullmatch(r"\{\d*,?\d+\}", op):
            total += int(op.strip("{}").split(",")[-1])
        else:
            return None
    return total


# Token pattern keys a token table column answers (the column's name), for the checks below.
_STRING_COLUMNS = {"ORTH": "text", "TEXT": "text", "LOWER": "lower", "NORM": "norm"}
_FLAG_COLUMNS = {"LIKE_NUM": "like_num", "LIKE_URL": "like_url", "IS_ALPHA": "is_alpha", "IS_PUNCT": "is_punct",
                 "IS_SPACE": "is_space", "IS_TITLE": "is_title", "IS_UPPER": "is_upper", "IS_LOWER": "is_lower",
                 "SPACY": "ws"}


def _token_checks(spec: dict) -> tuple[list[tuple[str, Callable[[Any], bool]]], bool]:
    """Checks on token table columns that a token matching the pattern token ``spec`` passes
    (column name, test on the column's value), and whether they are all of ``spec``."""
    checks: list[tuple[str, Callable[[Any], bool]]] = []
    whole = True
    for key, value in spec.items():
        key = key.upper() if isinstance(key, str) else key
        column = _STRING_COLUMNS.get(key)
        if column is not None and isinstance(value, str):
            checks.append((column, lambda v, value=value: v == value))
        elif column is not None and isinstance(value, dict) and set(value) == {"IN"} and all(
                isinstance(v, str) for v in value["IN"]):
            checks.append((column, lambda v, values=frozenset(value["IN"]): v in values))
        elif column is not None and isinstance(value, dict) and set(value) == {"REGEX"}:
            checks.append((column, lambda v, regex=re.compile(value["REGEX"]): bool(regex.search(v))))
        elif key in _FLAG_COLUMNS and isinstance(value, bool):
            checks.append((_FLAG_COLUMNS[key], lambda v, value=value: bool(v) == value))
        else:
            whole = False
    return checks, whole


@dataclass
class _Pattern:
    """What a WindowedMatcher knows of one pattern: ``prefix`` holds the checks of its leading tokens
    (those without an ``OP``, by position); ``exact``: they are the whole pattern (a match is
    known without the Matcher); ``length``: the most tokens a match spans."""

    key: int
    first: Callable[[str, bool], bool]
    prefix: list[list[tuple[str, Callable[[Any], bool]]]]
    exact: bool
    length: int


class WindowedMatcher:
    """A token ``Matcher`` run only on the stretches of a Doc where a match can start.

    The patterns here start with a rare token ("[", "(", a full stop glued to what follows, a
    superscript, a word of a rule) and span a few tokens. A token can start a match when its text
    passes the pattern's first-token test (asked once per distinct text) and it and the tokens
    after it pass the checks of the pattern's leading tokens (read from the token table). A
    pattern of such tokens only (no ``OP``, no key the table cannot answer) that matches a single
    stretch of its own is known without the Matcher; elsewhere the Matcher runs on windows from
    each token that can start a match, as long as the match can be. The matches are those of the
    whole Doc, in the Matcher's order."""

    def __init__(self, vocab, patterns: dict[str, list[list[dict]]] | None = None) -> None:
        self.matcher = Matcher(vocab)
        self.vocab = vocab
        self.tests: list | None = []
        self.length = 0
        self._patterns: list[_Pattern] = []
        self._starts: dict[str, bool] = {}  # token text -> _text_may_start
        # what a first token of some pattern is: one of these texts or lowercased texts, or a text one
        # of these expressions finds ((expression, on the lowercased text)); or any token at all
        self._may_text: set[str] = set()
        self._may_lower: set[str] = set()
        self._may_regex: list[tuple[re.Pattern, bool]] = []
        self._may_any = False
        self._firsts: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}  # text -> patterns it may start
        for key, group in (patterns or {}).items():
            self.add(key, group)

    def add(self, key: str, group: list[list[dict]]) -> None:
        """Add the token patterns ``group`` under ``key`` (``Matcher.add``; raises what it raises)."""
        self.matcher.add(key, group)
        self._starts.clear()
        self._firsts.clear()
        key_id = self.vocab.strings.add(key)
        for pattern in group:
            test, length = _first_token_test(pattern), _max_length(pattern)
            if test is None or length is None:
                self.tests = None  # a match may start anywhere: match the whole Doc
            elif self.tests is not None:
                self.tests.append(test)
                self.length = max(self.length, length)
                prefix, exact = [], True
                for spec in pattern:
                    if any(isinstance(k, str) and k.upper() == "OP" for k in spec):
                        exact = False
                        break
                    checks, whole = _token_checks(spec)
                    prefix.append(checks)
                    exact = exact and whole
                self._patterns.append(_Pattern(key_id, test, prefix, exact, length))
                self._add_first(pattern[0])

    def _add_first(self, spec: dict) -> None:
        """Note one test that every first token of a pattern starting with ``spec`` passes."""
        first = {key.upper() if isinstance(key, str) else key: value for key, value in spec.items()}
        regexes = []
        for key, target in (("ORTH", self._may_text), ("TEXT", self._may_text), ("LOWER", self._may_lower)):
            value = first.get(key)
            if isinstance(value, str):
                target.add(value)
                return
            if isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
                target.update(value["IN"])
                return
            if isinstance(value, dict) and set(value) == {"REGEX"}:
                regexes.append((re.compile(value["REGEX"]), key == "LOWER"))
        if regexes:
            self._may_regex.append(regexes[0])
        else:
            self._may_any = True

    def __len__(self) -> int:
        return len(self.matcher)

    def _text_may_start(self, text: str, low: str) -> bool:
        """Whether a token of this text may start a match (``_first_of`` then tells which patterns)."""
        return (self._may_any or text in self._may_text or low in self._may_lower
                or any(regex.search(low if lowered else text) for regex, lowered in self._may_regex))

    def _first_of(self, text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The patterns whose first-token test ``text`` passes, without and with whitespace after it."""
        out = self._firsts.get(text)
        if out is None:
            if len(self._firsts) > 100_000:
                self._firsts.clear()
            out = self._firsts[text] = tuple(
                tuple(k for k, p in enumerate(self._patterns) if p.first(text, ws)) for ws in (False, True))
        return out

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if self.tests is None:
            return self.matcher(doc)
        table = token_table(doc)
        n = table.n
        texts, ws = table.text, table.ws
        patterns = self._patterns
        # stretches where matches may lie: [start, end, Matcher needed, matches known]
        stretches: list[list] = []
        for i in table.where(self._text_may_start, self._starts):
            for k in self._first_of(texts[i])[ws[i]]:
                p = patterns[k]
                if i + len(p.prefix) > n or not all(
                        test(getattr(table, column)[i + j]) for j, checks in enumerate(p.prefix)
                        for column, test in checks):
                    continue
                end = min(n, i + p.length)
                if stretches and stretches[-1][1] >= i + (1 if p.exact else 0):
                    last = stretches[-1]
                    last[1] = max(last[1], end)
                else:
                    last = [i, end, False, []]
                    stretches.append(last)
                if p.exact:
                    last[3].append((p.key, i, end))
                else:
                    last[2] = True
        out: list[tuple[int, int, int]] = []
        for start, end, needs_matcher, known in stretches:
            if not needs_matcher and all(m[1:] == known[0][1:] for m in known):
                # one span matched by patterns of known tokens: the Matcher gives them in pattern order, once per key
                seen = set()
                for m in known:
                    if m[0] not in seen:
                        seen.add(m[0])
                        out.append(m)
            else:
                out.extend((key, start + s, start + e) for key, s, e in self.matcher(doc[start:end]))
        return out


class CueRecognizer:
    """Marks cue phrases (see module docstring)."""

    def __init__(self, nlp: Language, name: str = "cue_recognizer") -> None:
        self.name = name
        # phrase lists go to a PhraseMatcher (fast, case-insensitive); token patterns to a Matcher
        self.phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        for label, phrases in CUE_PHRASES.items():
            self.phrases.add(label, [nlp.make_doc(phrase) for phrase in phrases])
        self.matcher = WindowedMatcher(nlp.vocab, {"CITATION": REFERENCE_MARKER})

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        by_label: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in [*self.phrases(doc), *self.matcher(doc)]:
            by_label.setdefault(strings[match_id], []).append((start, end))
        found: list[tuple[int, int, str]] = []
        for label, group in by_label.items():
            found.extend((start, end, label) for start, end in longest_matches(group))  # labels may overlap
        # cues on the same tokens keep the order of CUE_PHRASES, whatever else the text holds
        found.sort(key=lambda m: (m[0], -m[1], LABEL_ORDER.get(m[2], len(LABEL_ORDER))))
        doc.spans["cues"] = [Span(doc, start, end, label=label) for start, end, label in found]
        return doc


def longest_matches(matches: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spacy.util.filter_spans`` on (start, end) token spans: the first longest of overlapping ones,
    in order of their start (no Span objects are made for the matches left out)."""
    result: list[tuple[int, int]] = []
    seen: set[int] = set()
    for start, end in sorted(matches, key=lambda m: (m[1] - m[0], -m[0]), reverse=True):
        if start not in seen and end - 1 not in seen:
            result.append((start, end))
            seen.update(range(start, end))
    return sorted(result, key=lambda m: m[0])


@Language.factory("cue_recognizer")
def make_cue_recognizer(nlp: Language, name: str) -> CueRecognizer:
    """spaCy factory for :class:`CueRecognizer`."""
    return CueRecognizer(nlp, name)
