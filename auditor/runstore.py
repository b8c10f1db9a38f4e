"""The findings and consistency claims of one run, kept on disk instead of in memory.

A run over many documents makes findings and claims faster than it can drop them: a finding
is kept until every document is checked (reports are in one stable order over all of them),
and a claim that a consistency rule groups is kept until every document is read. ``RunStore``
holds both in a temporary SQLite file of the run (never the claim cache), so that memory grows
with neither:

- ``add_findings`` spills findings as they are made, in the order the old in-memory list had
  (per-document findings in document order, then consistency findings, then suppression
  problems); ``add_claim`` spills a claim with the consistency groups it takes part in, and
  ``groups`` reads each group back, rule by rule, in the order of each group's first claim.
- ``finish`` applies the inline suppressions, puts the kept findings in report order (path,
  line, column, rule, ...; ties in the order they were made, as a stable sort does) and gives
  identical fingerprints their occurrence numbers; ``StoredFindings`` then reads them back in
  that order, as many times as the reports need.

Findings stay in a list in memory while a run has made at most ``memory_findings`` of them
(``MEMORY_FINDINGS``: those of a few hundred ordinary articles, some 7 MB); the first finding past
that moves them all to the file, and from then on they are spilled. Both ways give the same
findings in the same order with the same fingerprints (Python compares strings by code point,
as SQLite compares their UTF-8 bytes).

The file is made only when something is spilled, in the temporary directory and, where the
system allows it (POSIX), unlinked at once, so that even a killed run leaves nothing behind;
elsewhere ``close`` removes it (the CLI closes the store in a ``finally``; a store left open is
closed when garbage-collected or at exit).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import tempfile
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from .findings import Finding, fingerprint
from .suppress import Suppression, apply_suppressions

PREFIX = "auditor-run-"
MEMORY_FINDINGS = 2_000  # findings held in a list (about 3.6 KB each) before the store moves them to its file
_SCHEMA = """
CREATE TABLE finding (seq INTEGER PRIMARY KEY, path BLOB, line INTEGER, col INTEGER, rule BLOB,
                      end_line INTEGER, end_col INTEGER, message BLOB, severity TEXT, fingerprint TEXT,
                      suppressed INTEGER DEFAULT 0, data BLOB);
