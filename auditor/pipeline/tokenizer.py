"""Tokenizer rules for health text, on top of spaCy's English defaults.

Doses are written glued ("0.5mg", "1mg/day", "10mcg"), as ranges with hyphens or dashes
("0.25-2.0 mg", "8–12 hours") and with comparison signs ("≤4 mg"). spaCy's defaults keep
several of these as one token; these rules split them so that a number, a range sign and a
unit are always separate tokens.
"""

from __future__ import annotations

import spacy
from spacy.lang.en import English
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

# Units written glued to their number, in any case ("1MG", "34years", "2yrs", "12mos").
GLUED_UNITS = (r"(?i:mgs?|mcg|µg|μg|ug|ml|g|kg|hrs?|h|mins?|wks?|days?|weeks?|months?|mos?|hours?|minutes?"
               r"|years?|yrs?)")

# A dash between two numbers is a range sign: "8–12" -> "8", "–", "12".
INFIXES = (
    r"(?<=[0-9])[-–—‐‑](?=[0-9.])",
    # A unit glued to its number inside a longer token: "1mg/day" -> "1", "mg", "/", "day".
    rf"(?<=[0-9]){GLUED_UNITS}(?=[/–—-])",
    r"(?<=[0-9])[xX](?=['’]s|/)",
    # punctuation typed without a space: "instead,(1mg", "dose,2mg"
    r"(?<=[A-Za-z])[,;](?=[(\[0-9])",
    r"(?<=[,;])[(\[]",
    # A reference number glued after a sentence: "ataxia.12" -> "ataxia", ".", "12".
    r"(?<=[a-z%)])\.(?=\d{1,3}(?:[,–-]\d{1,3})*$)",
    # A reference marker glued to the word before it: "hours.[2]" -> "hours", ".", "[", "2", "]".
    r"(?<=[A-Za-z%)])\.(?=\[\d)",
    r"(?<=[A-Za-z.,;:%)])\[(?=\d{1,3}(?:[,–-]\d{1,3})*\])",
)
# A unit glued to its number at the end of a token: "10mcg" -> "10", "mcg"; "24h" -> "24", "h".
SUFFIXES = (
    rf"(?<=[0-9]){GLUED_UNITS}",
    # a count of times glued to its number: "3X a day", "2x/day", "3x's"
    r"(?<=[0-9])[xX]",
    r"(?<=[0-9][xX])['’]s",
    # superscript reference numbers glued to a word: "ataxia¹²", "ataxia¹."
    r"(?<=\w)[¹²³⁴⁵⁶⁷⁸⁹⁰]+",
    r"(?<=[¹²³⁴⁵⁶⁷⁸⁹⁰])[.,;:]",
)
PREFIXES = (r"[~≈≤≥<>±]",)


@spacy.registry.tokenizers("auditor.tokenizer.v1")
def create_tokenizer():
    """Register the tokenizer factory used by ``auditor/pipeline/config.cfg``."""

    def make_tokenizer(nlp: English) -> Tokenizer:
        defaults = nlp.Defaults
        prefixes = list(PREFIXES) + list(defaults.prefixes)
        suffixes = list(SUFFIXES) + list(defaults.suffixes)
        infixes = list(INFIXES) + list(defaults.infixes)
        return Tokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=compile_prefix_regex(prefixes).search,
            suffix_search=compile_suffix_regex(suffixes).search,
            infix_finditer=compile_infix_regex(infixes).finditer,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return make_tokenizer
