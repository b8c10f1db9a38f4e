"""The claim cache: the ``DocumentResult`` of each file, in an embedded SQLite database.

A re-run parses only the files that changed. An entry is found by the file's path and
looked up under two keys:

- ``digest``: the SHA-256 of the file's bytes;
- ``env``: what else the result depends on (``environment_key``): the cache format, the
  auditor version and a hash of the code that reads files and extracts claims, the versions
  of Python and of the libraries that do (spaCy, markdown-it-py, PyYAML, numpy, google-re2:
  ``library_versions``), every lexicon file read (paths and contents, in order), and the
  phrases and token patterns of the active ``require``/``forbid`` rules.

So an unchanged article is never parsed again, and a change to the code, a lexicon or a
require/forbid rule makes every entry miss. Other rules (limit, expect, cite, consistency)
run on the cached claims in the finishing step, so changing them re-parses nothing.

The finishing step is remembered too, under ``findings_key`` (a hash of all of auditor's
code and of every active rule as configured: types, selectors, values, messages,
severities, which are enabled):

- per file, the findings of the per-document rules (``findings`` table), found by the
  file's entry (path, bytes, ``env``) and that key;
- per run, the consistency findings (``runs`` table), found by a hash of ``env``, that key
  and every document's path and bytes in run order;
- per run and report format, the text of the report (``reports`` table), found by that run
  key and what else the report shows (``auditor.stored_reports``).

So an unchanged corpus is neither parsed nor checked again (nor are its reports drawn
again); a changed article re-checks
that article and the consistency step; a change to a rule or to the config re-checks
every document (and re-parses none unless it is a require/forbid phrase).

A file is known by its digest without being read when its stat (device, inode, size, mtime and
ctime in nanoseconds) is the one remembered with that digest (``stats`` table, as git's index
does) and the row is trusted: the file's mtime and ctime are both earlier than the moment its
bytes were read minus ``STAT_MARGIN_NS`` (2 s). A write changes the ctime (which no program can
set back), so a later write is always seen; the margin covers a write in the same clock tick as
the read (file times are coarser than the clock on most file systems) and small clock
differences, so a file written just before it was read is read and hashed again each run until
an entry of it is stored once more. Rows are written with the results and findings, never alone
(a warm run writes nothing). A file over ``ingest.stream.STREAM_BYTES`` is hashed a chunk at a
time, never held whole, and parsed from disk; its result is stored only when every pass the
parser made over the file read bytes of that digest.

A result with more than ``PART_CLAIMS`` claims is stored a part of ``PART_CLAIMS`` claims at a
time (``parts`` table, written in the result's transaction, so a half-written entry is never
seen). Read back, a result of more than ``claims.SPOOL_CLAIMS`` claims gets a ``ClaimSpool``
holding the parts' JSON in a temporary file, decoded a part at a time on each iteration: neither
writing nor reading such a result holds all its claims at once.

The database lives in ``.auditor-cache/claims.sqlite3``, by default beside the config file
or in the working directory. It runs in WAL mode and every write is one transaction, so
runs sharing a cache at once are safe. A file that is not a readable cache of this format
(corrupt, or written by another version of auditor) is set aside and rebuilt, with one
warning line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, replace
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, config_search
from .claims import Claim, ClaimSpool, Range
from .config_search import CACHE_DIRNAME
from .docresult import DocumentResult, Mention, PhraseMatch
from .findings import Finding, Related
from .suppress import Suppression

if TYPE_CHECKING:
    from .runner import Auditor

SCHEMA = "5"  # the layout of the database and of a stored result
DIRNAME = CACHE_DIRNAME
FILENAME = "claims.sqlite3"
KEEP_ENVIRONMENTS = 4  # entries of older environments (other code, lexicons, rules) are dropped
KEEP_RUNS = 8  # consistency findings of the runs used most lately
KEEP_REPORTS = 16  # reports (one per format) of the runs stored last
LOOKUP_BATCH = 16  # files looked up in one statement (no more than a chunk of files sent to a worker)
STAT_MARGIN_NS = 2_000_000_000  # a stat row is trusted when the file's mtime and ctime are this much older than its read
PART_CLAIMS = 1_000  # claims per stored part: a result with more is written and read back a part at a time
HASH_BYTES = 1 << 20  # read at a time when a long file is hashed
PACKAGE = Path(__file__).resolve().parent
# Modules that only run after the per-document step (on cached results) do not key the cache.
NOT_EXTRACTION = ("reports/", "cli.py", "baseline.py", "compare.py", "consistency.py", "runstore.py", "engine/ruletest.py")

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS envs (env TEXT PRIMARY KEY, used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS loaded (kind TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS results (
    env TEXT NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL,
    head BLOB NOT NULL, data BLOB NOT NULL, matches BLOB NOT NULL, explain BLOB NOT NULL,
    PRIMARY KEY (env, path)
);
CREATE TABLE IF NOT EXISTS findings (
    env TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (env, path)
);
CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, used REAL NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS reports (key TEXT PRIMARY KEY, used REAL NOT NULL, counts TEXT NOT NULL, text BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS parts (
    env TEXT NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL, n INTEGER NOT NULL,
    data BLOB NOT NULL, explain BLOB NOT NULL,
    PRIMARY KEY (env, path, n)
);
CREATE TABLE IF NOT EXISTS stats (path TEXT PRIMARY KEY, stat TEXT NOT NULL, read_ns INTEGER NOT NULL, digest TEXT NOT NULL);
"""


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _code_files(package: Path) -> list[tuple[str, str]]:
    """(path relative to the package, in POSIX form; path) of every module, schema and the
    pipeline config, in the order of ``Path`` sorting (which compares paths part by part)."""
    found: list[tuple[tuple[str, ...], str]] = []
    top = str(package)
    for folder, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        parts = tuple(Path(folder).relative_to(top).parts)
        for name in names:
            if name.endswith(".py") or (parts == ("schema",) and name.endswith(".json")) or \
                    (parts == ("pipeline",) and name == "config.cfg"):
                found.append(((*parts, name), os.path.join(folder, name)))
    found.sort()
    return [("/".join(parts), path) for parts, path in found]


