"""Inputs for engines that read files on other machines: local paths, globs, listing files, URLs.

A command-line input is one of

- a local file or directory, discovered exactly as the local engine does (``Auditor.files``:
  include/exclude, sorted walk, the same warnings);
- a glob (``articles/**/*.md``), when no file has that very name: its matches, sorted;
- ``@FILE``: a listing file, one input per line (blank lines and ``#`` comments skipped);
  relative paths in it are relative to the working directory, like the command line's;
- a URL that fsspec can open (``s3://``, ``gs://``, ``https://``, ``file://``, ... where the
  filesystem package is installed): a file, or a folder or glob that is listed with fsspec.

Files are kept in that order without duplicates. A URL is read with ``read_url`` on the
machine that parses it; problems with one input are ``InputWarning``s worded as the local
reader's (``auditor/ingest/messages.py``), and the run goes on.
"""

from __future__ import annotations

import glob
import os
import posixpath
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .errors import AuditorError, InputWarning
from .ingest import messages
from .ingest.files import format_for

if TYPE_CHECKING:
    from .runner import Auditor

Warn = Callable[[str], None]


def is_url(path: str) -> bool:
    """``s3://bucket/x.md``, ``https://...``: anything with a protocol before ``://``."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.isascii() and scheme.replace("+", "").replace("-", "").isalnum() and len(scheme) > 1


def web_page(path: str) -> bool:
    """An http(s) address whose name has no supported suffix (``https://site/medicines/x/``): read as HTML."""
    return path.lower().startswith(("http://", "https://")) and format_for(path.split("?", 1)[0].split("#", 1)[0]) is None


def expand(auditor: Auditor, inputs: Sequence[str], include: Sequence[str], exclude: Sequence[str],
           warn: Warn) -> list[str]:
    """The files and URLs to audit, in order, without duplicates (see the module docstring)."""
    from .runner import Selection

    out: list[str] = []
    seen: set[str] = set()
    local: list[str] = []

    def keep(path: str) -> None:
        key = path if is_url(path) else os.path.normpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)

    def flush() -> None:
        if local:
            for path in auditor.files(Selection(list(local), list(include), list(exclude)), warn):
                keep(path)
            local.clear()

    for item in _entries(inputs, warn):
        if is_url(item):
            flush()
            for url in _list_url(item, include or auditor.config.include, exclude or auditor.config.exclude, warn):
                keep(url)
        elif not os.path.lexists(item) and glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                warn(str(InputWarning(item, messages.NO_SUCH_FILE)))
            local.extend(matches)
        else:
            local.append(item)
    flush()
    return out


def _entries(inputs: Sequence[str], warn: Warn) -> list[str]:
    """Command-line inputs with each ``@FILE`` replaced by the lines of FILE."""
    out: list[str] = []
    for item in inputs:
        if not item.startswith("@") or len(item) == 1:
            out.append(item)
            continue
        listing = item[1:]
        try:
            with open(listing, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            raise AuditorError(f"{listing}: listing file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditorError(f"{listing}: cannot read the listing file ({exc})") from None
        out.extend(s for s in (line.strip() for line in lines) if s and not s.startswith("#"))
    return out


def _list_url(url: str, include: Sequence[str], exclude: Sequence[str], warn: Warn) -> list[str]:
    """A URL naming a file stays as it is; a folder or glob becomes its supported files, sorted."""
    if (format_for(url) is not None or web_page(url)) and not glob.has_magic(url.partition("://")[2]):
        return [url]  # the machine that reads it reports whether it can be opened
    try:
        import fsspec

        fs, root = fsspec.core.url_to_fs(url)
        if glob.has_magic(root):
            found = sorted(fs.glob(root))
            base = root.split("*", 1)[0].rsplit("/", 1)[0]
        elif fs.isdir(root):
            found = sorted(fs.find(root))
            base = root.rstrip("/")
        else:
            warn(str(InputWarning(url, messages.NO_SUCH_FILE if not fs.exists(root) else messages.UNSUPPORTED)))
            return []
    except Exception as exc:  # filesystems raise what they like: the input is skipped, the run goes on
        warn(str(InputWarning(url, _reason(exc))))
        return []
    from .ingest.files import _matches

    files = []
    for path in found:
        rel = posixpath.relpath(path, base) if base else path
        if format_for(path) is None or any(part.startswith(".") for part in rel.split("/")):
            continue
        full = fs.unstrip_protocol(path)
        if (include and not _matches(include, rel, full)) or _matches(exclude, rel, full):
            continue
        files.append(full)
    if not files:
        warn(str(InputWarning(url, messages.NOTHING_TO_AUDIT)))
    return files


def read_url(url: str, max_bytes: int) -> bytes:
    """The bytes at ``url`` (fsspec); ``InputWarning`` worded as ``ingest.files.read_bytes``."""
    try:
        import fsspec

        with fsspec.open(url, "rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputWarning(url, messages.NO_SUCH_FILE) from None
    except PermissionError:
        raise InputWarning(url, messages.PERMISSION_DENIED) from None
    except IsADirectoryError:
        raise InputWarning(url, messages.IS_A_DIRECTORY) from None
    except Exception as exc:  # network and store errors of any filesystem: skip this input
        raise InputWarning(url, _reason(exc)) from None
    if len(data) > max_bytes:
        raise InputWarning(url, messages.too_large(len(data), max_bytes))
    if not data:
        raise InputWarning(url, messages.EMPTY)
    return data


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"cannot open ({text[:200]}); skipped"
