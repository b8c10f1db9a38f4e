"""The ``term_recognizer`` component: drugs, drug classes, indications, populations, conditions
(hepatic and renal impairment) and formulations.

Terms come from the YAML lexicons (``rules/lexicon/``) and are matched case-insensitively
with spaCy's PhraseMatcher on the token NORM (lowercase, with the lexicon's misspellings
mapped to the words they misspell); possessives ("clonazepam's") and "Klonopin (clonazepam)" work
because the tokenizer splits them. Results: ``doc.spans["drugs"]`` (label: generic name or
class name; span id "class" for classes), ``doc.spans["indications"]`` and
``doc.spans["populations"]``, ``doc.spans["conditions"]`` and ``doc.spans["formulations"]``
(label: canonical name).

Building the matchers is part of every run's start-up, and the lexicons hold thousands of
terms: a term of plain lowercase words ("panic disorder") gets its pattern from the NORM of
each word (what the tokenizer would give it, see :class:`TermPatterns`) without tokenizing it
or adding its words to the vocabulary, and the terms of a group share one match key (a match
is told by the words it matched). Any other term is tokenized.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.attrs import NORM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..lexicon import Lexicon, cached_lexicon

__all__ = ["TermPatterns", "TermRecognizer", "cached_lexicon"]

Outcome = tuple[str, bool, bool]  # a match's name, whether it counts only in capitals, whether it is a drug class

# A term of lowercase ASCII words separated by single spaces.
PLAIN_TERM = re.compile(r"[a-z]+(?: [a-z]+)*")


def apply_spellings(nlp: Language, lexicon: Lexicon) -> None:
    """Give each misspelling of the lexicon's ``spellings`` the NORM of the word it misspells, so that
    matchers on NORM (terms here, cues in cues.py) read "clonazapam" as "clonazepam"."""
    for variant, word in lexicon.spellings.items():
        for form in {variant, variant.title(), variant.upper()}:
            nlp.vocab[form].norm_ = word


class TermPatterns:
    """PhraseMatcher patterns of terms on NORM: a ``Doc`` of the term, or the NORM hashes of its tokens.

    A word of lowercase ASCII letters that is no tokenizer exception and in which no prefix,
    suffix or infix rule of the tokenizer finds anything is one token, whose NORM is its
    lexeme's (the vocabulary's entry when there is one, else what the vocabulary's NORM getter
    gives a new entry). Such words are looked up without making a lexeme each; a term with any
    other word is tokenized with ``nlp.make_doc``. When the tokenizer is not spaCy's own, or an
    exception could join plain words into one token, every term is tokenized.
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.vocab = nlp.vocab
        self.norm_getter: Callable[[str], object] | None = nlp.vocab.lex_attr_getters.get(NORM)
        self.word_norms: dict[str, int | None] = {}
        tokenizer = nlp.tokenizer
        self.plain = isinstance(tokenizer, Tokenizer) and self.norm_getter is not None
        if self.plain:
            self.rules = tokenizer.rules or {}
            self.prefix_search = tokenizer.prefix_search
            self.suffix_search = tokenizer.suffix_search
            self.infix_finditer = tokenizer.infix_finditer
            # an exception made of plain words, or split by the affix rules, may retokenize plain words
            self.plain = not any(PLAIN_TERM.fullmatch(key) and (" " in key or self._splits(key)) for key in self.rules)

    def _splits(self, word: str) -> bool:
        """True when a prefix, suffix or infix rule of the tokenizer finds anything in ``word``."""
        return bool((self.prefix_search is not None and self.prefix_search(word) is not None)
                    or (self.suffix_search is not None and self.suffix_search(word) is not None)
                    or (self.infix_finditer is not None and next(iter(self.infix_finditer(word)), None) is not None))

    def word_norm(self, word: str) -> int | None:
        """The NORM hash the tokenizer would give ``word`` as one token, or None (tokenize it)."""
        if word in self.word_norms:
            return self.word_norms[word]
        norm: int | None = None
        if word not in self.rules and not self._splits(word):
            if word in self.vocab:
                norm = self.vocab[word].norm or None
            else:
                value = self.norm_getter(word)  # type: ignore[misc]
                if isinstance(value, str):
                    norm = self.vocab.strings.add(value)
                elif isinstance(value, int) and not isinstance(value, bool) and value:
                    norm = value
        self.word_norms[word] = norm
        return norm

    def __call__(self, term: str) -> Doc | tuple[int, ...]:
        """The pattern of ``term``."""
        if self.plain and PLAIN_TERM.fullmatch(term):
            norms = [self.word_norm(word) for word in term.split(" ")]
            if None not in norms:
                return tuple(norms)  # type: ignore[arg-type]
        return self.nlp.make_doc(term)


