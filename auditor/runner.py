"""A run of auditor: ingest -> pipeline -> claims -> rules and consistency -> findings.

``Auditor`` holds what is loaded once (config, rules, lexicon, spaCy pipeline); its methods
take documents through the stages. The CLI and the rule-test runner both use it.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc

from . import __version__
from .claims import Claim
from .config import Config
from .consistency import ConsistencyChecker
from .document import Document
from .engine import RuleSet, load_rules
from .engine.checks import PhraseIndex, check_cite, check_document, check_expect, check_limit
from .errors import AuditorError, InputWarning
from .extract import extract
from .findings import Finding, Report, fingerprint
from .ingest import discover, load_document
from .lexicon import Lexicon
from .paths import bundled_rules_dir
from .pipeline import build_pipeline
from .pipeline.terms import cached_lexicon
from .suppress import apply_suppressions, find_suppressions
from .testhooks import pause_point

Warn = Callable[[str], None]


@dataclass
class Selection:
    """Which files a run reads."""

    paths: list[str]
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


class Auditor:
    """Loaded rules, lexicon and pipeline, ready to audit documents."""

    def __init__(self, config: Config, extra_rules: Iterable[Path] = (), default_rules: bool | None = None) -> None:
        self.config = config
        use_default = config.default_rules if default_rules is None else default_rules
        self.rule_dirs: list[Path] = ([bundled_rules_dir()] if use_default else []) + list(config.rules) + [Path(p) for p in extra_rules]
        lexicon_paths = [str(p) for p in [bundled_rules_dir(), *self.rule_dirs[use_default:], *config.lexicon]]
        self.lexicon_paths = list(dict.fromkeys(lexicon_paths))
        self.lexicon: Lexicon = cached_lexicon(tuple(self.lexicon_paths))
        self.ruleset: RuleSet = load_rules(self.rule_dirs)
        self.ruleset.configure(config.enable, config.disable, config.severity)
        self.nlp = build_pipeline(self.lexicon_paths)
        self.phrases = PhraseIndex.build(self.nlp, self.ruleset.active())
        self.internal_errors: list[str] = []  # one line per file a bug in auditor left unaudited

    # -- versions --------------------------------------------------------------------
    def pack_versions(self) -> list[tuple[str, str]]:
        return [(p.id, p.version or "unversioned") for p in self.ruleset.packs]

    # -- reading ---------------------------------------------------------------------
    def read(self, selection: Selection, warn: Warn) -> list[Document]:
        """Discover and load documents; unusable files are reported through ``warn`` and skipped."""
        include = selection.include or self.config.include
        exclude = selection.exclude or self.config.exclude
        files, warnings = discover(selection.paths, include, exclude)
        for w in warnings:
            warn(str(w))
        documents = []
        limit = int(self.config.max_file_size_mb * 1024 * 1024)
        for path in files:
            try:
                document = load_document(path, max_bytes=limit)
            except InputWarning as w:
                warn(str(w))
                continue
            except Exception as exc:  # a bug in a reader: this file is left out, the run goes on
                self.internal_error(path, exc, warn)
                continue
            pause_point(len(documents) + 1)
            for message in document.warnings:
                warn(message)
            documents.append(document)
        return documents

    def claims(self, documents: Iterable[Document], warn: Warn | None = None) -> Iterator[tuple[Document, Doc, list[Claim]]]:
        """One pipeline pass per document (per piece of a long one: see ``auditor.extract``).

        A bug met while one document is processed leaves that document out: one line goes to
        ``warn`` (when given) and ``internal_errors``, and the other documents follow.
        """
        return extract(self.nlp, documents, on_error=lambda d, exc: self.internal_error(d.path, exc, warn))

    def internal_error(self, path: str, exc: Exception, warn: Warn | None) -> None:
        """Record a bug met on one file; the CLI ends such a run with exit status 3, after its reports."""
        message = f"{path}: internal error: {type(exc).__name__}: {exc}; the file is not audited (please report it)"
        self.internal_errors.append(message)
        if warn is not None:
            warn(message)

    # -- checking --------------------------------------------------------------------
    def check(self, documents: list[Document], progress: Callable[[int], None] | None = None,
              warn: Warn | None = None) -> Report:
        """Every finding for these documents, suppressions applied, in stable order."""
        rules = self.ruleset.active()
        claim_rules = [r for r in rules if r.type in ("limit", "expect", "cite")]
        doc_rules = [r for r in rules if r.type in ("require", "forbid")]
        by_path = {d.path: d for d in documents}
        findings: list[Finding] = []
        all_claims: list[Claim] = []
        claims_by_path: dict[str, list[Claim]] = {}
        required: dict[tuple[str, str], list[Finding]] = {}  # a long document is read in pieces:
        satisfied: set[tuple[str, str]] = set()  # a require rule holds if any piece has the statement
        for document, doc, claims in self.claims(documents, warn):
            all_claims.extend(claims)
            claims_by_path.setdefault(document.path, []).extend(claims)
            for rule in claim_rules:
                if rule.type == "limit":
                    findings.extend(check_limit(rule, claims, self.lexicon))
                elif rule.type == "expect":
                    findings.extend(check_expect(rule, claims, self.lexicon))
                else:
                    findings.extend(check_cite(rule, claims, self.lexicon, by_path))
            if doc_rules:
                matched = self.phrases.matches(doc)
                for rule in doc_rules:
                    found = check_document(rule, document, doc, matched, self.lexicon)
                    if rule.type == "forbid":
                        findings.extend(found)
                    elif matched.get(rule.id):
                        satisfied.add((document.path, rule.id))
                    elif found:
                        required.setdefault((document.path, rule.id), found)
            if progress:
                progress(len(claims_by_path))
        findings.extend(f for key, found in required.items() if key not in satisfied for f in found)
        findings.extend(ConsistencyChecker(rules, rules, self.lexicon).check(all_claims))
        suppressions = [s for d in documents for s in find_suppressions(d)]
        kept, suppressed, problems = apply_suppressions(findings, suppressions)
        kept.extend(problems)
        kept.sort(key=Finding.sort_key)
        _disambiguate(kept)
        metadata = {r.id: r.metadata() for r in self.ruleset.rules}
        return Report(findings=kept, files=len(documents), claims=len(all_claims), version=__version__,
                      suppressed=suppressed, rules=metadata, documents=by_path, claims_by_path=claims_by_path)


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
