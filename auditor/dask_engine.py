"""``auditor check --engine dask``: the same run on Dask distributed.

How the work is split (the findings are exactly the local engine's, in the same order):

- The client expands the inputs (``auditor.sources``: directories, globs, ``@listing`` files,
  URLs) and cuts the list of files into batches.
- Every worker builds one ``Auditor`` (rules, lexicon, spaCy pipeline) when it receives the
  run's ``AuditorPlugin``. Per batch, a worker reads and parses each file (local paths as the
  local engine reads them, URLs through fsspec) into a ``DocumentResult`` and runs the
  per-document rules on it (``Auditor.document_findings``). The batch's claims stay on the
  worker as a typed frame (``auditor.claims_frame``); the client gets the small part: paths,
  warnings, per-document findings and suppressions.
- The claims form a Dask dataframe, one partition per batch; ``--claims-out`` writes it as a
  Parquet dataset.
- Consistency: on the workers, each claim becomes one row per consistency group it takes part
  in (``ConsistencyChecker.group_keys``: the rule and its group key, the same key the local
  checker buckets by). A Dask groupby on that key gathers each group on one worker, where
  ``ConsistencyChecker.check_group`` finds its disagreements. Only findings reach the client.
- The client orders them as the local checker does (rule order, then the group's first claim)
  after the per-document findings (document order), and ``Auditor.conclude`` -- the local
  finishing step -- applies suppressions, sorts and makes fingerprints distinct.

Importing this module without the dask extra raises ``AuditorError`` (one line, exit 2).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from .errors import AuditorError

try:
    import dask.dataframe as dd
    import fsspec  # noqa: F401  (URL inputs)
    import pandas as pd
    import pyarrow as pa
    from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
except ImportError as _missing:
    raise AuditorError(
        f"--engine dask needs the dask extra ({_missing.name} is not installed): pip install \"auditor[dask]\""
    ) from None

from . import claims_frame
from .claims import Claim
from .config import Config
from .docresult import DocumentResult, DocumentStore
from .errors import InputWarning
from .findings import Finding, Report
from .ingest import load_document
from .runner import Auditor
from .sources import expand, is_url, read_url, web_page
from .suppress import Suppression

Warn = Callable[[str], None]
Progress = Callable[[int], tuple[Callable[[int], None] | None, Callable[[], None]]]

GROUPS = pa.schema([("group", pa.string()), ("rule", pa.int64()), ("document", pa.int64()),
                    ("position", pa.int64()), ("claim", pa.binary())])
FOUND = pa.schema([("rule", pa.int64()), ("document", pa.int64()), ("position", pa.int64()),
                   ("n", pa.int64()), ("finding", pa.binary())])
MAX_BATCH = 256  # files per task
WAIT_FOR_WORKERS = 60  # seconds a scheduler may have no worker


@dataclass(frozen=True)
class Settings:
    """What a worker needs to build the run's Auditor: the config and the extra rule folders."""

    config: Config
    rules: tuple[str, ...] = ()
    default_rules: bool | None = None
    cache_dir: str | None = None  # the claim cache, opened by each worker on its own machine
    keep_explain: bool = False  # a check's reports never show the claims' explanations

    def build(self) -> Auditor:
        auditor = Auditor(self.config, [Path(r) for r in self.rules], default_rules=self.default_rules)
        auditor.keep_explain = self.keep_explain
        return auditor

    def name(self) -> str:
        return "auditor-" + hashlib.sha256(pickle.dumps(self)).hexdigest()[:12]


