"""A run of auditor: ingest -> pipeline -> claims -> rules and consistency -> findings.

``Auditor`` holds what is loaded once (config, rules, lexicon, and the spaCy pipeline, built
on first use); its methods take documents through the stages. The CLI and the rule-test
runner both use it. A run has two steps:

- per document, ``analyze`` turns Documents into ``DocumentResult``s (claims, phrase matches,
  drug mentions, suppressions, warnings: see ``auditor.docresult``), and ``results`` does so
  for the files of a ``Selection``, reading them one at a time;
- ``finish`` turns the results of every document into the Report: the per-document rule
  checks, consistency across documents, suppressions, stable order.

``check`` does both for Documents already in memory.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .claims import Claim
from .config import Config
from .consistency import ConsistencyChecker
from .docresult import DocumentResult, DocumentStore, document_result
from .document import Document
from .engine import RuleSet, load_rules
from .engine.checks import check_cite, check_document, check_expect, check_limit
from .errors import AuditorError, InputWarning
from .findings import Finding, Report, fingerprint
from .ingest import discover, load_document
from .lexicon import Lexicon, cached_lexicon
from .paths import bundled_rules_dir
from .suppress import Suppression, apply_suppressions

if TYPE_CHECKING:  # spaCy is imported only when a document is parsed
    from spacy.language import Language
    from spacy.tokens import Doc

    from .engine.checks import PhraseIndex

Warn = Callable[[str], None]


@dataclass
class Selection:
    """Which files a run reads."""

    paths: list[str]
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


class Auditor:
    """Loaded rules and lexicon, and the pipeline on first use, ready to audit documents."""

    def __init__(self, config: Config, extra_rules: Iterable[Path] = (), default_rules: bool | None = None) -> None:
        self.config = config
        use_default = config.default_rules if default_rules is None else default_rules
        self.rule_dirs: list[Path] = ([bundled_rules_dir()] if use_default else []) + list(config.rules) + [Path(p) for p in extra_rules]
        lexicon_paths = [str(p) for p in [bundled_rules_dir(), *self.rule_dirs[use_default:], *config.lexicon]]
        self.lexicon_paths = list(dict.fromkeys(lexicon_paths))
        self.lexicon: Lexicon = cached_lexicon(tuple(self.lexicon_paths))
        self.ruleset: RuleSet = load_rules(self.rule_dirs)
        self.ruleset.configure(config.enable, config.disable, config.severity)
        self.max_bytes = int(config.max_file_size_mb * 1024 * 1024)
        self._nlp: Language | None = None
        self._phrases: PhraseIndex | None = None
        if any(r.type in ("require", "forbid") for r in self.ruleset.active()):
            self.phrases  # noqa: B018  (an invalid token pattern is a rule error: exit 2 before any file is read)

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, built the first time a document is parsed."""
        if self._nlp is None:
            from .pipeline import build_pipeline

            self._nlp = build_pipeline(self.lexicon_paths)
        return self._nlp

    @property
    def phrases(self) -> PhraseIndex:
        """Matchers for the phrases of the active require/forbid rules."""
        if self._phrases is None:
            from .engine.checks import PhraseIndex

            self._phrases = PhraseIndex.build(self.nlp, self.ruleset.active())
        return self._phrases

    # -- versions --------------------------------------------------------------------
    def pack_versions(self) -> list[tuple[str, str]]:
        return [(p.id, p.version or "unversioned") for p in self.ruleset.packs]

    # -- reading ---------------------------------------------------------------------
    def files(self, selection: Selection, warn: Warn) -> list[str]:
        """The files a selection names (after include/exclude); problems go to ``warn``."""
        include = selection.include or self.config.include
        exclude = selection.exclude or self.config.exclude
        files, warnings = discover(selection.paths, include, exclude)
        for w in warnings:
            warn(str(w))
        return files

    def load(self, files: Iterable[str], warn: Warn) -> Iterator[Document]:
        """Documents of ``files``, one at a time; unusable files are reported through ``warn`` and skipped."""
        for path in files:
            try:
                document = load_document(path, max_bytes=self.max_bytes)
            except InputWarning as w:
                warn(str(w))
                continue
            for message in document.warnings:
                warn(message)
            yield document

    def read(self, selection: Selection, warn: Warn) -> list[Document]:
        """Discover and load documents; unusable files are reported through ``warn`` and skipped."""
        return list(self.load(self.files(selection, warn), warn))

    def claims(self, documents: Iterable[Document]) -> Iterator[tuple[Document, Doc, list[Claim]]]:
        """One pipeline pass per document."""
        from .extract import extract

        return extract(self.nlp, documents)

    # -- per document ----------------------------------------------------------------
    def analyze(self, documents: Iterable[Document]) -> Iterator[DocumentResult]:
        """The result of each document (one pipeline pass each), in order."""
        for document, doc, claims in self.claims(documents):
            yield document_result(document, doc, claims, self.phrases.matches(doc))

    def results(self, selection: Selection, warn: Warn) -> Iterator[DocumentResult]:
        """The result of every usable file of ``selection``, in order, reading one file at a time."""
        return self.results_of(self.files(selection, warn), warn)

    def results_of(self, files: Iterable[str], warn: Warn) -> Iterator[DocumentResult]:
        """The result of each usable file of ``files`` (paths from ``files``), in order."""
        return self.analyze(self.load(files, warn))

    # -- checking --------------------------------------------------------------------
    def check(self, documents: list[Document], progress: Callable[[int], None] | None = None) -> Report:
        """Every finding for these documents, suppressions applied, in stable order."""
        return self.finish(self.analyze(documents), progress, documents={d.path: d for d in documents})

    def finish(self, results: Iterable[DocumentResult], progress: Callable[[int], None] | None = None,
               documents: Mapping[str, Any] | None = None) -> Report:
        """The Report of a run from the result of each of its documents.

        ``documents`` (path -> Document) is what reports that show text read; without it they
        read each file again when they need it (``DocumentStore``).
        """
        store = DocumentStore(self.max_bytes)
        findings: list[Finding] = []
        all_claims: list[Claim] = []
        claims_by_path: dict[str, list[Claim]] = {}
        suppressions: list[Suppression] = []
        files = 0
        for files, result in enumerate(results, 1):
            all_claims.extend(result.claims)
            claims_by_path[result.path] = result.claims
            suppressions.extend(result.suppressions)
            store.add(result.path, result.warnings)
            findings.extend(self.document_findings(result))
            if progress:
                progress(files)
        findings.extend(self.consistency().check(all_claims))
        return self.conclude(findings, suppressions, files=files, claims=len(all_claims),
                             documents=store if documents is None else dict(documents), claims_by_path=claims_by_path)

    def document_findings(self, result: DocumentResult) -> list[Finding]:
        """The findings of the per-document rules (limit, expect, cite, require, forbid) on one result."""
        rules = self.ruleset.active()
        findings: list[Finding] = []
        for rule in rules:
            if rule.type == "limit":
                findings.extend(check_limit(rule, result.claims, self.lexicon))
            elif rule.type == "expect":
                findings.extend(check_expect(rule, result.claims, self.lexicon))
            elif rule.type == "cite":
                findings.extend(check_cite(rule, result.claims, self.lexicon, result.has_sources))
        for rule in rules:
            if rule.type in ("require", "forbid"):
                findings.extend(check_document(rule, result, self.lexicon))
        return findings

    def consistency(self) -> ConsistencyChecker:
        """The checker of the active consistency rules (cross-document and within one)."""
        rules = self.ruleset.active()
        return ConsistencyChecker(rules, rules, self.lexicon)

    def conclude(self, findings: list[Finding], suppressions: list[Suppression], *, files: int, claims: int,
                 documents: Mapping[str, Any], claims_by_path: dict[str, list[Claim]]) -> Report:
        """The Report from every finding of a run (per-document findings in document order, then
        consistency findings): suppressions applied, stable order, distinct fingerprints."""
        kept, suppressed, problems = apply_suppressions(findings, suppressions)
        kept.extend(problems)
        kept.sort(key=Finding.sort_key)
        _disambiguate(kept)
        metadata = {r.id: r.metadata() for r in self.ruleset.rules}
        return Report(findings=kept, files=files, claims=claims, version=__version__,
                      suppressed=suppressed, rules=metadata, documents=documents, claims_by_path=claims_by_path)