def file_digest(path: str) -> str:
    """``content_digest`` of the file's bytes, read ``HASH_BYTES`` at a time (``OSError`` as ``open``)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_BYTES):
            h.update(chunk)
    return h.hexdigest()


def stat_key(st: os.stat_result) -> str:
    """What the ``stats`` table compares: device, inode, size, mtime and ctime (nanoseconds)."""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def trusted(st: os.stat_result, read_ns: int) -> bool:
    """Whether a file of this stat, read at ``read_ns`` (``time.time_ns``, taken before the stat),
    cannot have been written since without its stat changing (see the module docstring)."""
    return max(st.st_mtime_ns, st.st_ctime_ns) < read_ns - STAT_MARGIN_NS


@lru_cache(maxsize=4)
def _code_version(package: Path) -> tuple[str, str]:
    """(hash of the extraction code, hash of all the code), read in one pass."""
    extraction, everything = hashlib.sha256(), hashlib.sha256()
    for rel, path in _code_files(package):
        with open(path, "rb") as f:
            data = rel.encode() + b"\0" + f.read() + b"\0"
        everything.update(data)
        if not rel.startswith(NOT_EXTRACTION):
            extraction.update(data)
    return extraction.hexdigest(), everything.hexdigest()


def code_version() -> str:
    """A hash of the source of the modules that read files and extract claims (and of the schemas)."""
    return _code_version(PACKAGE)[0]


def all_code_version() -> str:
    """A hash of the source of every module (the findings depend on the rule checks and consistency too)."""
    return _code_version(PACKAGE)[1]


# The libraries whose versions shape what is stored: (module, distribution). Those that read
# files and extract claims key the results; the one that lays out the text report keys findings.
EXTRACTION_LIBRARIES = (("spacy", "spacy"), ("markdown_it", "markdown-it-py"), ("yaml", "PyYAML"),
                        ("numpy", "numpy"), ("re2", "google-re2"))
REPORT_LIBRARIES = (("rich", "rich"),)


def library_versions(libraries: tuple[tuple[str, str], ...]) -> str:
    """``name=version`` of each library, read from the ``*.dist-info`` folder beside its package
    without importing it (or ``importlib.metadata``, which alone takes longer than a warm run);
    ``name=unknown`` when not found there. Also the Python version."""
    import importlib.util
    import re

    out = [f"python={sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}:{sys.implementation.name}"]
    listed: dict[str, list[str]] = {}
    for module, dist in libraries:
        version = "unknown"
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        origin = spec and (spec.origin or next(iter(spec.submodule_search_locations or ()), None))
        if origin:
            folder = os.path.dirname(os.path.dirname(origin) if spec.submodule_search_locations else origin)
            if folder not in listed:
                try:
                    listed[folder] = os.listdir(folder)
                except OSError:
                    listed[folder] = []
            wanted = re.sub(r"[-_.]+", "_", dist).lower()
            for name in listed[folder]:
                if name.endswith(".dist-info"):
                    found, _, rest = name[:-len(".dist-info")].partition("-")
                    if re.sub(r"[-_.]+", "_", found).lower() == wanted:
                        version = rest
                        break
        out.append(f"{dist}={version}")
    return " ".join(out)


def environment_key(auditor: Auditor) -> str:
    """The ``env`` key of an Auditor's results (see the module docstring)."""
    h = hashlib.sha256()
    for part in (SCHEMA, __version__, code_version(), library_versions(EXTRACTION_LIBRARIES)):
        h.update(part.encode() + b"\0")
    for source in auditor.lexicon.sources:
        h.update(source.encode() + b"\0")
        try:
            h.update(Path(source).read_bytes() + b"\0")
        except OSError:
            h.update(b"unreadable\0")
    phrases = [[r.id, r.type, r.phrases] for r in auditor.ruleset.active() if r.type in ("require", "forbid")]
    h.update(json.dumps(phrases, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()


def findings_key(auditor: Auditor) -> str:
    """What the findings of cached claims depend on besides the claims: all of the code, the
    library that lays out the text report (rich), and every active rule as configured (its
    ``repr`` holds every field: selector, reference, message, severity, source...), in order."""
    h = hashlib.sha256()
    for part in (SCHEMA, __version__, all_code_version(), library_versions(REPORT_LIBRARIES)):
        h.update(part.encode() + b"\0")
    for rule in auditor.ruleset.active():
        h.update(repr(rule).encode() + b"\0")
    return h.hexdigest()


def default_cache_dir(config_path: str | None) -> Path:
    """``.auditor-cache`` beside the config file, or in the working directory (``config_search``)."""
    return Path(config_search.default_cache_dir(config_path))


class ClaimCache:
    """Per-file results of one environment; ``hits`` and ``misses`` count lookups.

    ``env`` may be given later (``set_env``): the rules and lexicons it depends on are read
    through ``memo`` first, so that unchanged ones are not parsed and validated again.
    """

    def __init__(self, directory: Path, env: str | None, warn: Callable[[str], None], rules: str | None = None) -> None:
        self.directory = Path(directory)
        self.path = self.directory / FILENAME
        self.env = env
        self.rules = rules  # findings_key: without it, findings are neither read nor stored
        self.warn = warn
        self.hits = 0
        self.misses = 0
        self.findings_hits = 0  # documents whose per-document findings came from the cache
        self.run_hits = 0  # runs whose consistency findings came from the cache
        self.db: sqlite3.Connection | None = None
        self._warned = False
        self._pending: list[tuple[str, str, str, str]] = []  # findings rows not yet written
        self._stats: dict[str, tuple[str, int, str]] = {}  # path -> stats row not yet written (with the next write)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# auditor's claim cache; safe to delete\n*\n", encoding="utf-8")
        except OSError as exc:
            self._disable(f"cannot create {self.directory}: {exc.strerror or exc}")
            return
        for attempt in range(5):
            try:
                self._open()
                break
            except _OtherVersion as exc:
                self._rebuild(str(exc))
                break
            except sqlite3.OperationalError as exc:  # locked or busy: another run is creating it
                self._close()
                self.db = None
                if attempt == 4:
                    self._disable(f"the claim cache cannot be opened ({exc})")
                else:
                    time.sleep(0.2 * (attempt + 1))
            except sqlite3.DatabaseError as exc:  # not a database, or corrupt
                self._rebuild(str(exc))
                break

    # -- opening -----------------------------------------------------------------------
    def _open(self) -> None:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.db = db
        db.execute("PRAGMA busy_timeout = 60000")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()
        db.execute("PRAGMA synchronous = NORMAL")
        with self._transaction():
            for statement in _TABLES.split(";"):
                if statement.strip():
                    db.execute(statement)
            found = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not found:
                db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA), ("version", __version__)])
            elif found.get("schema") != SCHEMA or found.get("version") != __version__:
                raise _OtherVersion(f"written by auditor {found.get('version', '?')} (cache format {found.get('schema', '?')})")
        if mode is None:
            raise sqlite3.DatabaseError("no journal mode")
        if self.env is not None:
            self._register()

    def set_env(self, env: str, rules: str | None = None) -> None:
        """The environment key of this run's results (``environment_key``), and the key of
        their findings (``findings_key``; None: findings are not cached)."""
        self.env = env
        self.rules = rules
        if self.db is not None:
            try:
                self._register()
            except sqlite3.DatabaseError as exc:
                self._failed(exc)

    def _register(self) -> None:
        """Mark this environment used; drop the results of environments not used lately.

        Nothing is written when it is the one used last already (the order is the same): a
        warm run then writes nothing to the database.
        """
        db = self.db
        last = db.execute("SELECT env FROM envs ORDER BY used DESC LIMIT 1").fetchone()
        if last is not None and last[0] == self.env:
            return
        with self._transaction():
            db.execute("INSERT OR REPLACE INTO envs VALUES (?, ?)", (self.env, time.time()))
            old = [row[0] for row in db.execute("SELECT env FROM envs ORDER BY used DESC").fetchall()[KEEP_ENVIRONMENTS:]]
            for env in old:
                db.execute("DELETE FROM results WHERE env = ?", (env,))
                db.execute("DELETE FROM parts WHERE env = ?", (env,))
                db.execute("DELETE FROM findings WHERE env = ?", (env,))
                db.execute("DELETE FROM envs WHERE env = ?", (env,))
            if old:
                db.execute("DELETE FROM stats WHERE path NOT IN (SELECT path FROM results)")

    @property
    def memo(self) -> _LoadMemo:
        """Rule packs and lexicons read before, by their bytes (see ``yamlio.Memo``)."""
        return _LoadMemo(self)

    def _transaction(self):
        return _Transaction(self.db)

    def _rebuild(self, why: str) -> None:
        """Set the unreadable database aside and start an empty one; one warning line."""
        self._close()
        self.warn(f"{self.path}: the claim cache is unusable ({why}); rebuilding it")
        self._warned = True
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.replace(f"{self.path}{suffix}", f"{self.path}{suffix}.bad")
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self._close()
            self.db = None
            self.warn(f"{self.path}: the claim cache cannot be rebuilt ({exc}); running without it")

    def _disable(self, why: str) -> None:
        self._close()
        self.db = None
        if not self._warned:
            self.warn(f"{self.path}: {why}; running without the claim cache")
            self._warned = True

    def _close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()

    def close(self) -> None:
        self.flush()
        self._close()
        self.db = None

    # -- digests by stat -----------------------------------------------------------------
    def known_digests(self, stats: dict[str, os.stat_result]) -> dict[str, str]:
        """The digest of each file whose stat is that of a trusted ``stats`` row (path -> digest),
        in one statement per batch: these files need not be read (see the module docstring)."""
        known: dict[str, str] = {}
        if self.db is None or not stats:
            return known
        paths = list(stats)
        try:
            for start in range(0, len(paths), LOOKUP_BATCH):
                part = paths[start:start + LOOKUP_BATCH]
                for path, key, read_ns, digest in self.db.execute(
                        f"SELECT path, stat, read_ns, digest FROM stats WHERE path IN ({','.join('?' * len(part))})", part):
                    st = stats.get(path)
                    if st is not None and key == stat_key(st) and trusted(st, read_ns):
                        known[path] = digest
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
            return {}
        return known

    def note_digest(self, path: str, st: os.stat_result, read_ns: int, digest: str) -> None:
        """Remember that the file of stat ``st``, read from ``read_ns`` on (taken before the stat),
        has this digest: written with the next results or findings, and only when the row can be
        trusted (``trusted``; a file written just before it was read is hashed again next time)."""
        if self.db is not None and trusted(st, read_ns):
            self._stats[path] = (stat_key(st), read_ns, digest)

    # -- lookups -----------------------------------------------------------------------
    def get(self, path: str, digest: str) -> DocumentResult | None:
        """The stored result of ``path`` with these bytes in this environment, or None."""
        return self.get_many([(path, digest)])[0]

    def get_many(self, items: list[tuple[str, str]], explain: bool = True,
                 parse_again: Callable[[str], DocumentResult | str] | None = None) -> list[DocumentResult | None]:
        """The stored result (or None) of each (path, digest), in one statement per batch.

        A result found carries its digest, and its findings when they were stored under this
        run's ``findings_key`` (see ``digest_of``, ``stored_findings``); its phrase matches and
        drug mentions are read when first used. ``explain`` False: claims come without
        ``explain`` (which is then not read).

        ``parse_again`` given: a result whose findings are stored reads its claims, matches and
        mentions from the database only when first used (``claim_count`` is known without
        them; a run whose consistency findings are stored too never reads them). If they then
        do not read back, they are those of the file parsed again by ``parse_again`` (which
        gives its result, or the warning of a file that cannot be used), with one warning line.
        Otherwise the claims are read now, and an entry that does not read back is a miss.
        """
        rows: dict[str, tuple] = {}
        if self.db is not None and self.env is not None and items:
            later = parse_again is not None and self.rules is not None
            stored = "f.key = r.digest || ':' || ?"  # this result's findings are stored
            columns = [f"CASE WHEN {stored} THEN NULL ELSE r.{c} END" if later else f"r.{c}" for c in ("data", "matches")]
            columns.append(("NULL" if not explain else f"CASE WHEN {stored} THEN NULL ELSE r.explain END") if later
                           else ("r.explain" if explain else "NULL"))
            keys = (self.rules,) * (3 if explain else 2) if later else ()
            try:
                for start in range(0, len(items), LOOKUP_BATCH):
                    paths = list(dict.fromkeys(path for path, _ in items[start:start + LOOKUP_BATCH]))
                    marks = ",".join("?" * len(paths))
                    rows.update((row[0], row) for row in self.db.execute(
                        f"SELECT r.path, r.digest, r.head, {', '.join(columns)}, f.key, f.data FROM results r "
                        "LEFT JOIN findings f ON f.env = r.env AND f.path = r.path "
                        f"WHERE r.env = ? AND r.path IN ({marks})", (*keys, self.env, *paths)))
            except sqlite3.DatabaseError as exc:
                self._failed(exc)
                rows = {}
        out: list[DocumentResult | None] = []
        for path, digest in items:
            row = rows.get(path)
            found = None
            stored = None
            if row is not None and row[1] == digest:
                stored = row[7] if self.rules is not None and row[6] == f"{digest}:{self.rules}" else None
                source = (self, digest, explain, parse_again) if stored is not None and parse_again is not None else None
                try:
                    found = decode_result(row[2], row[3], row[4], row[5], source,
                                          reader=lambda count, parts, p=path, d=digest: self._read_parts(p, d, explain, count, parts))
                    if stored is None:
                        found.matches  # noqa: B018  (the rules will need them: read now, while a bad entry is a miss)
                except (ValueError, KeyError, TypeError, IndexError):
                    found = None  # an entry that does not read back is parsed again and replaced
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                _mark(found, digest, stored)
            out.append(found)
        return out

    def _columns(self, path: str, digest: str, columns: str) -> tuple:
        """Columns of the stored result of ``path`` with these bytes (``ValueError``: not there, or
        not readable)."""
        row = self._row(f"SELECT {columns} FROM results WHERE env = ? AND path = ? AND digest = ?", self.env, path, digest)
        if row is None:
            raise ValueError("the entry is no longer in the cache")
        return row

    def _read_parts(self, path: str, digest: str, explain: bool, count: int, parts: int) -> list[Claim] | ClaimSpool:
        """The claims of a result stored in ``parts`` parts, read a part at a time in one statement
        (so from one state of the database): a list, or past ``claims.SPOOL_CLAIMS`` claims a
        ``_StoredClaims`` (``ValueError``: they do not read back)."""
        from . import claims as claims_module

        held: list[Claim] | None = [] if count <= claims_module.SPOOL_CLAIMS else None
        stored = _StoredClaims() if held is None else None
        seen = 0
        try:
            if self.db is None:
                raise ValueError("the claim cache is closed")
            rows = self.db.execute(f"SELECT n, data, {'explain' if explain else 'NULL'} FROM parts "
                                   "WHERE env = ? AND path = ? AND digest = ? ORDER BY n", (self.env, path, digest))
            for n, data, explains in rows:
                if n != seen:
                    raise ValueError("a part of the claims is missing")
                if held is not None:
                    held.extend(decode_claims(data, explains, None))
                else:
                    stored.add(data, explains)
                seen += 1
        except sqlite3.DatabaseError as exc:
            if stored is not None:
                stored.close()
            self._failed(exc)
            raise ValueError("the entry is no longer in the cache") from None
        except BaseException:
            if stored is not None:
                stored.close()
            raise
        found = held if held is not None else stored
        if seen != parts or len(found) != count:
            if stored is not None:
                stored.close()
            raise ValueError("claims of another result")
        return found

    def _parse_again(self, result: DocumentResult, parse_again: Callable[[str], DocumentResult | str]) -> DocumentResult:
        """The file of a result whose stored parts do not read back, parsed again (one warning line)."""
        self.warn(f"{result.path}: its entry in the claim cache does not read back; parsing the file again")
        self.hits -= 1
        self.misses += 1
        fresh = parse_again(result.path)
        if isinstance(fresh, str):
            self.warn(fresh)
            return DocumentResult(result.path)
        return fresh

    def put(self, entries: Iterable[tuple[str, DocumentResult]]) -> None:
        """Store (digest, result) pairs in one transaction (with the findings waiting to be written).

        A result of more than ``PART_CLAIMS`` claims (a ``ClaimSpool`` of a long file, say) is
        written a part at a time (``_put_parts``), never encoded whole."""
        if self.db is None or self.env is None:
            return
        rows, large = [], []
        for digest, r in entries:
            _mark(r, digest, None)
            if r.claim_count() > PART_CLAIMS:
                large.append((digest, r))
            else:
                rows.append((self.env, r.path, digest, *encode_result(r)))
        if not rows and not large:
            return
        try:
            with self._transaction():
                self.db.executemany("DELETE FROM parts WHERE env = ? AND path = ?", [row[:2] for row in rows])
                self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                for digest, r in large:
                    self._put_parts(digest, r)
                self._write_pending()
        except sqlite3.DatabaseError as exc:
            self._failed(exc)

    def _put_parts(self, digest: str, result: DocumentResult) -> None:
        """Write a result's claims ``PART_CLAIMS`` at a time to ``parts``, then its row (in the
        caller's transaction)."""
        db, env = self.db, self.env
        db.execute("DELETE FROM parts WHERE env = ? AND path = ?", (env, result.path))
        claims = iter(result.claims)  # a spool reads its file a batch at a time
        count = parts = 0
        while part := list(islice(claims, PART_CLAIMS)):
            db.execute("INSERT INTO parts VALUES (?, ?, ?, ?, ?, ?)", (env, result.path, digest, parts, *encode_claims(part)))
            count += len(part)
            parts += 1
        head, _, matches, _ = encode_result(replace(result, claims=[]), count=count, parts=parts)
        db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)", (env, result.path, digest, head, "[]", matches, "[]"))

    # -- findings ----------------------------------------------------------------------
    def stored_findings(self, result: DocumentResult) -> list[Finding] | None:
        """The per-document findings stored for this result under this run's rules, or None.

        Every call gives new Finding objects (the run numbers fingerprints in place).
        """
        mark = getattr(result, _MARK, None)
        if mark is None or mark[1] is None:
            return None
        try:
            found = decode_findings(mark[1])
        except (ValueError, KeyError, TypeError, IndexError):
            return None  # computed again and replaced
        self.findings_hits += 1
        return found

    def store_findings(self, result: DocumentResult, findings: list[Finding]) -> None:
        """Remember the per-document findings of a result found in or written to the cache
        (written with the next results, or by ``flush``)."""
        digest = digest_of(result)
        if digest is None or self.rules is None or self.env is None or self.db is None:
            return
        data = encode_findings(findings)
        self._pending.append((self.env, result.path, f"{digest}:{self.rules}", data))
        _mark(result, digest, data)
        if len(self._pending) >= 4 * LOOKUP_BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the findings waiting to be written."""
        if not self._pending or self.db is None:
            self._pending = []
            return
        try:
            with self._transaction():
                self._write_pending()
        except sqlite3.DatabaseError as exc:
            self._pending = []
            self._failed(exc)

    def _write_pending(self) -> None:
        if self._pending:
            self.db.executemany("INSERT OR REPLACE INTO findings VALUES (?, ?, ?, ?)", self._pending)
            self._pending = []
        if self._stats:
            self.db.executemany("INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?)",
                                [(path, *row) for path, row in self._stats.items()])
            self._stats = {}

    def run_key(self, results: list[tuple[str, str | None]]) -> str | None:
        """The key of a run's consistency findings: every document's (path, digest) in run order
        (None when one of them did not go through the cache)."""
        if self.env is None or self.rules is None or any(digest is None for _, digest in results):
            return None
        h = hashlib.sha256(f"{self.env}\0{self.rules}\0".encode())
        for path, digest in results:
            h.update(f"{path}\0{digest}\0".encode())
        return h.hexdigest()

    def _row(self, sql: str, *args: object) -> tuple | None:
        """The first row of a query, or None: no row, no database, or a database error (which
        ``_failed`` deals with)."""
        if self.db is None:
            return None
        try:
            return self.db.execute(sql, args).fetchone()
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
            return None

    def run_findings(self, key: str) -> list[Finding] | None:
        """The consistency findings stored under ``key`` (new objects each time), or None."""
        row = self._row("SELECT data FROM runs WHERE key = ?", key)
        if row is None:
            return None
        try:
            found = decode_findings(row[0])
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        self.run_hits += 1
        return found

    def store_run(self, key: str, findings: list[Finding]) -> None:
        """Remember a run's consistency findings (with the findings waiting to be written);
        keep those of the ``KEEP_RUNS`` runs stored last."""
        if self.db is None:
            return
        data = encode_findings(findings)
        try:
            with self._transaction():
                self._write_pending()
                self.db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?)", (key, time.time(), data))
                self.db.execute("DELETE FROM runs WHERE key NOT IN (SELECT key FROM runs ORDER BY used DESC LIMIT ?)",
                                (KEEP_RUNS,))
        except sqlite3.DatabaseError as exc:
            self._pending = []
            self._failed(exc)

    def stored_report(self, key: str) -> tuple[str, dict[str, int]] | None:
        """The text of a report stored under ``key`` (``auditor.stored_reports``) and the counts
        of its findings by severity, or None."""
        row = self._row("SELECT text, counts FROM reports WHERE key = ?", key)
        if row is None:
            return None
        try:
            text, counts = row[0].decode("utf-8", "surrogatepass"), json.loads(row[1])
            if not (isinstance(counts, dict) and all(isinstance(n, int) for n in counts.values())):
                return None
        except (ValueError, TypeError, AttributeError):
            return None
        return text, counts

    def store_reports(self, reports: list[tuple[str, str, dict[str, int]]]) -> None:
        """Remember reports, each (key, text, counts by severity), in one transaction; keep
        the ``KEEP_REPORTS`` stored last."""
        if self.db is None or not reports:
            return
        rows = [(key, time.time(), json.dumps(counts, sort_keys=True), text.encode("utf-8", "surrogatepass"))
                for key, text, counts in reports]
        try:
            with self._transaction():
                self.db.executemany("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?)", rows)
                self.db.execute("DELETE FROM reports WHERE key NOT IN "
                                "(SELECT key FROM reports ORDER BY used DESC LIMIT ?)", (KEEP_REPORTS,))
        except sqlite3.DatabaseError as exc:
            self._failed(exc)

    def _failed(self, exc: sqlite3.DatabaseError) -> None:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            self._disable(f"the claim cache stayed locked ({exc})")
        elif self._warned:
            self._disable(str(exc))
        else:
            self._rebuild(str(exc))


class _LoadMemo:
    """What the rule loader and the lexicon read from YAML files, kept in the cache's ``loaded`` table."""

    def __init__(self, cache: ClaimCache) -> None:
        self.cache = cache

    def key(self, path: str | Path) -> str | None:
        from .yamlio import MAX_BYTES

        try:
            if os.stat(path).st_size > MAX_BYTES:
                return None  # not remembered: load_yaml refuses it without reading it
            data = Path(path).read_bytes()
        except OSError:
            return None
        return f"{content_digest(data)}:{code_version()}"

    def get(self, kind: str, key: str) -> object:
        db = self.cache.db
        if db is None:
            return None
        try:
            row = db.execute("SELECT data FROM loaded WHERE kind = ? AND key = ?", (kind, key)).fetchone()
            return None if row is None else json.loads(row[0])
        except (sqlite3.DatabaseError, ValueError) as exc:
            if isinstance(exc, sqlite3.DatabaseError):
                self.cache._failed(exc)
            return None

    def put(self, kind: str, key: str, value: object) -> None:
        db = self.cache.db
        if db is None:
            return
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if json.loads(text) != value:
            return  # e.g. non-string keys: not remembered
        try:
            with self.cache._transaction():
                db.execute("INSERT OR REPLACE INTO loaded VALUES (?, ?, ?)", (kind, key, text))
        except sqlite3.DatabaseError as exc:
            self.cache._failed(exc)