class AuditorPlugin(WorkerPlugin):
    """Builds the run's Auditor once per worker, pipeline included; tasks find it by name."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.auditor: Auditor | None = None

    def setup(self, worker: Any) -> None:
        self.lock = threading.Lock()  # one document at a time through a worker's pipeline
        auditor = self.settings.build()
        auditor.nlp  # noqa: B018  (built now, not in the first task)
        auditor.phrases  # noqa: B018
        self.auditor = auditor


def _auditor(name: str) -> tuple[Auditor, threading.Lock]:
    plugin = get_worker().plugins[name]
    return plugin.auditor, plugin.lock


# -- on the workers ---------------------------------------------------------------------
@dataclass
class Batch:
    """What a worker made of a batch of files."""

    documents: list[tuple[str, list[str]]]  # path and reader's warnings of each document audited
    said: list[str]  # the warnings to report, in file order (unusable files included)
    findings: list[Finding]  # of the per-document rules, in document order
    suppressions: list[Suppression]
    claims: int
    frame: Any = field(default=None, repr=False)  # the claims (claims_frame.SCHEMA), kept on the worker


def analyze_batch(name: str, first: int, paths: list[str]) -> Batch:
    """Read, parse and check the files ``paths`` (numbered from ``first`` in the run)."""
    auditor, lock = _auditor(name)
    cache_dir = get_worker().plugins[name].settings.cache_dir
    batch = Batch([], [], [], [], 0)
    claims: list[tuple[int, int, Claim, list[str]]] = []
    with lock:
        # opened in the task's thread (a SQLite connection stays in its thread), closed after the batch
        auditor.use_cache(None if cache_dir is None else Path(cache_dir), batch.said.append)
        try:
            _analyze(auditor, batch, claims, first, paths)
        finally:
            auditor.use_cache(None, batch.said.append)
    batch.claims = len(claims)
    batch.frame = claims_frame.frame(claims)
    return batch


def _analyze(auditor: Auditor, batch: Batch, claims: list[tuple[int, int, Claim, list[str]]], first: int,
             paths: list[str]) -> None:
    numbers = {path: number for number, path in enumerate(paths, first)}
    checker = auditor.consistency()
    tell = batch.said.append
    for remote, group in groupby(paths, key=is_url):
        run = list(group)
        results = (_read_url(auditor, url, tell) for url in run) if remote else auditor.results_of(run, tell)
        for result in results:
            if result is None:
                continue
            batch.documents.append((result.path, list(result.warnings)))
            batch.findings.extend(auditor.document_findings(result))
            batch.suppressions.extend(result.suppressions)
            number = numbers[result.path]
            claims.extend((number, position, claim, [_group(n, key) for n, key in checker.group_keys(claim)])
                          for position, claim in enumerate(result.claims))


def _read_url(auditor: Auditor, url: str, warn: Warn) -> DocumentResult | None:
    """The result of a URL, or None (after telling why) when it cannot be audited."""
    try:
        document = load_document(url, auditor.max_bytes, data=read_url(url, auditor.max_bytes),
                                 fmt="html" if web_page(url) else None)
    except InputWarning as w:
        warn(str(w))
        return None
    for message in document.warnings:
        warn(message)
    return next(iter(auditor.analyze([document])))


def _summary(batch: Batch) -> Batch:
    return Batch(batch.documents, batch.said, batch.findings, batch.suppressions, batch.claims)


def _frame(batch: Batch) -> pd.DataFrame:
    return batch.frame


def _group(number: int, key: tuple) -> str:
    """A consistency group as one string: the rule's number and its group key."""
    return f"{number}\x1f{key!r}"


def _group_rows(part: pd.DataFrame) -> pd.DataFrame:
    """One row per (claim, consistency group it takes part in)."""
    rows = []
    for document, position, data, groups in zip(part["document"], part["position"], part["claim"], part["groups"],
                                                strict=True):
        for group in groups:
            rows.append({"group": group, "rule": int(group.split("\x1f", 1)[0]), "document": document,
                         "position": position, "claim": data})
    return _typed(rows, GROUPS)


