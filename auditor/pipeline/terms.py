"""The ``term_recognizer`` component: drugs, drug classes, indications and populations.

Terms come from the YAML lexicons (``rules/lexicon/``) and are matched case-insensitively
with spaCy's PhraseMatcher; possessives ("clonazepam's") and "Klonopin (clonazepam)" work
because the tokenizer splits them. Results: ``doc.spans["drugs"]`` (label: generic name or
class name; span id "class" for classes), ``doc.spans["indications"]`` and
``doc.spans["populations"]`` (label: canonical name).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..lexicon import Lexicon, cached_lexicon

__all__ = ["TermRecognizer", "cached_lexicon"]


class TermRecognizer:
    """Matches lexicon terms (see module docstring)."""

    def __init__(self, nlp: Language, name: str, lexicon: Lexicon) -> None:
        self.name = name
        self.lexicon = lexicon
        self.matchers: dict[str, tuple[PhraseMatcher, dict[str, str]]] = {}
        tables = {
            "drugs": {**lexicon.class_terms, **lexicon.drug_terms},
            "indications": lexicon.indication_terms,
            "populations": lexicon.population_terms,
        }
        for group, table in tables.items():
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            for term in table:
                key = f"{group}:{term}"
                matcher.add(key, [nlp.make_doc(term)])
            self.matchers[group] = (matcher, table)

    def __call__(self, doc: Doc) -> Doc:
        for group, (matcher, table) in self.matchers.items():
            spans = []
            for match_id, start, end in matcher(doc):
                term = doc.vocab.strings[match_id].split(":", 1)[1]
                name = table[term]
                # Acronyms ("GAD", "OCD", "SSRI") match only when written in capitals.
                if term in self.lexicon.acronyms and not doc[start:end].text.isupper():
                    continue
                span = Span(doc, start, end, label=name)
                if group == "drugs" and term in self.lexicon.class_terms and term not in self.lexicon.drug_terms:
                    span = Span(doc, start, end, label=name, span_id="class")
                spans.append(span)
            doc.spans[group] = filter_spans(spans)
        return doc


@Language.factory("term_recognizer", default_config={"lexicon_paths": []})
def make_term_recognizer(nlp: Language, name: str, lexicon_paths: list[str]) -> TermRecognizer:
    """spaCy factory: ``lexicon_paths`` are rules directories (their ``lexicon/`` folders) or lexicon files."""
    return TermRecognizer(nlp, name, cached_lexicon(tuple(lexicon_paths)))