class _OtherVersion(sqlite3.DatabaseError):
    """A cache written by another version of auditor or in another format."""


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection | None) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection | None:
        if self.db is not None:
            self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, exc, tb) -> None:
        if self.db is None:
            return
        if kind is None:
            self.db.execute("COMMIT")
        else:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")


# -- what a result carries from the cache ------------------------------------------------
_MARK = "_cache_entry"  # (digest, stored findings or None), set on the results the cache reads or writes


def _mark(result: DocumentResult, digest: str, findings: str | None) -> None:
    setattr(result, _MARK, (digest, findings))


def from_cache(result: DocumentResult) -> bool:
    """Whether a result was read from the claim cache (rather than parsed in this run)."""
    return isinstance(result, _StoredResult)


def digest_of(result: DocumentResult) -> str | None:
    """The digest of the bytes a result was read from or stored for (None: not through the cache)."""
    mark = getattr(result, _MARK, None)
    return None if mark is None else mark[0]


# -- findings as JSON ----------------------------------------------------------------------
_FINDING_FIELDS = tuple(f.name for f in fields(Finding))
_RELATED_FIELDS = tuple(f.name for f in fields(Related))


def encode_findings(findings: list[Finding]) -> str:
    """Findings as compact JSON (field values in order), which ``decode_findings`` reads back."""
    rows = []
    for f in findings:
        row = [getattr(f, name) for name in _FINDING_FIELDS]
        row[_FINDING_FIELDS.index("related")] = [[getattr(r, n) for n in _RELATED_FIELDS] for r in f.related]
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def decode_findings(data: str | bytes) -> list[Finding]:
    """New Finding objects from ``encode_findings``."""
    related = _FINDING_FIELDS.index("related")
    out = []
    for row in json.loads(data):
        if len(row) != len(_FINDING_FIELDS):
            raise ValueError("a stored finding of another layout")
        row[related] = [Related(*r) for r in row[related]]
        out.append(Finding(*row))
    return out


