"""Writing a file so that readers never see half of it (reports, remembered runs)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

from .errors import AuditorError

_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


class AtomicFile:
    """A file written piece by piece (UTF-8 text, or bytes with ``binary``) into a temporary
    file beside ``path`` (mode 0600 until it is moved into place, as ``tempfile.mkstemp`` makes).

    ``commit`` flushes it to disk and moves it over ``path`` with ``os.replace``; ``discard``
    (or any error in ``commit``) removes it and leaves ``path`` as it was. A new file gets the
    usual permissions (0666 less the umask); a replaced file keeps its own.
    """

    def __init__(self, path: str, binary: bool = False) -> None:
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        try:
            fd, self._tmp = _temporary(directory, f".{os.path.basename(path)}.", ".tmp")
        except OSError as exc:
            raise AuditorError(f"{path}: cannot write: {exc.strerror or exc}") from None
        try:
            self._handle = (os.fdopen(fd, "wb") if binary
                            else os.fdopen(fd, "w", encoding="utf-8", newline=""))
        except BaseException:
            os.close(fd)
            self.discard()
            raise

    def write(self, content: str | bytes) -> None:
        try:
            self._handle.write(content)
        except BaseException:
            self.discard()
            raise

    def commit(self) -> None:
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            os.chmod(self._tmp, _mode_for(self.path))
            os.replace(self._tmp, self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None:
            with contextlib.suppress(OSError, ValueError):
                handle.close()
        with contextlib.suppress(OSError):
            os.unlink(self._tmp)


def write_atomic(path: str, content: str | Iterable[str]) -> None:
    """Write ``content`` (UTF-8: a string, or its pieces) to ``path`` through a temporary file
    in the same directory (``AtomicFile``); on any error ``path`` is left as it was."""
    target = AtomicFile(path)
    try:
        for piece in [content] if isinstance(content, str) else content:
            target.write(piece)
    except BaseException:
        target.discard()
        raise
    target.commit()


def _temporary(directory: str, prefix: str, suffix: str) -> tuple[int, str]:
    """A new file of a name no other has, open for writing (``tempfile.mkstemp``, without the
    import a run that only writes its remembered reports would pay)."""
    for _ in range(100):
        path = os.path.join(directory, f"{prefix}{os.urandom(6).hex()}{suffix}")
        try:
            return os.open(path, _TEMP_FLAGS, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


def _mode_for(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask
