"""Whole runs remembered: a re-run of ``auditor check`` with nothing changed answers at once.

A warm ``auditor check`` finds every result, its findings and its reports in the claim cache
(``stored_reports.py``); what is left of its time is starting up: importing the command line,
loading the config, rules and lexicons, looking each file up. Like make or ninja, which know a
target is up to date from the files it was built from, ``auditor check`` remembers what a run
read and what it wrote, and a later run with the same command line that finds all of it
unchanged writes the same reports and exits with the same status before importing anything
else (``replay``, called first by the ``auditor`` command, ``launch.py``).

What a run read is recorded as it runs (``start``; ``finish`` stores it):

- every file it opened for reading (an audit hook on ``open``; the import system's own reads
  are left out, auditor's code is covered by the next item): its device, inode, mode, size,
  mtime and ctime;
- every directory it listed (``os.listdir``, ``os.scandir``, so ``os.walk``): the names in it
  just before (a report file the run itself adds to a folder it walked, which may be an article,
  makes the next run run again);
- the articles it audited (a warm run knows them by their stat, without opening them) and every
  place a config file was looked for (``config_search``), present or absent.

The key holds the command line, the working directory, the environment (less a few shell
variables: ``IGNORED_ENV``), the Python executable and version, and whether stdout and stderr
are terminals. auditor's own modules are read by the code version of the cache key at every
run, so a changed module is a changed file here; an installed or removed library changes the
listing of its ``site-packages``.

Only a run that wrote every report whole and warned of nothing is remembered: one that gave
the stored reports of ``stored_reports.py`` a key (not html, not colored text, not
``--changed-since``), with no internal error and UTF-8 stdout. A file whose mtime or ctime is
less than ``RACY_NS`` before the run began might change again within the clock's resolution
without showing it (git calls this a racy entry): then nothing is remembered.

Remembered runs are files in ``runs/`` of the cache directory, at most ``MAX_RUNS`` (the oldest
go first), written atomically. Any doubt (a damaged file, a key that differs, any error) means
the run goes on as usual; it can never change what a run writes.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
import zlib

from .config_search import config_search, default_cache_dir

FORMAT = 1
MAGIC = b"auditor-run\0"
DIRNAME = "runs"
MAX_RUNS = 64
MAX_BYTES = 64 * 1024 * 1024  # a remembered run larger than this is not read
RACY_NS = 2_000_000_000
MAX_SEEN = 200_000  # paths and names a run records at most (past that it is not remembered: memory stays bounded)
IGNORED_ENV = ("_", "OLDPWD", "SHLVL")  # shell bookkeeping that says nothing about a run
IMPORT_SYSTEM = ("importlib.", "_frozen_importlib", "zipimport", "__editable__")  # modules whose reads are imports
NOT_REPLAYED = ("--no-cache", "--engine", "--changed-since", "--help", "-h", "--version", "--", "-")


# -- where the cache is ------------------------------------------------------------------
def _option(argv: list[str], name: str) -> tuple[int, str | None]:
    """(times given, last value) of a long option ``name`` taking a value."""
    count, value = 0, None
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            count, value = count + 1, argv[i + 1]
        elif arg.startswith(name + "="):
            count, value = count + 1, arg[len(name) + 1:]
    return count, value


def cache_dir_of(argv: list[str]) -> str | None:
    """The cache directory ``auditor check ARGV`` uses (``cli._load``), or None when unsure."""
    given, cache_dir = _option(argv, "--cache-dir")
    if given > 1:
        return None
    if given == 0:
        cache_dir = os.environ.get("AUDITOR_CACHE_DIR")
    if cache_dir:
        return os.path.abspath(cache_dir)
    if cache_dir is not None:
        return None  # an empty --cache-dir or AUDITOR_CACHE_DIR: let the command line say what it means
    given, config = _option(argv, "--config")
    if given > 1:
        return None
    if given == 0:
        config, _looked = config_search(os.getcwd())
    return default_cache_dir(config)


def replayable(argv: list[str]) -> bool:
    return bool(argv) and argv[0] == "check" and not any(a in NOT_REPLAYED or a.startswith(("--engine=", "--changed-since="))
                                                          for a in argv[1:])


def _utf8(stream) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8")


def run_key(argv: list[str]) -> bytes:
    """What besides the files read makes a run what it is (module docstring)."""
    env = sorted((k, v) for k, v in os.environ.items() if k not in IGNORED_ENV)
    ttys = tuple(bool(getattr(s, "isatty", None) and s.isatty()) for s in (sys.stdout, sys.stderr))
    key = (FORMAT, list(argv), os.getcwd(), env, sys.executable, sys.version, ttys,
           getattr(sys.stdout, "encoding", None), getattr(sys.stdout, "errors", None))
    return repr(key).encode("utf-8", "surrogatepass")  # marshal's bytes depend on reference counts


def _file_name(key: bytes) -> str:
    return f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}.run"


def _stat(path: str) -> tuple[int, ...] | None:
    """What tells a file changed (None: absent); raises OSError when it cannot be told."""
    try:
        s = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (s.st_dev, s.st_ino, s.st_mode, s.st_size, s.st_mtime_ns, s.st_ctime_ns)


def _listing(folder: str) -> list[str] | None:
    """The names in ``folder`` (None: it cannot be listed)."""
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return None


# -- replay ------------------------------------------------------------------------------------
def _read(path: str, key: bytes):
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES or not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        return None
    body = data[len(MAGIC) + 4:]
    if int.from_bytes(data[len(MAGIC):len(MAGIC) + 4], "big") != zlib.crc32(body):
        return None
    stored_key, record = marshal.loads(body)
    return record if stored_key == key else None


def _unchanged(record: dict) -> bool:
    for path, stat in record["files"]:
        if _stat(path) != (tuple(stat) if stat is not None else None):
            return False
    return all(_listing(folder) == names for folder, names in record["listings"])


def replay(argv: list[str]) -> None:
    """Write the reports of a remembered run of ``argv`` whose files are all unchanged, and exit
    with its status; return (having written nothing) otherwise."""
    if not replayable(argv) or not _utf8(sys.stdout):
        return
    try:
        cache_dir = cache_dir_of(argv[1:])
        if cache_dir is None:
            return
        key = run_key(argv)
        record = _read(os.path.join(cache_dir, DIRNAME, _file_name(key)), key)
        if record is None or not _unchanged(record):
            return
        targets, texts = record["targets"], record["texts"]
        from .atomic import AtomicFile

        to_files = [(fmt, dest) for fmt, dest in targets if dest is not None]
        files = [AtomicFile(dest) for _fmt, dest in to_files]
        try:
            for (fmt, _dest), target in zip(to_files, files, strict=True):
                target.write(texts[fmt])
        except BaseException:
            for target in files:
                target.discard()
            raise
        for target in files:
            target.commit()
    except Exception:  # any doubt: the run goes on as usual and says what is wrong
        return
    screen = [texts[fmt] for fmt, dest in targets if dest is None]
    if screen:
        text = screen[0] if screen[0].endswith("\n") else screen[0] + "\n"
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # as the command line does: the reader has gone, nothing to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
    sys.exit(record["code"])


# -- recording -----------------------------------------------------------------------------
class Recorder:
    """What a run reads, from an audit hook (module docstring)."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = list(argv)
        self.started_ns = time.time_ns()
        self.reads: dict[str, None] = {}
        self.listings: dict[str, list[str] | None] = {}
        self.unsure = False  # a read or listing not told by a path, or too many: nothing is remembered
        self.seen = 0
        self.warned = False
        self.active = True
        self._busy = False

    def hook(self, event: str, args: tuple) -> None:
        if not self.active or self._busy or event not in ("open", "os.listdir", "os.scandir"):
            return
        self._busy = True
        try:
            if str(sys._getframe(1).f_globals.get("__name__")).startswith(IMPORT_SYSTEM):
                return  # the import system: auditor's code is read by the code version
            if event == "open":
                path, mode, flags = args
                if mode is not None:
                    if any(c in mode for c in "wax+"):
                        return
                elif flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                    return
                if isinstance(path, int):
                    return  # os.fdopen of a descriptor opened before (and seen then)
                self.reads.setdefault(os.path.abspath(os.fsdecode(path)))
                self.seen += 1
            else:
                path = args[0] if args else None
                if isinstance(path, int):
                    self.unsure = True
                    return
                folder = os.path.abspath(os.fsdecode(path) if path is not None else ".")
                if folder not in self.listings:
                    names = self.listings[folder] = _listing(folder)  # as it was before the run listed it
                    self.seen += 1 + len(names or ())
            if self.seen > MAX_SEEN:
                self.active, self.unsure = False, True
                self.reads.clear()
                self.listings.clear()
        except Exception:  # the run itself must never fail here
            self.unsure = True
        finally:
            self._busy = False

    def finish(self, cache_dir: str, targets: list[tuple[str, str | None]], texts: dict[str, str],
               inputs: list[str], code: int) -> None:
        """Remember the run (if it may be: module docstring) in ``cache_dir``."""
        self.active = False
        if self.unsure or self.warned or not _utf8(sys.stdout):
            return
        if any("\x1b" in texts[fmt] for fmt, dest in targets if dest is None):
            return  # the terminal layer strips escape sequences from stdout: write it again each time
        cache_dir = os.path.abspath(cache_dir)
        inside = cache_dir + os.sep
        paths = dict(self.reads)
        paths.update(dict.fromkeys(os.path.abspath(p) for p in inputs))
        if _option(self.argv[1:], "--config")[0] == 0:
            paths.update(dict.fromkeys(config_search(os.getcwd())[1]))
        files = []
        limit = self.started_ns - RACY_NS
        for path in paths:
            if path.startswith(inside):
                continue
            try:
                stat = _stat(path)
            except OSError:
                return
            if stat is not None and (stat[4] >= limit or stat[5] >= limit):
                return  # racy: changed too close to the run to tell a later change by its stat
            files.append((path, stat))
        listings = []
        for folder, names in self.listings.items():
            if folder == cache_dir or folder.startswith(inside):
                continue
            listings.append((folder, names))
        key = run_key(self.argv)
        record = {"targets": [list(t) for t in targets], "texts": dict(texts), "files": files,
                  "listings": listings, "code": code}
        try:
            _write(os.path.join(cache_dir, DIRNAME), _file_name(key), key, record)
        except (OSError, ValueError):
            return