CREATE TABLE final (ord INTEGER PRIMARY KEY, severity TEXT, fingerprint TEXT, data BLOB);
CREATE TABLE claim (seq INTEGER PRIMARY KEY, data BLOB);
CREATE TABLE member (rule INTEGER, key TEXT, claim INTEGER);
"""
_ORDER = "path, line, col, rule, end_line, end_col, message, seq"  # Finding.sort_key, then the order made


def _text(value: str) -> bytes:
    """A string as bytes that SQLite compares in the order Python compares the string.

    UTF-8 keeps code-point order byte for byte; ``surrogatepass`` keeps it for the lone
    surrogates an undecodable file name carries.
    """
    return value.encode("utf-8", "surrogatepass")


def _close(db: sqlite3.Connection, path: str) -> None:
    with contextlib.suppress(sqlite3.Error):
        db.close()
    with contextlib.suppress(OSError):
        os.unlink(path)


class RunStore:
    """A run's findings and grouped claims, in memory while few and in a temporary SQLite file
    past that (see the module docstring)."""

    def __init__(self, directory: str | None = None, memory_findings: int | None = None) -> None:
        self.directory = directory
        self.memory_findings = MEMORY_FINDINGS if memory_findings is None else memory_findings
        self.path: str | None = None  # the file, once made
        self._db: sqlite3.Connection | None = None
        self._closer: weakref.finalize | None = None
        self._closed = False
        self._held: list[Finding] | None = []  # the findings, while they are in memory
        self._final: list[Finding] | None = None  # the kept findings in report order (held, after finish)
        self.findings = 0  # findings added
        self.claims = 0  # claims added (those that take part in a consistency group)

    @property
    def db(self) -> sqlite3.Connection:
        """The store's file, made when first needed."""
        if self._db is None:
            if self._closed:
                raise ValueError("the run's store is closed")
            fd, self.path = tempfile.mkstemp(prefix=PREFIX, suffix=".sqlite3", dir=self.directory)
            os.close(fd)
            try:
                db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            except sqlite3.Error:
                os.unlink(self.path)
                raise
            self._closer = weakref.finalize(self, _close, db, self.path)
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -8000", "temp_store = FILE"):
                db.execute(f"PRAGMA {pragma}")
            db.executescript(_SCHEMA)
            with contextlib.suppress(OSError):  # where an open file can go (POSIX), it goes now: a killed run leaves none
                os.unlink(self.path)
            db.execute("BEGIN")
            self._db = db
        return self._db

    # -- writing ---------------------------------------------------------------------
    def add_findings(self, findings: Iterable[Finding]) -> None:
        """Add findings, after those already added (spilled once more than ``memory_findings`` are made)."""
        if self._held is not None:
            before = len(self._held)
            self._held.extend(findings)
            self.findings += len(self._held) - before
            if len(self._held) > self.memory_findings:
                held, self._held = self._held, None
                self._spill_findings(held)
            return
        self.findings += self._spill_findings(findings)

    def _spill_findings(self, findings: Iterable[Finding]) -> int:
        rows = [(_text(f.path), f.line, f.column, _text(f.rule), f.end_line, f.end_column, _text(f.message),
                 f.severity, f.fingerprint, pickle.dumps(f, pickle.HIGHEST_PROTOCOL)) for f in findings]
        if rows:
            self.db.executemany("INSERT INTO finding (path, line, col, rule, end_line, end_col, message, severity, "
                                "fingerprint, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def add_claim(self, claim: Any, groups: Iterable[tuple[int, tuple]]) -> None:
        """Spill a claim with the ``(rule number, group key)`` of each group it takes part in
        (``ConsistencyChecker.group_keys``); a claim of no group is not kept."""
        members = list(groups)
        if not members:
            return
        self.claims += 1
        seq = self.claims
        db = self.db
        db.execute("INSERT INTO claim (seq, data) VALUES (?, ?)", (seq, pickle.dumps(claim, pickle.HIGHEST_PROTOCOL)))
        db.executemany("INSERT INTO member (rule, key, claim) VALUES (?, ?, ?)",
                             [(number, repr(key), seq) for number, key in members])

    # -- consistency -----------------------------------------------------------------
    def groups(self) -> Iterator[tuple[int, list[Any]]]:
        """``(rule number, claims)`` of every group: rules in order, inside a rule the groups in
        the order of their first claim, the claims of a group in the order they were added."""
        if not self.claims:
            return
        db = self.db
        db.execute("CREATE INDEX member_group ON member (rule, key, claim)")
        keys = db.execute("SELECT rule, key, MIN(claim) AS first FROM member GROUP BY rule, key "
                          "ORDER BY rule, first").fetchall()
        for number, key, _first in keys:
            rows = db.execute("SELECT c.data FROM member m JOIN claim c ON c.seq = m.claim "
                              "WHERE m.rule = ? AND m.key = ? ORDER BY m.claim", (number, key))
            yield number, [pickle.loads(data) for (data,) in rows]

    # -- finishing -------------------------------------------------------------------
    def finish(self, suppressions: list[Suppression]) -> tuple[StoredFindings, list[Finding]]:
        """Apply ``suppressions``, put the kept findings in report order and give identical
        fingerprints (the same text twice in a file) an occurrence number: the kept findings
        and the suppressed ones (in the order they were made)."""
        if self._held is not None:
            return self._finish_held(suppressions)
        db = self.db
        suppressed: list[Finding] = []
        if suppressions:
            paths = {_text(s.path) for s in suppressions}
            seqs = [seq for seq, path in db.execute("SELECT seq, path FROM finding ORDER BY seq") if path in paths]
            candidates = [pickle.loads(db.execute("SELECT data FROM finding WHERE seq = ?", (seq,)).fetchone()[0])
                          for seq in seqs]
            _kept, suppressed, problems = apply_suppressions(candidates, suppressions)
            silenced = {id(f) for f in suppressed}
            db.executemany("UPDATE finding SET suppressed = 1 WHERE seq = ?",
                           [(seq,) for seq, f in zip(seqs, candidates, strict=True) if id(f) in silenced])
            self.add_findings(problems)
        db.execute("INSERT INTO final (severity, fingerprint, data) SELECT severity, fingerprint, data FROM finding "
                   f"WHERE suppressed = 0 ORDER BY {_ORDER}")
        twice = [fp for (fp,) in db.execute("SELECT fingerprint FROM final GROUP BY fingerprint HAVING COUNT(*) > 1")]
        if twice:
            db.execute("CREATE INDEX final_print ON final (fingerprint, ord)")
            seen: Counter[str] = Counter()
            updates = []
            for fp in twice:
                for ord_, data in db.execute("SELECT ord, data FROM final WHERE fingerprint = ? ORDER BY ord", (fp,)):
                    k = seen[fp]
                    seen[fp] += 1
                    if k:
                        f = pickle.loads(data)
                        f.fingerprint = fingerprint(f.rule, f.path, f.fingerprint, k)
                        updates.append((f.fingerprint, pickle.dumps(f, pickle.HIGHEST_PROTOCOL), ord_))
            db.executemany("UPDATE final SET fingerprint = ?, data = ? WHERE ord = ?", updates)
        counts = {"error": 0, "warning": 0, "info": 0}
        total = 0
        for severity, n in db.execute("SELECT severity, COUNT(*) FROM final GROUP BY severity"):
            counts[severity] = n
            total += n
        db.execute("COMMIT")
        db.execute("DROP TABLE claim")
        db.execute("DROP TABLE member")
        return StoredFindings(self, total, counts), suppressed

    def _finish_held(self, suppressions: list[Suppression]) -> tuple[StoredFindings, list[Finding]]:
        """``finish`` on the findings held in memory: what the file's tables do, with a stable sort."""
        held = self._held
        assert held is not None
        suppressed: list[Finding] = []
        # findings that change are copied first: the caller's objects stay as they were added,
        # as they do when the file holds copies
        if suppressions:
            paths = {s.path for s in suppressions}
            places = [i for i, f in enumerate(held) if f.path in paths]
            candidates = [replace(held[i]) for i in places]
            _kept, suppressed, problems = apply_suppressions(candidates, suppressions)
            silenced = {id(f) for f in suppressed}
            gone = {i for i, f in zip(places, candidates, strict=True) if id(f) in silenced}
            held = [f for i, f in enumerate(held) if i not in gone]
            held.extend(problems)
            self.findings += len(problems)
        final = sorted(held, key=Finding.sort_key)
        seen: Counter[str] = Counter(f.fingerprint for f in final)
        twice = {fp for fp, n in seen.items() if n > 1}
        if twice:
            seen.clear()
            for i, f in enumerate(final):
                if f.fingerprint in twice:
                    k = seen[f.fingerprint]
                    seen[f.fingerprint] += 1
                    if k:
                        final[i] = replace(f, fingerprint=fingerprint(f.rule, f.path, f.fingerprint, k))
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in final:
            counts[f.severity] += 1
        self._held, self._final = None, final
        return StoredFindings(self, len(final), counts), suppressed

    def read(self) -> Iterator[Finding]:
        """The kept findings in report order (after ``finish``)."""
        if self._final is not None:
            if self._closed:
                raise ValueError("the run's store is closed")
            yield from self._final
            return
        cursor = self.db.execute("SELECT data FROM final ORDER BY ord")
        while True:
            rows = cursor.fetchmany(256)
            if not rows:
                return
            for (data,) in rows:
                yield pickle.loads(data)

    def close(self) -> None:
        """Remove the file, if made (the store cannot be read afterwards)."""
        self._closed = True
        self._held = self._final = None
        if self._closer is not None:
            self._closer()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class StoredFindings:
    """The kept findings of a run, read back from its ``RunStore`` in report order.

    Iterable any number of times; ``len`` and ``by_severity`` are known without reading.
    ``where`` gives the findings a predicate keeps (``--changed-since``, ``--baseline``).
    """

    ordered = True  # already in the stable order of FINDINGS.md

    def __init__(self, store: RunStore, count: int | None, counts: dict[str, int] | None,
                 keep: Callable[[Finding], bool] | None = None) -> None:
        self.store = store
        self._count = count
        self._counts = counts
        self._keep = keep

    def __iter__(self) -> Iterator[Finding]:
        if self._keep is None:
            return self.store.read()
        return (f for f in self.store.read() if self._keep(f))

    def _tally(self) -> None:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self:
            counts[f.severity] += 1
        self._counts, self._count = counts, sum(counts.values())

    def __len__(self) -> int:
        if self._count is None:
            self._tally()
        assert self._count is not None
        return self._count

    def __bool__(self) -> bool:
        return len(self) > 0

    def by_severity(self) -> dict[str, int]:
        if self._counts is None:
            self._tally()
        assert self._counts is not None
        return dict(self._counts)

    def where(self, keep: Callable[[Finding], bool]) -> StoredFindings:
        """The findings that ``keep`` keeps (counted when first asked)."""
        if self._keep is None:
            return StoredFindings(self.store, None, None, keep)
        first = self._keep
        return StoredFindings(self.store, None, None, lambda f: first(f) and keep(f))
