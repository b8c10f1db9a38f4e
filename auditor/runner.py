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

import contextlib
import gc
import os
import pickle
import stat
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from . import claims as claims_module
from .cache import digest_of
from .claims import Claim, ClaimSpool
from .config import Config
from .docresult import DocumentResult, DocumentStore, document_result
from .engine import RuleSet, load_rules
from .engine.patterns import check_patterns
from .errors import AuditorError, InputWarning
from .findings import Finding, Report
from .ingest import discover, load_document
from .lexicon import Lexicon, cached_lexicon
from .paths import bundled_rules_dir
from .runstore import RunStore, StoredFindings
from .suppress import Suppression, find_suppressions
from .testhooks import pause_point

if TYPE_CHECKING:  # spaCy is imported only when a document is parsed
    from spacy.language import Language
    from spacy.tokens import Doc

    from .cache import ClaimCache
    from .consistency import ConsistencyChecker
    from .document import Document
    from .engine.checks import ClaimRules, DocumentRules, PhraseIndex
    from .engine.scope import ScopeRules
    from .ingest.stream import StreamedDocument

Warn = Callable[[str], None]
CHUNK_FILES = 64  # files read (and parsed) together
SPILL_CLAIMS = 20_000  # claims a run holds before it moves them to its store (Auditor.finish)
SPILL_RESULTS = 2_000  # results whose claims a run holds unread (from the cache, on disk) before it does so
CHUNK_BYTES = 4 * 1024 * 1024
CHUNK_FILES_PARALLEL = 16  # files sent to a worker process at once
CHUNK_BYTES_PARALLEL = 512 * 1024
MIN_PARALLEL = 4  # fewer files to parse than this: parsed here, without waking the workers
EARLY_INGEST = True  # while the pipeline is built, one process reads the first chunks into Documents
EARLY_BYTES = 4 * 1024 * 1024  # bytes of files read ahead for it
EARLY_CHUNKS = 32  # chunks read ahead for it (some 500 files: what it reads while spaCy is imported)


@dataclass
class _Entry:
    """One file on its way through ``results_of``."""

    path: str
    data: bytes | None = None
    digest: str | None = None
    result: DocumentResult | None = None  # from the cache
    warning: str = ""  # the file cannot be read

    @property
    def todo(self) -> bool:
        return not self.warning and self.result is None


_NO_EXPLAIN: dict[str, str] = {}


def _chunks(entries: Iterable[_Entry], files: int, size: int) -> Iterator[list[_Entry]]:
    """Consecutive entries, at most ``files`` of them or about ``size`` bytes to parse."""
    chunk: list[_Entry] = []
    total = 0
    for entry in entries:
        chunk.append(entry)
        total += len(entry.data or b"")
        if len(chunk) >= files or total >= size:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


@dataclass
class Selection:
    """Which files a run reads."""

    paths: list[str]
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


class Auditor:
    """Loaded rules and lexicon, and the pipeline on first use, ready to audit documents."""

    def __init__(self, config: Config, extra_rules: Iterable[Path] = (), default_rules: bool | None = None, *,
                 cache_dir: Path | None = None, warn: Warn | None = None) -> None:
        """``cache_dir``: use the claim cache there (``use_cache``); ``warn`` reports its problems."""
        self.config = config
        extra_rules = [Path(p) for p in extra_rules]
        self._settings = (config, extra_rules, default_rules)
        self.cache: ClaimCache | None = None
        if cache_dir is not None:
            from .cache import ClaimCache

            self.cache = ClaimCache(cache_dir, None, warn or (lambda m: None))
        memo = self.cache.memo if self.cache is not None else None
        use_default = config.default_rules if default_rules is None else default_rules
        self.rule_dirs: list[Path] = ([bundled_rules_dir()] if use_default else []) + list(config.rules) + [Path(p) for p in extra_rules]
        lexicon_paths = [str(p) for p in [bundled_rules_dir(), *self.rule_dirs[use_default:], *config.lexicon]]
        self.lexicon_paths = list(dict.fromkeys(lexicon_paths))
        self.lexicon: Lexicon = cached_lexicon(tuple(self.lexicon_paths), memo)
        self.ruleset: RuleSet = load_rules(self.rule_dirs, memo)
        self.ruleset.configure(config.enable, config.disable, config.severity)
        self.max_bytes = int(config.max_file_size_mb * 1024 * 1024)
        self._nlp: Language | None = None
        self._phrases: PhraseIndex | None = None
        self._claim_rules: ClaimRules | None = None  # the per-document rules, indexed on first use
        self._doc_rules: DocumentRules | None = None
        self._require_ids: frozenset[str] | None = None  # the active require rules (``_first_required``)
        self._scope_rules: ScopeRules | None = None
        self._checker: ConsistencyChecker | None = None  # of the run in ``finish``
        self.jobs = 1  # processes that parse files
        self.keep_explain = True  # False: claims from ``results_of`` come without ``explain`` (less memory)
        self.claims_later = False  # True: cached results whose findings are stored read their claims when used
        self.internal_errors: list[str] = []  # one line per file a bug in auditor left unaudited
        self.run_key: str | None = None  # the claim cache's key of the last run finished (ClaimCache.run_key)
        check_patterns(self.ruleset.active())  # token attributes a blank pipeline cannot match: exit 2 at once
        if self.cache is not None:
            from .cache import environment_key, findings_key

            self.cache.set_env(environment_key(self), findings_key(self))

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, built the first time a document is parsed."""
        if self._nlp is None:
            from .pipeline import build_pipeline

            self._nlp = build_pipeline(self.lexicon_paths)
            gc.freeze()  # the pipeline, rules and lexicon live as long as the run: no collection need scan them
        return self._nlp

    @property
    def phrases(self) -> PhraseIndex:
        """Matchers for the phrases of the active require/forbid rules."""
        if self._phrases is None:
            from .engine.checks import PhraseIndex

            self._phrases = PhraseIndex.build(self.nlp, self.ruleset.active())
            gc.freeze()
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
            except Exception as exc:  # a bug in a reader: this file is left out, the run goes on
                self.internal_errors.append(internal_error(path, exc))
                warn(self.internal_errors[-1])
                continue
            for message in document.warnings:
                warn(message)
            yield document

    def read(self, selection: Selection, warn: Warn) -> list[Document]:
        """Discover and load documents; unusable files are reported through ``warn`` and skipped."""
        return list(self.load(self.files(selection, warn), warn))

    def claims(self, documents: Iterable[Document], warn: Warn | None = None) -> Iterator[tuple[Document, Doc, list[Claim]]]:
        """One pipeline pass per document (per piece of a long one: see ``auditor.extract``).

        A bug met while one document is processed leaves that document out: its line goes to
        ``internal_errors`` (and to ``warn`` when given), and the other documents follow.
        """
        from .extract import extract

        return extract(self.nlp, documents, on_error=self._on_error(warn))

    def _on_error(self, warn: Warn | None) -> Callable[[Document, Exception], None]:
        def failed(document: Document, exc: Exception) -> None:
            message = internal_error(document.path, exc)
            self.internal_errors.append(message)
            if warn is not None:
                warn(message)
        return failed

    # -- per document ----------------------------------------------------------------
    def analyze(self, documents: Iterable[Document], warn: Warn | None = None) -> Iterator[DocumentResult]:
        """The result of each document, in order; a long document's pieces make one result.

        A document a bug left unaudited gives no result (see ``claims``).
        """
        from .extract import extract_pieces
        from .ingest.stream import StreamedDocument

        for document in documents:
            failures = len(self.internal_errors)
            parts = []
            spool = ClaimSpool()  # a long document's claims go to disk as its pieces are read
            required: set[str] = set()  # require rules matched already (their first match is all they need)
            for piece, claims in extract_pieces(self.nlp, [document], self._on_error(warn)):
                matched = self._first_required(piece, self.phrases.matches(piece.doc), required)
                part = document_result(piece.document, piece.doc, claims, matched)
                # what the piece's Doc holds past its own text (a claim running on) is the next piece's
                part.matches = [m for m in part.matches if piece.own < 0 or m.start < piece.own]
                for match in part.matches:
                    match.start, match.end = match.start + piece.offset, match.end + piece.offset
                spool.extend(claims)
                part.claims = []
                parts.append(part)
            if len(self.internal_errors) == failures:
                whole = len(parts) == 1 and not isinstance(document, StreamedDocument)
                result = parts[0] if whole else merge_results(document, parts)
                result.claims = spool.list_or_self()
                yield result

    def _first_required(self, piece: Any, matched: dict[str, list[tuple[int, int]]],
                        required: set[str]) -> dict[str, list[tuple[int, int]]]:
        """``matched`` with only the first match in the document of each ``require`` rule (one
        is all the rule asks for: ``check_document``); ``required`` holds the rules matched before."""
        if self._require_ids is None:
            self._require_ids = frozenset(r.id for r in self.ruleset.active() if r.type == "require")
        if self._require_ids.isdisjoint(matched):
            return matched
        kept = {}
        for rule_id, spans in matched.items():
            if rule_id in self._require_ids:
                if rule_id in required:
                    continue
                spans = [s for s in sorted(spans) if piece.own < 0 or piece.doc[s[0]].idx < piece.own][:1]
                if not spans:
                    continue
                required.add(rule_id)
            kept[rule_id] = spans
        return kept

    def results(self, selection: Selection, warn: Warn) -> Iterator[DocumentResult]:
        """The result of every usable file of ``selection``, in order, reading one file at a time."""
        return self.results_of(self.files(selection, warn), warn)

    def results_of(self, files: Iterable[str], warn: Warn) -> Iterator[DocumentResult]:
        """The result of each usable file of ``files`` (paths from ``files``), in order.

        Files are read one chunk at a time; a file whose result is in the claim cache
        (``use_cache``) is not parsed, the others go through ``analyze`` and into the cache.
        """
        if self.jobs <= 1:
            for chunk in _chunks(self._entries(files), CHUNK_FILES, CHUNK_BYTES):
                results = self._analyze_bytes([(e.path, e.data) for e in chunk if e.todo])
                yield from self._emit(chunk, iter(results), warn)
            return
        # Several processes: chunks go to a pool as they are read; results come back in order.
        pool = early = None
        pending: deque[tuple[list[_Entry], Any]] = deque()
        ahead: deque[tuple[list[_Entry], list, Any]] = deque()  # chunks read ahead, given to ``early``
        chunks = _chunks(self._entries(files), CHUNK_FILES_PARALLEL, CHUNK_BYTES_PARALLEL)
        try:
            while True:
                if ahead:
                    chunk, todo, ingested = ahead.popleft()
                else:
                    if early is not None:  # every chunk it had is read or taken back: it ends at once
                        early.shutdown(wait=True, cancel_futures=True)
                        early = None
                    chunk = next(chunks, None)
                    if chunk is None:
                        break
                    todo, ingested = [(e.path, e.data) for e in chunk if e.todo], None
                if pool is None and len(todo) >= MIN_PARALLEL:
                    # the pipeline is built now; while it is, one process reads the next chunks
                    early = self._early_ingest()
                    if early is not None:
                        ahead.append((chunk, todo, _offer(early, todo, self.max_bytes)))
                        ahead.extend(self._read_ahead(chunks, early))
                    pool = self._pool()
                    if early is not None:
                        continue  # the chunks read ahead go to the workers first
                if pool is None or (ingested is None and len(todo) < MIN_PARALLEL):
                    pending.append((chunk, _Done(self._analyze_bytes(todo))))
                else:
                    pending.append((chunk, _submit(pool, todo, ingested) if todo else _Done([])))
                while len(pending) > 2 * self.jobs:
                    chunk, done = pending.popleft()
                    yield from self._emit(chunk, iter(done.result()), warn)
            while pending:
                chunk, done = pending.popleft()
                yield from self._emit(chunk, iter(done.result()), warn)
        finally:
            for executor in (early, pool):
                if executor is not None:
                    executor.shutdown(wait=True, cancel_futures=True)

    def _early_ingest(self) -> Any:
        """One process that reads files into Documents while the pipeline is built (spaCy's
        import takes a second a core would spend idle), or None where it would not help: the
        pipeline is built already, or processes cannot be forked (a fresh one would import as
        much as it saves)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if self._nlp is not None or not EARLY_INGEST or "fork" not in multiprocessing.get_all_start_methods() \
                or not sys.platform.startswith("linux"):
            return None
        return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=_init_ingester,
                                   initargs=(os.getpid(),))

    def _read_ahead(self, chunks: Iterator[list[_Entry]], early: Any) -> list[tuple[list[_Entry], list, Any]]:
        """The next chunks (up to ``EARLY_CHUNKS`` of them and ``EARLY_BYTES`` of bytes in all),
        each given to ``early`` to read."""
        ahead: list[tuple[list[_Entry], list, Any]] = []
        size = 0
        while size < EARLY_BYTES and len(ahead) < EARLY_CHUNKS:
            chunk = next(chunks, None)
            if chunk is None:
                break
            todo = [(e.path, e.data) for e in chunk if e.todo]
            size += sum(len(data or b"") for _, data in todo)
            ahead.append((chunk, todo, _offer(early, todo, self.max_bytes)))
        return ahead

    def _pool(self) -> Any:
        """Worker processes that parse files, each with the pipeline built once.

        Where processes can be forked, the pipeline is built here first and every worker
        shares it; elsewhere each worker builds its own from the same settings.
        """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        global _PARENT
        if "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux"):
            self.phrases  # noqa: B018  (built before forking, shared by the workers)
            _PARENT = self
            return ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_init_worker, initargs=(None, os.getpid()))
        return ProcessPoolExecutor(self.jobs, initializer=_init_worker, initargs=(self._settings, os.getpid()))

    def _entries(self, files: Iterable[str]) -> Iterator[_Entry]:
        """Each file's bytes and its cached result, if any (a file that cannot be read: its warning).

        With the claim cache, files are taken a batch at a time: their stats are looked up first
        (a file of a trusted stat row is neither read nor hashed: ``ClaimCache.known_digests``),
        then the others are read (a long file is hashed a chunk at a time and left on disk), and
        their results looked up together.
        """
        from .cache import LOOKUP_BATCH

        if self.cache is None:
            for count, path in enumerate(files, 1):
                try:
                    yield self._read_entry(path)
                finally:
                    pause_point(count)
            return
        batch: list[tuple[int, str]] = []
        for item in enumerate(files, 1):
            batch.append(item)
            if len(batch) >= LOOKUP_BATCH:
                yield from self._looked_up(batch)
                batch = []
        if batch:
            yield from self._looked_up(batch)

    def _read_entry(self, path: str, stats: tuple[os.stat_result, int, str | None] | None = None) -> _Entry:
        """The entry of one file: its bytes, or None for a long file parsed from disk (``_read_from_disk``).

        ``stats`` (with the claim cache: the file's stat, the time taken before it, and the digest
        of its trusted stat row or None): its digest too; a file with that digest is not read
        (``_found`` reads it if its result is not in the cache), a long one is hashed a chunk at a
        time; a digest computed is noted with the stat (``ClaimCache.note_digest``).
        """
        from .cache import content_digest, file_digest
        from .ingest import format_for, messages, read_bytes, unreadable

        try:
            if format_for(path) is None:
                raise InputWarning(path, messages.UNSUPPORTED)
            if stats is not None and stats[2] is not None:
                return _Entry(path, digest=stats[2])
            if not _read_from_disk(path, self.max_bytes):
                data = read_bytes(path, self.max_bytes)
                if stats is None:
                    return _Entry(path, data=data)
                digest = content_digest(data)
            elif stats is None:  # a long file, read from disk a section at a time
                return _Entry(path)
            else:
                data = None
                try:
                    digest = file_digest(path)
                except OSError as err:
                    raise unreadable(path, err) from None
            self.cache.note_digest(path, stats[0], stats[1], digest)
            return _Entry(path, data=data, digest=digest)
        except InputWarning as w:
            return _Entry(path, warning=str(w))

    def _looked_up(self, batch: list[tuple[int, str]]) -> Iterator[_Entry]:
        """The entries of ``batch`` (numbered files) with their digests, and their results where
        the cache has them (looked up about ``CHUNK_BYTES_PARALLEL`` of bytes read at a time)."""
        read_ns = time.time_ns()  # before the stats (``cache.trusted``)
        stats: dict[str, os.stat_result] = {}
        for _, path in batch:
            with contextlib.suppress(OSError, ValueError):
                st = os.stat(path)
                if stat.S_ISREG(st.st_mode) and 0 < st.st_size <= self.max_bytes:
                    stats[path] = st
        known = self.cache.known_digests(stats)
        ready: list[_Entry] = []
        size = 0
        for count, path in batch:
            st = stats.get(path)
            try:
                entry = self._read_entry(path, None if st is None else (st, read_ns, known.get(path)))
            finally:
                pause_point(count)
            ready.append(entry)
            size += len(entry.data or b"")
            if size >= CHUNK_BYTES_PARALLEL:
                yield from self._found(ready)
                ready, size = [], 0
        if ready:
            yield from self._found(ready)

    def _found(self, entries: list[_Entry]) -> list[_Entry]:
        """``entries`` with their results where the cache has them; the bytes of the others that
        were known by their stat alone are read now."""
        from .cache import content_digest

        known = [e for e in entries if e.digest is not None]
        parse_again = self._parse_again if self.claims_later else None
        hits = self.cache.get_many([(e.path, e.digest) for e in known], self.keep_explain, parse_again)
        for entry, hit in zip(known, hits, strict=True):
            if hit is not None:
                entry.result, entry.data = hit, None
            elif entry.data is None and not _read_from_disk(entry.path, self.max_bytes):
                fresh = self._read_entry(entry.path)  # its digest is that of the bytes read now
                entry.data, entry.warning = fresh.data, fresh.warning
                entry.digest = None if fresh.data is None else content_digest(fresh.data)
        return entries

    def _analyze_bytes(self, items: list[tuple[str, bytes | None]],
                       loaded: list[Any] | None = None) -> list[DocumentResult | str]:
        """Parse files from their bytes (None: a long file, read from disk): a result each, or the
        warning of a file that cannot be used. ``loaded``: for each file, what ``ingest`` gave
        already (an early ingest process's, see ``results_of``), or None to read it here."""
        out: list[DocumentResult | str] = []
        for number, (path, data) in enumerate(items):
            document = loaded[number] if loaded is not None and loaded[number] is not None else \
                ingest(path, data, self.max_bytes)
            if isinstance(document, str):  # the file's warning
                out.append(document)
                continue
            failures = len(self.internal_errors)
            result = next(self.analyze([document]), None)
            if result is not None and data is None and isinstance(reads := getattr(document, "reads", None), list):
                result.read_digests = list(reads)  # type: ignore[attr-defined]  # what the parser read (``_digest_read``)
            out.append(result if result is not None else InternalError(self.internal_errors[failures]))
        return out

    def _parse_again(self, path: str) -> DocumentResult | str:
        """The result of a file parsed again (its claims in the cache do not read back), stored in
        the cache again; or the warning of a file that cannot be used now."""
        entry = self._read_entry(path, None if self.cache is None else self._stats_now(path))
        if entry.warning:
            return entry.warning
        result = self._analyze_bytes([(path, entry.data)])[0]
        if not isinstance(result, str):
            digest = _digest_read(entry, result)
            if self.cache is not None and digest is not None:
                self.cache.put([(digest, result)])
            if not self.keep_explain:
                if isinstance(result.claims, ClaimSpool):
                    result.claims.keep_explain = False
                else:
                    for claim in result.claims:
                        claim.explain = _NO_EXPLAIN
        return result

    def _stats_now(self, path: str) -> tuple[os.stat_result, int, None] | None:
        """(stat, the time before it, None) of a file to read and hash now (``_read_entry``)."""
        read_ns = time.time_ns()
        try:
            return os.stat(path), read_ns, None
        except (OSError, ValueError):
            return None

    def _emit(self, chunk: list[_Entry], parsed: Iterator[DocumentResult | str], warn: Warn) -> list[DocumentResult]:
        """The results of a chunk in file order, warnings reported, new results stored in the cache."""
        results, new, parsed_here = [], [], []
        for entry in chunk:
            if entry.warning:
                warn(entry.warning)
                continue
            result = entry.result if entry.result is not None else next(parsed)
            if isinstance(result, str):
                warn(result)
                if isinstance(result, InternalError) and result not in self.internal_errors:
                    self.internal_errors.append(result)  # met in a worker process
                continue
            if entry.result is None:
                parsed_here.append(result)
                digest = _digest_read(entry, result)
                if digest is not None:
                    new.append((digest, result))
            for message in result.warnings:
                warn(message)
            results.append(result)
        if self.cache is not None and new:
            self.cache.put(new)
        if not self.keep_explain:  # those from the cache come without
            for result in parsed_here:
                if isinstance(result.claims, ClaimSpool):
                    result.claims.keep_explain = False
                    continue
                for claim in result.claims:
                    claim.explain = _NO_EXPLAIN
        return results

    # -- the claim cache -------------------------------------------------------------
    def use_cache(self, directory: Path | None, warn: Warn) -> None:
        """Read and write per-file results in the claim cache in ``directory`` (None: no cache)."""
        if self.cache is not None:
            self.cache.close()
            self.cache = None
        if directory is not None:
            from .cache import ClaimCache, environment_key, findings_key

            self.cache = ClaimCache(directory, environment_key(self), warn, findings_key(self))

    # -- checking --------------------------------------------------------------------
    def check(self, documents: list[Document], progress: Callable[[int], None] | None = None,
              warn: Warn | None = None) -> Report:
        """Every finding for these documents, suppressions applied, in stable order."""
        return self.finish(self.analyze(documents, warn), progress, documents={d.path: d for d in documents})

    def finish(self, results: Iterable[DocumentResult], progress: Callable[[int], None] | None = None,
               documents: Mapping[str, Any] | None = None, *, stream: bool = False,
               keep_claims: bool = True) -> Report:
        """The Report of a run from the result of each of its documents.

        ``documents`` (path -> Document) is what reports that show text read; without it they
        read each file again when they need it (``DocumentStore``). Each result is dropped once
        checked: its findings, and its claims that a consistency rule groups, go to the run's
        temporary store (``auditor.runstore``; claims once ``SPILL_CLAIMS`` are held in memory,
        or those of ``SPILL_RESULTS`` results from the cache; a run that holds fewer groups them
        in memory, and reads those of cached results only if its consistency findings are not
        stored). ``stream``: the Report reads its findings from
        that store (the caller closes it: ``Report.close``); otherwise they are read into a
        list and the store is removed. ``keep_claims``: ``claims_by_path`` (for the html report).
        """
        store = DocumentStore(self.max_bytes)
        run = RunStore()
        self._checker = None  # the consistency checker of this run, made when a claim is spilled
        self.run_key = None
        try:
            pending: list[Iterable[Claim]] = []  # claims not spilled yet (a run whose consistency findings are stored spills none)
            held = 0  # claims in pending that are in memory
            waiting = 0  # claims in pending in all (a cached result's and a spool's are read only when iterated)
            later = 0  # results in pending whose claims are read only when iterated
            claims_by_path: dict[str, list[Claim]] = {}
            suppressions: list[Suppression] = []
            digests: list[tuple[str, str | None]] = []  # the key of the consistency findings (consistency_findings)
            files = claims = 0
            for files, result in enumerate(results, 1):
                count = result.claim_count()
                claims += count
                claims_of = result.later_claims()  # a cached result's are read only when spilled, a long document's from disk
                pending.append(claims_of)
                waiting += count
                if isinstance(claims_of, list):
                    held += count
                else:
                    later += 1
                if held >= SPILL_CLAIMS or later >= SPILL_RESULTS:
                    self._spill(run, pending)
                    held = waiting = later = 0
                if keep_claims:
                    claims_by_path[result.path] = result.claims
                suppressions.extend(result.suppressions)
                store.add(result.path, result.warnings)
                if self.cache is None and isinstance(result.claims, ClaimSpool):
                    for found in self._findings_in_batches(result):  # a long document's, a batch of claims at a time
                        run.add_findings(found)
                else:
                    run.add_findings(self.document_findings(result))
                digests.append((result.path, digest_of(result)))
                if progress:
                    progress(files)
            self.consistency_findings(run, pending, digests, waiting)
            return self._report(run, suppressions, stream, files=files, claims=claims,
                                documents=store if documents is None else dict(documents), claims_by_path=claims_by_path)
        except BaseException:
            run.close()
            raise

    def document_findings(self, result: DocumentResult) -> list[Finding]:
        """The findings of the per-document rules (limit, expect, cite, scope, require, forbid) on one result.

        A result from the claim cache whose findings were stored under the same rules and code
        gives those (new objects: the run numbers fingerprints in place); others are checked,
        and stored when the result is in the cache.
        """
        if self.cache is not None:
            stored = self.cache.stored_findings(result)
            if stored is not None:
                return stored
        findings = self._check_document(result)
        if self.cache is not None:
            self.cache.store_findings(result, findings)
        return findings

    def _findings_in_batches(self, result: DocumentResult) -> Iterator[list[Finding]]:
        """The findings of ``_check_document`` on a result whose claims are on disk (``ClaimSpool``),
        a batch of claims at a time: the same findings, in the same order within each rule (which
        is all the report's order keeps of the order they were made in: ``RunStore.finish``)."""
        assert isinstance(result.claims, ClaimSpool)
        for batch in result.claims.batches():
            yield self._check_document(replace(result, claims=batch), doc_rules=False)
        yield self._check_document(replace(result, claims=[]))

    def _check_document(self, result: DocumentResult, doc_rules: bool = True) -> list[Finding]:
        if self._claim_rules is None:
            from .engine.checks import ClaimRules, DocumentRules
            from .engine.scope import ScopeRules

            rules = self.ruleset.active()
            self._claim_rules = ClaimRules(rules, self.lexicon)
            self._doc_rules = DocumentRules(rules, self.lexicon)
            self._scope_rules = ScopeRules(rules, [r for r in rules if r.type in ("limit", "expect")], self.lexicon)
        findings = self._claim_rules.check(result.claims, result.has_sources)
        findings.extend(self._scope_rules.check(result.claims))
        if doc_rules:
            findings.extend(self._doc_rules.check(result))
        return findings

    def _spill(self, run: RunStore, pending: list[Iterable[Claim]]) -> None:
        """Move the ``pending`` claims (of each result) to the run's store, each with the consistency groups it is in."""
        if self._checker is None:
            self._checker = self.consistency()
        for claim in chain.from_iterable(pending):
            run.add_claim(claim, self._checker.group_keys(claim))
        pending.clear()

    def consistency_findings(self, run: RunStore, pending: list[Iterable[Claim]], digests: list[tuple[str, str | None]],
                             waiting: int = 0) -> None:
        """Add the findings of the consistency rules over the claims of a run to ``run``: those
        spilled there and ``pending`` (``waiting`` claims in all: as many as ``SPILL_CLAIMS`` are
        moved to the store first, rather than read into memory together).

        ``digests``: each document's (path, digest of its bytes, see ``cache.digest_of``) in run
        order; when every document went through the claim cache, the findings are stored under
        them, and a run over the same documents with the same rules reads them back without
        grouping, or reading, a claim.
        """
        key = self.cache.run_key(digests) if self.cache is not None else None
        self.run_key = key
        if key is not None:
            stored = self.cache.run_findings(key)
            if stored is not None:
                self.cache.flush()
                run.add_findings(stored)
                return
        if self._checker is None and waiting < SPILL_CLAIMS:  # nothing spilled: grouped here, as the store would
            self._checker = self.consistency()
            groups: Iterable[tuple[int, list[Claim]]] = self._checker.groups(chain.from_iterable(pending))
            pending.clear()
        else:
            self._spill(run, pending)
            groups = run.groups()
        kept: list[Finding] = []
        for number, group in groups:
            found = self._checker.check_group(number, group)
            run.add_findings(found)
            if key is not None:
                kept.extend(found)
        if key is not None:
            self.cache.store_run(key, kept)
        elif self.cache is not None:
            self.cache.flush()

    def consistency(self) -> ConsistencyChecker:
        """The checker of the active consistency rules (cross-document and within one)."""
        from .consistency import ConsistencyChecker

        rules = self.ruleset.active()
        return ConsistencyChecker(rules, rules, self.lexicon)

    def conclude(self, findings: list[Finding], suppressions: list[Suppression], *, files: int, claims: int,
                 documents: Mapping[str, Any], claims_by_path: dict[str, list[Claim]]) -> Report:
        """The Report from every finding of a run (per-document findings in document order, then
        consistency findings): suppressions applied, stable order, distinct fingerprints."""
        run = RunStore()
        try:
            run.add_findings(findings)
            return self._report(run, suppressions, False, files=files, claims=claims, documents=documents,
                                claims_by_path=claims_by_path)
        except BaseException:
            run.close()
            raise

    def _report(self, run: RunStore, suppressions: list[Suppression], stream: bool, *, files: int, claims: int,
                documents: Mapping[str, Any], claims_by_path: dict[str, list[Claim]]) -> Report:
        """The Report of the findings spilled to ``run`` (``RunStore.finish``: suppressions, order,
        fingerprints); with ``stream`` it reads them from ``run``, otherwise from a list."""
        kept, suppressed = run.finish(suppressions)
        metadata = {r.id: r.metadata() for r in self.ruleset.rules}
        report = Report(findings=kept, files=files, claims=claims, version=__version__, suppressed=suppressed,
                        rules=metadata, documents=documents, claims_by_path=claims_by_path, store=run)
        if not stream:
            report.findings = list(kept)
            report.store = None
            run.close()
        return report


class _Done:
    """A result computed here, read like a future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


_PARENT: Auditor | None = None  # the Auditor a forked worker inherits
_WORKER: Auditor | None = None


class InternalError(str):
    """The line reported for a file a bug in auditor left unaudited (a ``str``, so it can cross processes)."""


def internal_error(path: str, exc: Exception) -> InternalError:
    """``x.md: internal error: ValueError: ...; the file is not audited (please report it)``."""
    return InternalError(f"{path}: internal error: {type(exc).__name__}: {exc}; the file is not audited (please report it)")


def merge_results(document: Document | StreamedDocument, parts: list[DocumentResult]) -> DocumentResult:
    """One result from the results of a long document's pieces (``auditor.pieces``), or of the
    sections of a file read a section at a time (``auditor.ingest.stream``).

    Claims and phrase matches are the pieces' in order (so each rule's matches stay in document
    order), a drug's first mention is its first in any piece; suppressions, warnings and the
    Sources section are the document's.
    """
    from .ingest.stream import StreamedDocument

    mentions, seen = [], set()
    for part in parts:
        for mention in part.mentions:
            if mention.label not in seen:
                seen.add(mention.label)
                mentions.append(mention)
    return DocumentResult(
        path=document.path, claims=[c for part in parts for c in part.claims],
        matches=[m for part in parts for m in part.matches], mentions=mentions,
        suppressions=list(document.suppressions) if isinstance(document, StreamedDocument) else find_suppressions(document),
        warnings=list(document.warnings), has_sources=document.sources_start is not None,
    )


def _digest_read(entry: _Entry, result: DocumentResult) -> str | None:
    """The digest to store a parsed result under: the entry's, when its bytes were parsed, or
    when every pass the parser made over the file on disk read bytes of that digest (a file
    changed meanwhile is not stored); None: not stored."""
    if entry.digest is None or entry.data is not None:
        return entry.digest
    reads = getattr(result, "read_digests", None)
    return entry.digest if reads and all(read == entry.digest for read in reads) else None


def _read_from_disk(path: str, max_bytes: int) -> bool:
    """``ingest.stream.read_from_disk`` (imported only by a run that may need it)."""
    from .ingest.stream import read_from_disk

    return read_from_disk(path, max_bytes)


def _init_worker(settings: tuple | None, parent: int | None = None) -> None:
    """Set up a worker process: the forked parent's Auditor, or a new one from its settings."""
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _end_with_parent(signal.SIGKILL, parent)
    if settings is None:
        _WORKER = _PARENT
    else:
        config, extra_rules, default_rules = settings
        _WORKER = Auditor(config, extra_rules, default_rules=default_rules)
    _WORKER.cache = None
    _WORKER.jobs = 1
    claims_module.HAND_OFF = True  # a long document's claims cross to the run as a file on this machine


