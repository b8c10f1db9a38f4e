"""The seam between the language server and the audit stages: one document in, its unit out.

``analyze`` runs the pipeline and the per-document rules (``limit``, ``expect``, ``cite``,
``require``, ``forbid``) over one Document and keeps what later steps need; ``finish`` runs
the cheap cross-document step over the units of many documents -- consistency, inline
suppressions, order -- the same way ``Auditor.check`` does for a whole run, so an edit
re-extracts only the document that changed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..claims import Claim
from ..consistency import ConsistencyChecker
from ..document import Document
from ..engine.checks import check_cite, check_document, check_expect, check_limit
from ..findings import Finding
from ..runner import Auditor, _disambiguate
from ..suppress import Suppression, apply_suppressions, find_suppressions


@dataclass
class DocumentUnit:
    """What one document contributes: its claims, its own findings and its suppressions."""

    document: Document
    claims: list[Claim]
    findings: list[Finding]  # per-document rules, before suppressions
    suppressions: list[Suppression]

    @property
    def path(self) -> str:
        return self.document.path


def analyze(auditor: Auditor, document: Document) -> DocumentUnit:
    """One pipeline pass over ``document`` and the rules that read one document at a time."""
    rules = auditor.ruleset.active()
    findings: list[Finding] = []
    claims: list[Claim] = []
    for _document, doc, found in auditor.claims([document]):
        claims = found
        by_path = {document.path: document}
        for rule in rules:
            if rule.type == "limit":
                findings.extend(check_limit(rule, claims, auditor.lexicon))
            elif rule.type == "expect":
                findings.extend(check_expect(rule, claims, auditor.lexicon))
            elif rule.type == "cite":
                findings.extend(check_cite(rule, claims, auditor.lexicon, by_path))
        doc_rules = [r for r in rules if r.type in ("require", "forbid")]
        if doc_rules:
            matched = auditor.phrases.matches(doc)
            for rule in doc_rules:
                findings.extend(check_document(rule, document, doc, matched, auditor.lexicon))
    return DocumentUnit(document, claims, findings, find_suppressions(document))


def finish(auditor: Auditor, units: Iterable[DocumentUnit]) -> list[Finding]:
    """Every finding of these documents, consistency across them included, suppressions applied.

    The units are not changed: suppressions and findings are copied before they are applied.
    """
    units = list(units)
    rules = auditor.ruleset.active()
    findings = [copy.copy(f) for u in units for f in u.findings]
    findings.extend(ConsistencyChecker(rules, rules, auditor.lexicon).check([c for u in units for c in u.claims]))
    suppressions = [replace(s, used=0) for u in units for s in u.suppressions]
    kept, _suppressed, problems = apply_suppressions(findings, suppressions)
    kept.extend(problems)
    kept.sort(key=Finding.sort_key)
    _disambiguate(kept)
    return kept
