"""Writing a report file so that readers never see half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile

from ..errors import AuditorError


def write_atomic(path: str, content: str) -> None:
    """Write ``content`` (UTF-8) to ``path`` through a temporary file in the same directory.

    The temporary file is flushed to disk and moved over ``path`` with ``os.replace``; on
    any error it is removed and ``path`` is left as it was. A new file gets the usual
    permissions (0666 less the umask); a replaced file keeps its own.
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AuditorError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask
