"""The spaCy pipeline: a blank English pipeline assembled from ``config.cfg``.

Components (each registered as a spaCy factory):

1. ``block_sentencizer`` -- sentences that never cross a block (layout.py)
2. ``quantity_recognizer`` -- numbers, units, ranges, bounds, frequencies (quantities.py)
3. ``term_recognizer`` -- drugs, classes, indications, populations from the lexicons (terms.py)
4. ``cue_recognizer`` -- attribute, negation, hypothesis and citation cues (cues.py)
5. ``claim_builder`` -- typed claims (claim_builder.py), reading the per-document lookups of
   doc_index.py, the attribute rules of attributes.py, the drug/indication/negation/citation
   rules of context.py and the word lists of words.py
"""

from __future__ import annotations

from pathlib import Path

from spacy.lang.en import English
from spacy.language import Language
from thinc.api import Config

from . import claim_builder, cues, layout, quantities, terms, tokenizer  # noqa: F401  (register factories)

CONFIG_PATH = Path(__file__).with_name("config.cfg")


def pipeline_config(lexicon_paths: list[str] | None = None) -> Config:
    """The pipeline configuration, with the rules directories or files whose lexicons to read."""
    config = Config().from_disk(CONFIG_PATH)
    dirs = [str(d) for d in (lexicon_paths or [])]
    config["components"]["term_recognizer"]["lexicon_paths"] = dirs
    config["components"]["claim_builder"]["lexicon_paths"] = dirs
    return config


def build_pipeline(lexicon_paths: list[str] | None = None) -> Language:
    """Assemble the pipeline; ``lexicon_paths`` empty means the bundled rules directory."""
    return English.from_config(pipeline_config(lexicon_paths))
