"""The claim cache: the ``DocumentResult`` of each file, in an embedded SQLite database.

A re-run parses only the files that changed. An entry is found by the file's path and
looked up under two keys:

- ``digest``: the SHA-256 of the file's bytes;
- ``env``: what else the result depends on (``environment_key``): the cache format, the
  auditor version and a hash of the code that reads files and extracts claims, the spaCy
  version, every lexicon file read (paths and contents, in order), and the phrases and
  token patterns of the active ``require``/``forbid`` rules.

So an unchanged article is never parsed again, and a change to the code, a lexicon or a
require/forbid rule makes every entry miss. Other rules (limit, expect, cite, consistency)
run on the cached claims in the finishing step, so changing them invalidates nothing.

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
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .docresult import DocumentResult

if TYPE_CHECKING:
    from .runner import Auditor

SCHEMA = "1"  # the layout of the database and of a stored result
DIRNAME = ".auditor-cache"
FILENAME = "claims.sqlite3"
KEEP_ENVIRONMENTS = 4  # entries of older environments (other code, lexicons, rules) are dropped
PACKAGE = Path(__file__).resolve().parent
# Modules that only run after the per-document step (on cached results) do not key the cache.
NOT_EXTRACTION = ("reports/", "cli.py", "baseline.py", "compare.py", "consistency.py", "engine/ruletest.py")

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS envs (env TEXT PRIMARY KEY, used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS loaded (kind TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS results (
    env TEXT NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (env, path)
);
"""


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=4)
def _code_version(package: Path) -> str:
    h = hashlib.sha256()
    files = sorted([*package.rglob("*.py"), *package.glob("schema/*.json"), package / "pipeline" / "config.cfg"])
    for path in files:
        rel = path.relative_to(package).as_posix()
        if rel.startswith(NOT_EXTRACTION):
            continue
        h.update(rel.encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def code_version() -> str:
    """A hash of the source of the modules that read files and extract claims (and of the schemas)."""
    return _code_version(PACKAGE)


def _spacy_version() -> str:
    """spaCy's version, read from its ``about.py`` without importing spaCy."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return "unknown"
    for folder in spec.submodule_search_locations:
        try:
            text = (Path(folder) / "about.py").read_text(encoding="utf-8")
        except OSError:
            continue
        m = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)", text, re.M)
        if m:
            return m.group(1)
    return "unknown"


def environment_key(auditor: Auditor) -> str:
    """The ``env`` key of an Auditor's results (see the module docstring)."""
    h = hashlib.sha256()
    for part in (SCHEMA, __version__, code_version(), _spacy_version()):
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


def default_cache_dir(config_path: str | None) -> Path:
    """``.auditor-cache`` beside the config file, or in the working directory."""
    return (Path(config_path).resolve().parent if config_path else Path.cwd()) / DIRNAME


class ClaimCache:
    """Per-file results of one environment; ``hits`` and ``misses`` count lookups.

    ``env`` may be given later (``set_env``): the rules and lexicons it depends on are read
    through ``memo`` first, so that unchanged ones are not parsed and validated again.
    """

    def __init__(self, directory: Path, env: str | None, warn: Callable[[str], None]) -> None:
        self.directory = Path(directory)
        self.path = self.directory / FILENAME
        self.env = env
        self.warn = warn
        self.hits = 0
        self.misses = 0
        self.db: sqlite3.Connection | None = None
        self._warned = False
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

    def set_env(self, env: str) -> None:
        """The environment key of this run's results (``environment_key``)."""
        self.env = env
        if self.db is not None:
            try:
                self._register()
            except sqlite3.DatabaseError as exc:
                self._failed(exc)

    def _register(self) -> None:
        """Mark this environment used; drop the results of environments not used lately."""
        db = self.db
        with self._transaction():
            db.execute("INSERT OR REPLACE INTO envs VALUES (?, ?)", (self.env, time.time()))
            old = [row[0] for row in db.execute("SELECT env FROM envs ORDER BY used DESC").fetchall()[KEEP_ENVIRONMENTS:]]
            for env in old:
                db.execute("DELETE FROM results WHERE env = ?", (env,))
                db.execute("DELETE FROM envs WHERE env = ?", (env,))

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
        self._close()
        self.db = None

    # -- lookups -----------------------------------------------------------------------
    def get(self, path: str, digest: str) -> DocumentResult | None:
        """The stored result of ``path`` with these bytes in this environment, or None."""
        found = None
        if self.db is not None and self.env is not None:
            try:
                row = self.db.execute("SELECT digest, data FROM results WHERE env = ? AND path = ?",
                                      (self.env, path)).fetchone()
            except sqlite3.DatabaseError as exc:
                self._failed(exc)
                row = None
            if row is not None and row[0] == digest:
                try:
                    found = DocumentResult.from_dict(json.loads(row[1]))
                except (ValueError, KeyError, TypeError):
                    found = None  # an entry that does not read back is parsed again and replaced
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, entries: Iterable[tuple[str, DocumentResult]]) -> None:
        """Store (digest, result) pairs in one transaction."""
        if self.db is None or self.env is None:
            return
        rows = [(self.env, r.path, digest, json.dumps(r.to_dict(), ensure_ascii=False, separators=(",", ":")))
                for digest, r in entries]
        if not rows:
            return
        try:
            with self._transaction():
                self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
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
        try:
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
