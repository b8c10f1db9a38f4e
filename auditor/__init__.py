"""auditor: a claim-audit linter for health content."""

from .spacy_import import install as _install_spacy_import

__version__ = "0.1.0"

_install_spacy_import()  # spaCy without its command line, when anything here imports it (spacy_import.py)
