"""Rule tests in the manner of Semgrep: fixture articles annotated with expectations.

A fixture is a Markdown (or HTML, or text) article under ``<rules dir>/tests/``. An HTML
comment on the line before a line states what auditor must say about that line:

    <!-- ruleid: clonazepam.panic.max-daily -->
    Adults with panic disorder may take up to 6 mg a day.
    <!-- ok: clonazepam.panic.max-daily -->
    The maximum for panic disorder is 4 mg per day.

``ruleid`` expects a finding of that rule starting on the line (or taking part in it, as a
related place of a contradiction); ``ok`` expects none. A ``require`` rule reports a document
at the first place it names the drug, so its fixtures open with the markers and then a heading
that names the drug. All fixtures of a
directory are checked together, so cross-document rules can be tested too. Every rule must
have at least one ``ruleid`` and one ``ok`` case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding
from ..ingest import SUFFIXES

MARKER = re.compile(r"<!--\s*(?P<kind>ruleid|ok)\s*:\s*(?P<ids>[a-z0-9_.,\s-]+?)\s*-->")


@dataclass
class Expectation:
    path: str
    line: int
    rule: str
    kind: str  # "ruleid" or "ok"
    marker_line: int


@dataclass
class RuleTestResult:
    expectations: list[Expectation] = field(default_factory=list)
    missing: list[Expectation] = field(default_factory=list)  # ruleid without a finding
    unexpected: list[tuple[Expectation | None, Finding]] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)  # rules lacking a ruleid or an ok case
    files: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.uncovered)


def fixture_files(directory: Path) -> list[Path]:
    folder = directory / "tests" if (directory / "tests").is_dir() else directory
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def parse_expectations(path: Path, text: str) -> list[Expectation]:
    lines = text.splitlines()
    out: list[Expectation] = []
    pending: list[tuple[str, str, int]] = []
    for number, line in enumerate(lines, 1):
        markers = list(MARKER.finditer(line))
        rest = MARKER.sub("", line).strip()
        for m in markers:
            for rule in re.split(r"[\s,]+", m.group("ids").strip()):
                if rule:
                    pending.append((m.group("kind"), rule, number))
        if rest and not markers:
            out.extend(Expectation(str(path), number, rule, kind, n) for kind, rule, n in pending)
            pending = []
    return out


def evaluate(expectations: list[Expectation], findings: list[Finding], rule_ids: list[str]) -> RuleTestResult:
    result = RuleTestResult(expectations=expectations)

    def places(f: Finding) -> list[tuple[str, int]]:
        return [(f.path, f.line), *((r.path, r.line) for r in f.related)]

    for exp in expectations:
        hits = [f for f in findings if f.rule == exp.rule and any(
            p == exp.path and line == exp.line for p, line in places(f))]
        if exp.kind == "ruleid" and not hits:
            result.missing.append(exp)
        if exp.kind == "ok":
            result.unexpected.extend((exp, f) for f in hits)
    # a finding of an annotated rule on a line that expects nothing of it is unexpected too
    annotated = {(e.path, e.rule) for e in expectations}
    expected_lines = {(e.path, e.rule, e.line) for e in expectations if e.kind == "ruleid"}
    for f in findings:
        if ((f.path, f.rule) in annotated
                and not any((p, f.rule, line) in expected_lines for p, line in places(f))
                and not any(u is f for _, u in result.unexpected)):
            result.unexpected.append((None, f))
    kinds: dict[str, set[str]] = {}
    for exp in expectations:
        kinds.setdefault(exp.rule, set()).add(exp.kind)
    for rule in rule_ids:
        missing = {"ruleid", "ok"} - kinds.get(rule, set())
        if missing:
            result.uncovered.append(f"{rule}: no {' and no '.join(sorted(missing))} case")
    return result