def pattern_key(pattern: Doc | tuple[int, ...]) -> tuple[int, ...]:
    """The NORM hashes a pattern matches."""
    if isinstance(pattern, Doc):
        return tuple(token.norm for token in pattern)
    return pattern


def term_tables(lexicon: Lexicon) -> dict[str, dict[str, Any]]:
    """The lexicon's terms by span group: term -> what a match of it gives."""
    return {
        "drugs": {**lexicon.class_terms, **lexicon.drug_terms},
        "indications": lexicon.indication_terms,
        "populations": lexicon.population_terms,
        "conditions": lexicon.condition_terms,
        "formulations": lexicon.formulation_terms,
    }


class TermRecognizer:
    """Matches lexicon terms (see module docstring)."""

    def __init__(self, nlp: Language, name: str, lexicon: Lexicon) -> None:
        self.name = name
        self.lexicon = lexicon
        # group -> (matcher, lowercased term -> name, what a match gives by key, and by NORM hashes)
        self.matchers: dict[str, tuple[PhraseMatcher, dict[str, str], dict[int, Outcome],
                                       dict[tuple[int, ...], Outcome]]] = {}
        apply_spellings(nlp, lexicon)
        tables = term_tables(lexicon)
        patterns = TermPatterns(nlp)
        for group, table in tables.items():
            self.matchers[group] = self._matcher(nlp, group, table, patterns)

    def _outcome(self, group: str, term: str, table: dict[str, str]) -> Outcome:
        """What a match of ``term`` gives: its name, whether it counts only in capitals, whether it
        is a drug class (span id "class")."""
        lexicon = self.lexicon
        return (table[term], term in lexicon.acronyms,
                group == "drugs" and term in lexicon.class_terms and term not in lexicon.drug_terms)

    def _matcher(self, nlp: Language, group: str, table: dict[str, str], patterns: TermPatterns):
        """One group's matcher. A term whose words read as no other term with another outcome is
        added under the group's one key, and a match of it is told by the NORM hashes of the words
        matched; terms that read the same with different outcomes keep a key each, added in lexicon
        order, so that the matcher returns them in the order it always has (the first one wins)."""
        built = {term: patterns(term) for term in table}
        outcomes: dict[tuple[int, ...], set[Outcome]] = {}
        for term, pattern in built.items():
            outcomes.setdefault(pattern_key(pattern), set()).add(self._outcome(group, term, table))
        # PhraseMatcher.add takes a Doc, or the attribute hashes a Doc would give (what it keeps of a Doc)
        matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        shared: list[Doc | tuple[int, ...]] = []
        by_seq: dict[tuple[int, ...], Outcome] = {}
        by_key: dict[int, Outcome] = {}
        for term, pattern in built.items():
            seq = pattern_key(pattern)
            if len(outcomes[seq]) > 1:
                matcher.add(f"{group}:{term}", [pattern])
                by_key[nlp.vocab.strings[f"{group}:{term}"]] = self._outcome(group, term, table)
            else:
                shared.append(pattern)
                by_seq[seq] = self._outcome(group, term, table)
        if shared:
            matcher.add(group, shared)
        return matcher, table, by_key, by_seq

    def __call__(self, doc: Doc) -> Doc:
        for group, (matcher, _table, by_key, by_seq) in self.matchers.items():
            spans = []
            for match_id, start, end in matcher(doc):
                found = by_key.get(match_id)
                name, acronym, is_class = found if found is not None else \
                    by_seq[tuple(doc[i].norm for i in range(start, end))]
                # Acronyms ("GAD", "OCD", "SSRI") match only when written in capitals.
                if acronym and not doc[start:end].text.isupper():
                    continue
                spans.append(Span(doc, start, end, label=name, span_id="class") if is_class
                             else Span(doc, start, end, label=name))
            doc.spans[group] = filter_spans(spans)
        return doc


@Language.factory("term_recognizer", default_config={"lexicon_paths": []})
def make_term_recognizer(nlp: Language, name: str, lexicon_paths: list[str]) -> TermRecognizer:
    """spaCy factory: ``lexicon_paths`` are rules directories (their ``lexicon/`` folders) or lexicon files."""
    return TermRecognizer(nlp, name, cached_lexicon(tuple(lexicon_paths)))