# -- results as JSON -----------------------------------------------------------------------
# A result is stored in four columns: ``head`` (path, number of claims, suppressions, warnings,
# has_sources), ``data`` (the claims, each as its field values in order, ranges as [low, high],
# without ``explain``), ``explain`` (the claims' explanations, read only when asked for) and
# ``matches`` (phrase matches and drug mentions, read when first used: a run whose findings are
# stored does not need them; nor, when its consistency findings are stored too, the claims).
_CLAIM_FIELDS = tuple(f.name for f in fields(Claim) if f.name != "explain")
_CLAIM_RANGES = tuple(i for i, name in enumerate(_CLAIM_FIELDS) if name in ("value", "frequency", "daily", "renal_function",
                                                                             "age", "weight"))
_CLAIM_NAMES = tuple(i for i, name in enumerate(_CLAIM_FIELDS) if name in (
    "path", "attribute", "unit", "drug", "per", "indication", "population", "effect", "drug_class", "heading",
    "formulation", "population_detail", "condition"))  # names that recur from claim to claim: stored once in memory
_SUPPRESSION_FIELDS = tuple(f.name for f in fields(Suppression))
_MATCH_FIELDS = tuple(f.name for f in fields(PhraseMatch))
_MENTION_FIELDS = tuple(f.name for f in fields(Mention))
_NO_EXPLAIN: dict[str, str] = {}


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_result(result: DocumentResult, count: int | None = None, parts: int = 0) -> tuple[str, str, str, str]:
    """(head, data, matches, explain) columns of a result; ``decode_result`` reads them back unchanged.

    ``parts``: the result's ``count`` claims are stored in that many parts (``encode_claims``),
    not in ``data`` and ``explain``."""
    data, explain = encode_claims(result.claims)
    head = [result.path, len(result.claims) if count is None else count,
            [_values(s, _SUPPRESSION_FIELDS) for s in result.suppressions], list(result.warnings), result.has_sources, parts]
    matches = [[_values(m, _MATCH_FIELDS) for m in result.matches], [_values(m, _MENTION_FIELDS) for m in result.mentions]]
    return _dumps(head), data, _dumps(matches), explain


def encode_claims(claims: Iterable[Claim]) -> tuple[str, str]:
    """(data, explain) of claims: each claim's field values in order (ranges as [low, high],
    without ``explain``), and their explanations; ``decode_claims`` reads them back."""
    rows, explains = [], []
    for claim in claims:
        row = [getattr(claim, name) for name in _CLAIM_FIELDS]
        for i in _CLAIM_RANGES:
            if row[i] is not None:
                row[i] = row[i].to_list()
        rows.append(row)
        explains.append(claim.explain)
    return _dumps(rows), _dumps(explains)


def _values(item: object, names: tuple[str, ...]) -> list[object]:
    return [getattr(item, name) for name in names]


def decode_result(head: str | bytes, data: str | bytes | None, matches: str | bytes | None, explain: str | bytes | None,
                  source: tuple | None = None,
                  reader: Callable[[int, int], list[Claim] | ClaimSpool] | None = None) -> DocumentResult:
    """The result ``encode_result`` wrote (``explain`` None: claims without explanations).

    ``source`` (the cache, the digest, whether to read ``explain`` and how to parse the file
    again: see ``ClaimCache.get_many``): the claims are decoded when first used, and what is
    None (not selected) read from the cache then. ``reader`` (claim count, parts): the claims
    of a result stored in parts, read now when there is no ``source``.
    """
    path, count, suppressions, warnings, has_sources, parts = json.loads(head)
    if type(count) is not int or type(parts) is not int:
        raise ValueError("a stored result of another layout")
    result = _StoredResult.__new__(_StoredResult)
    result.__dict__.update(path=path, suppressions=[Suppression(*s) for s in suppressions], warnings=warnings,
                           has_sources=bool(has_sources), _count=count, _parts=parts, _matches_later=matches)
    if source is None:
        if matches is None or data is None:
            raise ValueError("a stored result read in part")
        if parts:
            if reader is None:
                raise ValueError("a stored result in parts read without the cache")
            result.claims = reader(count, parts)
        else:
            result.claims = decode_claims(data, explain, count)
    else:
        result.__dict__.update(_claims_later=None if data is None or parts else (data, explain), _source=source)
    return result


