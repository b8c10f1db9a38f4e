"""Where bundled data lives."""

from __future__ import annotations

import sys
from pathlib import Path


def bundled_rules_dir() -> Path:
    """The bundled ``rules/`` directory: beside the package in a checkout, else installed data."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "rules", Path(sys.prefix) / "share" / "auditor" / "rules"):
        if (candidate / "lexicon").is_dir():
            return candidate
    return here.parent / "rules"
