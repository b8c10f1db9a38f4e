"""Reports remembered in the claim cache, written again by a run that would draw them the same.

A re-run of ``auditor check`` over files it has seen, with the same rules, finds every result
and its findings in the claim cache; drawing the reports is then most of what is left (reading
the findings back, ordering them, writing each one out). ``ReportMemo`` keeps the text of each
report a run wrote, under a key made of:

- the run key (``ClaimCache.run_key``): the cache format, auditor's code, spaCy, the lexicons,
  every active rule as configured, and every document's path and bytes, in run order; so the
  findings, and the file text a report quotes, are the same;
- what a report shows besides the findings: every rule as loaded (the metadata a SARIF report
  lists), the fingerprints of the ``--baseline``, and the format.

A run that finds the key of every report it is asked for writes the stored texts, byte for
byte what drawing them would give, and exits with the status their stored counts give. It
applies only to reports that depend on nothing else: not with ``--changed-since`` (which asks
git), not to the html report (it shows every claim), not to text in color (it depends on the
terminal). A run holds its results until it knows the key, so it looks only while every result
comes from the cache, and only in a run of at most ``MAX_RESULTS`` files; reports longer than ``MAX_TEXT`` in
all are not stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING

from .cache import digest_of, from_cache

if TYPE_CHECKING:
    from .docresult import DocumentResult
    from .runner import Auditor

MAX_RESULTS = 5_000  # results held while looking for the stored reports
MAX_TEXT = 16 * 1024 * 1024  # characters of a run's reports that are stored (held while they are written)
NOT_STORED = ("html",)  # formats that show more than the findings


class ReportMemo:
    """The stored reports of one ``auditor check`` (see the module docstring)."""

    def __init__(self, auditor: Auditor, formats: list[str], baseline: set[str] | None) -> None:
        assert auditor.cache is not None
        self.auditor = auditor
        self.cache = auditor.cache
        self.formats = list(dict.fromkeys(formats))
        h = hashlib.sha256()
        for rule in auditor.ruleset.rules:
            h.update(repr(rule).encode("utf-8", "surrogatepass") + b"\0")
        h.update(b"\1baseline\0" if baseline is not None else b"\1no baseline\0")
        for fingerprint in sorted(baseline or ()):
            h.update(fingerprint.encode("utf-8", "surrogatepass") + b"\0")
        self._shown = h.hexdigest()
        self._texts: dict[str, list[str]] | None = {fmt: [] for fmt in self.formats}
        self._writer: dict[str, int] = {}  # the target recorded for each format (the first that has it)
        self._size = 0

    @classmethod
    def for_check(cls, auditor: Auditor, targets: list[tuple[str, str | None]], color: bool,
                  changed: object, baseline: set[str] | None, files: int = 0) -> ReportMemo | None:
        """The memo of a check of ``files`` files writing ``targets`` ((format, file or None for
        stdout)), or None where stored reports do not apply."""
        if auditor.cache is None or auditor.cache.db is None or changed is not None or files > MAX_RESULTS:
            return None
        if any(fmt in NOT_STORED or (fmt == "text" and dest is None and color) for fmt, dest in targets):
            return None
        return cls(auditor, [fmt for fmt, _ in targets], baseline)

    def key(self, run_key: str, fmt: str) -> str:
        return hashlib.sha256(f"report\0{run_key}\0{self._shown}\0{fmt}".encode()).hexdigest()

    def look_up(self, results: Iterator[DocumentResult]) -> tuple[dict[str, tuple[str, dict[str, int]]] | None,
                                                                   Iterable[DocumentResult]]:
        """The stored (text, counts) of every format, if all are stored for these results; and
        the results, to be checked as usual when they are not (those read, then the rest)."""
        held: list[DocumentResult] = []
        for result in results:
            held.append(result)
            if not from_cache(result) or len(held) > MAX_RESULTS:
                return None, chain(held, results)
        run_key = self.cache.run_key([(r.path, digest_of(r)) for r in held])
        if run_key is None:
            return None, held
        found = {}
        for fmt in self.formats:
            stored = self.cache.stored_report(self.key(run_key, fmt))
            if stored is None:
                return None, held
            found[fmt] = stored
        if len({tuple(sorted(counts.items())) for _, counts in found.values()}) != 1:
            return None, held  # stored by different runs that disagree: draw them again
        return found, held

    def record(self, target: int, fmt: str, piece: str) -> None:
        """A piece of the report of ``fmt`` as it is written to target number ``target``."""
        if self._texts is None or self._writer.setdefault(fmt, target) != target:
            return
        self._size += len(piece)
        if self._size > MAX_TEXT:
            self._texts = None
            return
        self._texts[fmt].append(piece)

    def texts(self) -> dict[str, str] | None:
        """The whole text of each report recorded (None: not all were kept)."""
        if self._texts is None:
            return None
        return {fmt: "".join(pieces) for fmt, pieces in self._texts.items()}

    def store(self, counts: dict[str, int]) -> None:
        """Remember the reports recorded, under the key of the run just finished (if every
        document of it went through the cache)."""
        run_key = self.auditor.run_key
        if self._texts is None or run_key is None:
            return
        self.cache.store_reports([(self.key(run_key, fmt), "".join(pieces), counts)
                                  for fmt, pieces in self._texts.items()])
