"""Wording of every warning ingest reports, in one place so tests and docs can match on it.

``InputWarning`` messages omit the path (the exception adds it); ``Document.warnings``
strings carry it (``"x.md: ..."`` or ``"x.md:5: ..."``).
"""

from __future__ import annotations

SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt")
SUFFIX_LIST = "{} or {}".format(", ".join(SUFFIXES[:-1]), SUFFIXES[-1])

NO_SUCH_FILE = "no such file or directory"
PERMISSION_DENIED = "permission denied"
IS_A_DIRECTORY = "is a directory"
NOT_A_FILE = "not a regular file; skipped"
UNSUPPORTED = f"unsupported file type (expected {SUFFIX_LIST}); skipped"
NOTHING_TO_AUDIT = f"no {SUFFIX_LIST} files to audit"
EMPTY = "empty file; nothing to audit"
BINARY = "binary file (contains NUL bytes); skipped"
NAME_NOT_UTF8 = "file name is not valid UTF-8 (reports name files in UTF-8); skipped"


def shown_path(path: str) -> str:
    """``path`` as it can be printed: bytes of a name that are not UTF-8 (surrogate escapes) as ``\\xe9``."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def too_large(size: int, limit: int) -> str:
    """``52.4 MB is larger than the 10 MB limit; skipped``."""
    return f"{human_size(size)} is larger than the {human_size(limit)} limit; skipped"


def invalid_encoding(path: str, encoding: str, byte_offset: int) -> str:
    """``x.md: invalid UTF-8 at byte 1234; undecodable bytes replaced`` (0-based file offset)."""
    return f"{path}: invalid {encoding} at byte {byte_offset}; undecodable bytes replaced"


def bad_front_matter(path: str, line: int, problem: str) -> str:
    """``x.md:3: front matter is not valid YAML (...); ignored``."""
    return f"{path}:{line}: front matter is not valid YAML ({problem}); ignored"


def front_matter_not_mapping(path: str, line: int) -> str:
    """Front matter that parses but is not a ``key: value`` mapping."""
    return f"{path}:{line}: front matter is not a mapping of keys to values; ignored"


def html_parse_stopped(path: str, line: int) -> str:
    """Markup the HTML parser cannot read: the rest of the file is left out."""
    return f"{path}:{line}: unreadable HTML markup; the rest of the file is not audited"


def human_size(n: int) -> str:
    """``512 bytes``, ``3.5 KB``, ``52.4 MB`` (binary multiples, one decimal, no trailing .0)."""
    if n < 1024:
        return f"{n} byte" if n == 1 else f"{n} bytes"
    units = ("KB", "MB", "GB", "TB")
    value, i = n / 1024, 0
    while value >= 1024 and i < len(units) - 1:
        value, i = value / 1024, i + 1
    return f"{value:.1f}".removesuffix(".0") + f" {units[i]}"