def decode_claims(data: str | bytes, explain: str | bytes | None, count: int | None) -> list[Claim]:
    """The claims of the ``data`` and ``explain`` columns (``explain`` None: without explanations;
    ``count`` None: as many as there are)."""
    rows = json.loads(data)
    explains = json.loads(explain) if explain is not None else None
    if count is None:
        count = len(rows)
    if len(rows) != count or (explains is not None and len(explains) != count):
        raise ValueError("claims of another result")
    intern, rng = sys.intern, Range
    claims = []
    for n, row in enumerate(rows):
        if len(row) != len(_CLAIM_FIELDS):
            raise ValueError("a stored claim of another layout")
        for i in _CLAIM_RANGES:
            pair = row[i]
            if pair is not None:
                row[i] = rng(pair[0], pair[1])
        for i in _CLAIM_NAMES:
            if type(row[i]) is str:
                row[i] = intern(row[i])
        row.append(_NO_EXPLAIN if explains is None else explains[n])
        claims.append(Claim(*row))
    return claims


def _checked_claims(data: str | bytes, explain: str | bytes | None) -> int:
    """How many claims the ``data`` and ``explain`` of a part hold, when ``decode_claims`` can read
    them (``ValueError`` otherwise)."""
    rows = json.loads(data)
    explains = json.loads(explain) if explain is not None else None
    if type(rows) is not list or (explains is not None and (type(explains) is not list or len(explains) != len(rows))):
        raise ValueError("claims of another result")
    width = len(_CLAIM_FIELDS)
    for row in rows:
        if type(row) is not list or len(row) != width:
            raise ValueError("a stored claim of another layout")
        for i in _CLAIM_RANGES:
            if row[i] is not None and (type(row[i]) is not list or len(row[i]) != 2):
                raise ValueError("a stored claim of another layout")
    return len(rows)


