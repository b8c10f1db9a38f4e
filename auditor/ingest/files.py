"""Which files to audit, and reading one of them safely.

Paths are reported the way the user wrote them: a file given on the command line keeps its
spelling, a file found under a directory is ``os.path.join(directory, relative path)``.
Hidden files and directories (names starting with ``.``) are not walked.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Sequence

from auditor.errors import InputWarning
from auditor.ingest import messages
from auditor.ingest.messages import SUFFIXES

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text"}


def format_for(path: str) -> str | None:
    """``"markdown"``, ``"html"`` or ``"text"`` by suffix (any case); None if unsupported."""
    return FORMATS.get(os.path.splitext(path)[1].lower())


def _matches(patterns: Sequence[str], rel: str, full: str) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(full, p) for p in patterns)


def _walk(top: str, include: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """Supported files under ``top``, sorted by their path relative to it."""
    found: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(top):
        rel_dir = os.path.relpath(dirpath, top)
        rel_dir = "" if rel_dir == "." else rel_dir
        dirnames[:] = [
            d for d in dirnames
            if not d.startswith(".")
            and not _matches(exclude, os.path.join(rel_dir, d), os.path.join(dirpath, d))
        ]
        for name in filenames:
            if name.startswith(".") or format_for(name) is None:
                continue
            rel, full = os.path.join(rel_dir, name), os.path.join(dirpath, name)
            if include and not _matches(include, rel, full):
                continue
            if _matches(exclude, rel, full):
                continue
            found.append((rel, full))
    return [full for _, full in sorted(found)]


def discover(
    paths: Sequence[str], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> tuple[list[str], list[InputWarning]]:
    """Expand command-line paths into the files to audit, in order, without duplicates.

    Files named explicitly are kept whatever ``include``/``exclude`` say, if their suffix is
    supported. Directories are walked recursively in sorted order for ``SUFFIXES`` files;
    ``include``/``exclude`` globs match the path relative to the directory or the joined path.
    """
    files: list[str] = []
    warnings: list[InputWarning] = []
    seen: set[str] = set()

    def keep(path: str) -> None:
        key = os.path.normpath(path)
        if key in seen:
            return
        seen.add(key)
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:  # a name of bytes that are not UTF-8 (os gives them as surrogates)
            warnings.append(InputWarning(messages.shown_path(path), messages.NAME_NOT_UTF8))
            return
        files.append(path)

    for path in paths:
        if not path or not os.path.exists(path):
            warnings.append(InputWarning(path, messages.NO_SUCH_FILE))
        elif os.path.isdir(path):
            found = _walk(path, include, exclude)
            if not found:
                warnings.append(InputWarning(path, messages.NOTHING_TO_AUDIT))
            for f in found:
                keep(f)
        elif not os.path.isfile(path):
            warnings.append(InputWarning(path, messages.NOT_A_FILE))
        elif format_for(path) is None:
            warnings.append(InputWarning(path, messages.UNSUPPORTED))
        else:
            keep(path)
    return files, warnings


def unreadable(path: str, err: OSError) -> InputWarning:
    """The warning of a file that could not be read: ``err``, in the words of ``messages``."""
    if isinstance(err, FileNotFoundError):
        return InputWarning(path, messages.NO_SUCH_FILE)
    if isinstance(err, PermissionError):
        return InputWarning(path, messages.PERMISSION_DENIED)
    if isinstance(err, IsADirectoryError):
        return InputWarning(path, messages.IS_A_DIRECTORY)
    return InputWarning(path, (err.strerror or str(err)).lower())


def read_bytes(path: str, max_bytes: int) -> bytes:
    """The file's bytes; ``InputWarning`` if it is missing, unreadable, too large or empty."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise InputWarning(path, messages.IS_A_DIRECTORY)
        if st.st_size > max_bytes:
            raise InputWarning(path, messages.too_large(st.st_size, max_bytes))
        with open(path, "rb") as f:
            # at most max_bytes + 1 bytes; asked for by the size seen, as a buffer of max_bytes costs more than the read
            want = min(st.st_size, max_bytes) + 1
            data = f.read(want)
            if len(data) == want and want <= max_bytes:  # a file that grew, or a device without a size
                data += f.read(max_bytes + 1 - want)
    except OSError as err:
        raise unreadable(path, err) from None
    if len(data) > max_bytes:  # a file that grew, or a device without a size
        raise InputWarning(path, messages.too_large(len(data), max_bytes))
    if not data:
        raise InputWarning(path, messages.EMPTY)
    return data


__all__ = ["SUFFIXES", "discover", "format_for", "read_bytes"]