def _check_group(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    """The findings of one group, tagged with where the local checker would have made them."""
    auditor, _ = _auditor(name)
    rows = rows.sort_values(["document", "position"], kind="stable")
    number = int(rows["rule"].iloc[0])
    claims = [pickle.loads(data) for data in rows["claim"]]
    # a checker per group: its label-note cache is keyed by claim identity
    found = auditor.consistency().check_group(number, claims)
    document, position = int(rows["document"].iloc[0]), int(rows["position"].iloc[0])
    return _typed([{"rule": number, "document": document, "position": position, "n": n,
                    "finding": pickle.dumps(f, protocol=pickle.HIGHEST_PROTOCOL)} for n, f in enumerate(found)], FOUND)


def _typed(rows: list[dict[str, Any]], schema: pa.Schema) -> pd.DataFrame:
    return pa.Table.from_pylist(rows, schema=schema).to_pandas(types_mapper=pd.ArrowDtype)


# -- on the client ----------------------------------------------------------------------
@contextmanager
def connect(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a LocalCluster (``workers`` processes,
    default one per CPU, one thread each)."""
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise AuditorError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
            except TimeoutError:
                raise AuditorError(f"--scheduler {scheduler}: no worker joined in {WAIT_FOR_WORKERS} s") from None
            yield client
        return
    count = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def check(auditor: Auditor, settings: Settings, inputs: Sequence[str], include: Sequence[str],
          exclude: Sequence[str], warn: Warn, *, scheduler: str | None = None, workers: int | None = None,
          claims_out: str | None = None, keep_claims: bool = False,
          progress: Progress | None = None, timings: dict[str, float] | None = None) -> Report:
    """The Report of a run on Dask; see the module docstring.

    ``keep_claims`` brings every claim to the client (for the html report, which shows them).
    ``progress(total)`` gives ``(update, stop)``: ``update(done)`` is told the number of files done.
    ``timings``, when given, receives the seconds of each step (for the benchmark).
    """
    clock = _Clock(timings)
    files = expand(auditor, inputs, include, exclude, warn)
    target = _claims_target(claims_out) if claims_out else None
    clock("inputs")
    with connect(scheduler, workers) as client:
        clock("connect")
        name = settings.name()
        _register(client, AuditorPlugin(settings), name)
        clock("workers ready")
        try:
            workers_now = max(1, len(client.scheduler_info().get("workers", {})))
            size = max(1, min(MAX_BATCH, math.ceil(len(files) / (workers_now * 4)) if files else 1))
            starts = list(range(0, len(files), size))
            batches = client.map(analyze_batch, [name] * len(starts), starts,
                                 [files[s:s + size] for s in starts], pure=False)
            summaries = client.map(_summary, batches)
            if progress:
                update, stop = progress(len(files))
                sizes = {future.key: min(size, len(files) - start) for future, start in zip(summaries, starts, strict=True)}
                try:
                    done = 0
                    for future in as_completed(summaries):
                        done += sizes[future.key]
                        if update:
                            update(done)
                finally:
                    stop()
            parts: list[Batch] = client.gather(summaries)
            _tell(parts, warn)
            clock("read and parse")
            frames = client.map(_frame, batches)
            claims = (dd.from_delayed(frames, meta=claims_frame.empty(), verify_meta=False) if frames
                      else dd.from_pandas(claims_frame.empty(), npartitions=1))
            if target is not None:
                _write_claims(claims, target)
                clock("claims out")
            found = _consistency(claims, name) if frames else []
            clock("consistency")
            by_path = _claims_by_path(claims) if keep_claims else {}
        finally:
            client.unregister_worker_plugin(name)
    report = _report(auditor, parts, found, by_path)
    clock("finish")
    return report


class _Clock:
    """Seconds between calls, by step name, into ``timings`` (nothing when it is None)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[step] = self.timings.get(step, 0.0) + now - self.last
        self.last = now


def _register(client: Client, plugin: AuditorPlugin, name: str) -> None:
    try:
        client.register_plugin(plugin, name=name)
    except AuditorError:
        raise
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise AuditorError(f"the workers could not load the rules: {message}") from None


def _consistency(claims: dd.DataFrame, name: str) -> list[Finding]:
    """Consistency findings by a Dask groupby on the group key, in the local checker's order.

    The groups of each claim were found where it was parsed (``analyze_batch``)."""
    meta_groups = _typed([], GROUPS)
    rows = claims[["document", "position", "claim", "groups"]].map_partitions(_group_rows, meta=meta_groups)
    found = rows.groupby("group").apply(_check_group, name, meta=_typed([], FOUND)).compute()
    found = found.sort_values(["rule", "document", "position", "n"], kind="stable")
    return [pickle.loads(data) for data in found["finding"]]


def _claims_by_path(claims: dd.DataFrame) -> dict[str, list[Claim]]:
    out: dict[str, list[Claim]] = {}
    for claim in claims_frame.claims_of(claims[["document", "position", "claim"]].compute()):
        out.setdefault(claim.path, []).append(claim)
    return out


def _report(auditor: Auditor, parts: list[Batch], consistency: list[Finding],
            claims_by_path: dict[str, list[Claim]]) -> Report:
    store = DocumentStore(auditor.max_bytes)
    findings: list[Finding] = []
    suppressions: list[Suppression] = []
    files = claims = 0
    for part in parts:
        for path, warnings in part.documents:
            files += 1
            store.add(path, warnings)
        findings.extend(part.findings)
        suppressions.extend(part.suppressions)
        claims += part.claims
    findings.extend(consistency)
    return auditor.conclude(findings, suppressions, files=files, claims=claims, documents=store,
                            claims_by_path=claims_by_path)


def _tell(parts: Sequence[Batch], warn: Warn) -> None:
    """Report the warnings of each batch, in file order (the local engine's stderr)."""
    for part in parts:
        for message in part.said:
            warn(message)


# -- --claims-out -----------------------------------------------------------------------
def _claims_target(path: str) -> str:
    """Where the Parquet dataset goes; a local folder that holds anything but a dataset is refused."""
    if is_url(path):
        return path
    folder = Path(path)
    if folder.exists():
        if not folder.is_dir():
            raise AuditorError(f"--claims-out {path}: exists and is not a folder")
        strangers = [p.name for p in folder.iterdir() if not (p.suffix == ".parquet" or p.name.startswith("_"))]
        if strangers:
            raise AuditorError(f"--claims-out {path}: the folder holds other files ({strangers[0]}); name a new one")
    return path


def _write_claims(claims: dd.DataFrame, target: str) -> None:
    """The CLAIMS.md columns as a Parquet dataset, written by the workers (one file per batch)."""
    columns = claims[list(claims_frame.COLUMNS.names)]
    if is_url(target):
        columns.to_parquet(target, write_index=False, schema=claims_frame.COLUMNS)
        return
    partial = f"{target}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    columns.to_parquet(partial, write_index=False, schema=claims_frame.COLUMNS)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)