class _StoredClaims(ClaimSpool):
    """The claims of a result stored in parts: the parts' JSON, checked as it is copied from the
    cache to an unnamed temporary file, decoded a part at a time each time the claims are
    iterated. So the claims are never held together nor pickled, and the cache may change
    meanwhile. It crosses processes as the list of its claims."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[tuple[int, int, int]] = []  # (offset, bytes of data, bytes of explain or -1: none)

    def add(self, data: str | bytes, explain: str | bytes | None) -> None:
        """Add the claims of a part (``ValueError``: they would not decode)."""
        import tempfile

        count = _checked_claims(data, explain)
        raw = data.encode() if isinstance(data, str) else bytes(data)
        notes = b"" if explain is None else explain.encode() if isinstance(explain, str) else bytes(explain)
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="auditor-claims-")  # noqa: SIM115  (closed by close or with it)
        file = self._file
        file.seek(0, 2)
        self._parts.append((file.tell(), len(raw), -1 if explain is None else len(notes)))
        file.write(raw)
        file.write(notes)
        self._count += count

    def batches(self) -> Iterator[list[Claim]]:
        file = self._file
        for offset, size, notes in list(self._parts):
            assert file is not None
            file.seek(offset)
            data = file.read(size)
            explain = file.read(notes) if notes >= 0 else None
            yield self._read(decode_claims(data, explain, None))

    def close(self) -> None:
        super().close()
        self._parts = []

    def __reduce__(self) -> tuple[Any, ...]:
        return (ClaimSpool, (list(self),))


class _StoredResult(DocumentResult):
    """A result read from the cache: ``matches`` and ``mentions`` are read on first use, and
    so are the ``claims`` when the cache was asked to (``ClaimCache.get_many``)."""

    def __getattr__(self, name: str):
        state = self.__dict__
        if name == "claims" and "_claims_later" in state:
            self._read("_claims_later")
        elif name in ("matches", "mentions") and "_matches_later" in state:
            self._read("_matches_later")
        else:
            raise AttributeError(name)
        return state[name]

    def _read(self, part: str) -> None:
        """Decode the claims (``_claims_later``) or the matches and mentions (``_matches_later``),
        reading them from the cache first if they were not selected."""
        state = self.__dict__
        stored = state.pop(part)
        source = state.get("_source")
        try:
            if part == "_claims_later":
                if stored is None and state["_parts"]:
                    cache, digest, explain, _ = source
                    state["claims"] = cache._read_parts(self.path, digest, explain, state["_count"], state["_parts"])
                    return
                if stored is None:
                    cache, digest, explain, _ = source
                    stored = cache._columns(self.path, digest, "data, explain" if explain else "data, NULL")
                state["claims"] = decode_claims(stored[0], stored[1], state["_count"])
            else:
                if stored is None:
                    cache, digest, _, _ = source
                    stored = cache._columns(self.path, digest, "matches")[0]
                matches, mentions = json.loads(stored)
                state["matches"] = [PhraseMatch(*m) for m in matches]
                state["mentions"] = [Mention(*m) for m in mentions]
        except (ValueError, KeyError, TypeError, IndexError):
            if source is None:
                raise
            cache, _, _, parse_again = source
            fresh = cache._parse_again(self, parse_again)
            for name in ("claims", "matches", "mentions"):
                if name not in state:
                    state[name] = getattr(fresh, name)
            state.pop("_claims_later", None)
            state.pop("_matches_later", None)

    def claim_count(self) -> int:
        state = self.__dict__
        return len(state["claims"]) if "claims" in state else state["_count"]

    def later_claims(self) -> Iterable[Claim]:
        return self.claims if "claims" in self.__dict__ else _ClaimsLater(self)

    def __getstate__(self) -> dict:
        self.claims, self.matches  # noqa: B018  (read now: the cache does not go with the result)
        state = dict(self.__dict__)
        state.pop("_source", None)
        return state


class _ClaimsLater:
    """The claims of a stored result, read when iterated (``DocumentResult.later_claims``)."""

    __slots__ = ("result",)

    def __init__(self, result: DocumentResult) -> None:
        self.result = result

    def __iter__(self):
        return iter(self.result.claims)