def _end_with_parent(sig: int, parent: int | None = None) -> None:
    """On Linux, have the kernel send this worker ``sig`` when the process that started it dies, so
    that a run killed with SIGKILL leaves no worker parsing on (``prctl(PR_SET_PDEATHSIG)``).

    ``parent``: that process's pid; if it died before the request was made (the kernel then
    sends nothing), the worker ends now."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, sig, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)


def _work(items: list[tuple[str, bytes | None]], loaded: bytes | None = None) -> list[DocumentResult | str]:
    """In a worker: parse files from their bytes (``Auditor._analyze_bytes``), or from what an
    early ingest process read of them (``loaded``: ``_ingest_chunk``'s)."""
    assert _WORKER is not None
    return _WORKER._analyze_bytes(items, None if loaded is None else pickle.loads(loaded))


def ingest(path: str, data: bytes | None, max_bytes: int) -> Document | StreamedDocument | str:
    """The Document of a file from its bytes (None: read from disk), or the line that tells why
    it cannot be used (a bug in a reader is an ``InternalError``: the file is left out)."""
    try:
        return load_document(path, max_bytes=max_bytes, data=data)
    except InputWarning as w:
        return str(w)
    except Exception as exc:  # a bug in a reader: this file is left out, the run goes on
        return internal_error(path, exc)


def _init_ingester(parent: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _end_with_parent(signal.SIGKILL, parent)


def _ingest_chunk(items: list[tuple[str, bytes | None]], max_bytes: int) -> bytes:
    """In the early ingest process: ``ingest`` of each file of a chunk given its bytes, pickled
    (a worker unpickles it); None for a long file, which the worker reads from disk itself."""
    return pickle.dumps([None if data is None else ingest(path, data, max_bytes) for path, data in items],
                        pickle.HIGHEST_PROTOCOL)


def _offer(early: Any, todo: list[tuple[str, bytes | None]], max_bytes: int) -> Any:
    """The future of the early ingest process's reading of a chunk, or None (no process, nothing
    to read, or the process is gone)."""
    if early is None or not todo:
        return None
    try:
        return early.submit(_ingest_chunk, todo, max_bytes)
    except Exception:  # a broken process: the workers read the files themselves
        return None


def _submit(pool: Any, todo: list[tuple[str, bytes | None]], ingested: Any) -> Any:
    """Give a chunk to a worker: with what the early ingest process read of it when that is done
    or under way (then the bytes of the files it read are not sent again), else its bytes."""
    if ingested is not None and (ingested.done() or not ingested.cancel()):
        try:
            loaded = ingested.result()
        except Exception:  # the early process failed: the worker reads the files itself
            loaded = None
        if loaded is not None:
            return pool.submit(_work, [(path, b"" if data is not None else None) for path, data in todo], loaded)
    return pool.submit(_work, todo)


def changed_files(ref: str) -> set[str]:
    """Files changed since ``ref`` (committed, staged, unstaged and untracked), relative to the cwd."""
    import subprocess

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


def keep_changed(findings: Iterable[Finding], changed: set[str]) -> Any:
    """Findings in a changed file, or in which a changed file takes part (a related place):
    a list, or for ``StoredFindings`` the findings it keeps."""
    def norm(p: str) -> str:
        return str(Path(p))

    def keep(f: Finding) -> bool:
        return norm(f.path) in changed or any(norm(r.path) in changed for r in f.related)
    if isinstance(findings, StoredFindings):
        return findings.where(keep)
    return [f for f in findings if keep(f)]
