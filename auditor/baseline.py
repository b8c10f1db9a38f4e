"""Baselines: record today's findings so that CI reports only new ones.

A baseline file is JSON: ``{"version": 1, "findings": [{"fingerprint", "rule", "path",
"message"}, ...]}``. Fingerprints do not contain line numbers, so a finding keeps matching
its baseline entry when lines are added above it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import AuditorError
from .findings import Finding

VERSION = 1


def baseline_json(findings: list[Finding]) -> str:
    entries = [{"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "message": f.message} for f in findings]
    return json.dumps({"version": VERSION, "findings": entries}, indent=2, ensure_ascii=False) + "\n"


def read_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuditorError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise AuditorError(f"{path}:{exc.lineno}:{exc.colno}: invalid baseline JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise AuditorError(f"{path}:1:1: not an auditor baseline (expected an object with a 'findings' list)")
    prints = set()
    for i, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise AuditorError(f"{path}: findings[{i}] has no 'fingerprint'")
        prints.add(entry["fingerprint"])
    return prints


def without_baseline(findings: Any, known: set[str]) -> tuple[Any, int]:
    """Findings not in the baseline, and how many were left out: a list, or for the
    ``StoredFindings`` of a run the findings it keeps (read from its store when iterated)."""
    if hasattr(findings, "where"):
        new = findings.where(lambda f: f.fingerprint not in known)
    else:
        new = [f for f in findings if f.fingerprint not in known]
    return new, len(findings) - len(new)