def _disambiguate(findings: list[Finding]) -> None:
    """Identical fingerprints (the same text twice in a file) get an occurrence number."""
    seen: Counter[str] = Counter()
    for f in findings:
        k = seen[f.fingerprint]
        seen[f.fingerprint] += 1
        if k:
            f.fingerprint = fingerprint(f.rule, f.path, f.fingerprint, k)


def changed_files(ref: str) -> set[str]:
    """Files changed since ``ref`` (committed, staged, unstaged and untracked), relative to the cwd."""
    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
        except FileNotFoundError:
            raise AuditorError("--changed-since needs git, which was not found") from None
        except subprocess.CalledProcessError as exc:
            raise AuditorError(f"--changed-since {ref}: git says: {exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else 'error'}") from None
        return out.stdout

    git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    names = set(git("diff", "--name-only", "--relative", ref, "--").split("\n"))
    names |= set(git("ls-files", "--others", "--exclude-standard").split("\n"))
    return {str(Path(n)) for n in names if n}


def keep_changed(findings: list[Finding], changed: set[str]) -> list[Finding]:
    """Findings in a changed file, or in which a changed file takes part (a related place)."""
    def norm(p: str) -> str:
        return str(Path(p))
    return [f for f in findings if norm(f.path) in changed or any(norm(r.path) in changed for r in f.related)]