def _write(folder: str, name: str, key: bytes, record: dict) -> None:
    from .atomic import AtomicFile

    body = marshal.dumps((key, record))
    if len(body) > MAX_BYTES:
        return
    os.makedirs(folder, exist_ok=True)
    target = AtomicFile(os.path.join(folder, name), binary=True)
    target.write(MAGIC + zlib.crc32(body).to_bytes(4, "big") + body)
    target.commit()
    runs = [e for e in os.scandir(folder) if e.name.endswith(".run")]
    if len(runs) > MAX_RUNS:
        runs.sort(key=lambda e: e.stat().st_mtime_ns)
        for entry in runs[:len(runs) - MAX_RUNS]:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


RECORDER: Recorder | None = None


def start(argv: list[str]) -> None:
    """Record what this run of ``argv`` reads, if it could be replayed."""
    global RECORDER
    if not replayable(argv) or RECORDER is not None:
        return
    RECORDER = Recorder(argv)
    sys.addaudithook(RECORDER.hook)


def warned() -> None:
    """The run said something on stderr: it is not remembered."""
    if RECORDER is not None:
        RECORDER.warned = True


def finish(cache_dir: str, targets: list[tuple[str, str | None]], texts: dict[str, str], inputs: list[str],
           code: int) -> None:
    if RECORDER is not None and RECORDER.active:
        RECORDER.finish(cache_dir, targets, texts, inputs, code)
