"""Ingest: input files to ``Document`` objects with exact source positions.

``discover`` turns command-line paths into the files to audit; ``load_document`` reads one
(Markdown, HTML or plain text by suffix) into a ``Document`` whose every text character maps
back to the original file. A file that cannot be used at all raises ``InputWarning``; problems
the reader recovers from become ``Document.warnings``.

Besides markup, ``Document.excluded`` lists bare URLs (``https://...``, ``www...``) that stay
in the text, so a number inside one is never taken for a claim.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from auditor.errors import InputWarning
from auditor.ingest import messages
from auditor.ingest.decode import decode, is_binary
from auditor.ingest.files import discover, format_for, read_bytes, unreadable
from auditor.ingest.messages import SUFFIXES

if TYPE_CHECKING:  # imported when a file is read: a run whose files are all cached reads none
    from auditor.document import Document
    from auditor.ingest import stream

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# format -> (module, reader); a reader's module (and its parser library) loads on first use
READERS: dict[str, tuple[str, str]] = {
    "markdown": ("auditor.ingest.markdown", "read_markdown"),
    "html": ("auditor.ingest.html", "read_html"),
    "text": ("auditor.ingest.text", "read_text"),
}


def reader(fmt: str) -> Callable[[str, str, list[str]], Document]:
    """The function that turns decoded source of format ``fmt`` into a Document."""
    module, name = READERS[fmt]
    return getattr(importlib.import_module(module), name)


def load_document(path: str, max_bytes: int = DEFAULT_MAX_BYTES, data: bytes | None = None,
                  fmt: str | None = None) -> Document | stream.StreamedDocument:
    """Read, decode and parse ``path`` (or ``data``, its bytes when already read with ``read_bytes``
    or from another store); ``fmt`` (``"markdown"``, ``"html"``, ``"text"``) overrides the suffix.

    Raises ``InputWarning`` for a file that cannot be audited: unsupported suffix, missing,
    unreadable, binary (NUL bytes without a UTF-16/32 byte-order mark), larger than
    ``max_bytes``, or empty. A file over ``stream.STREAM_BYTES`` gives a ``StreamedDocument``
    (read a section at a time by ``auditor.extract``).
    """
    from auditor.ingest import stream

    fmt = fmt or format_for(path)
    if fmt is None:
        raise InputWarning(path, messages.UNSUPPORTED)
    size = len(data) if data is not None else stream.file_size(path)
    if stream.should_stream(size):  # a long file: read a section at a time, never whole
        if size > max_bytes:
            raise InputWarning(path, messages.too_large(size, max_bytes))
        try:
            return stream.StreamedDocument(path, fmt, data, max_bytes)
        except OSError as err:
            raise unreadable(path, err) from None
    if data is None:
        data = read_bytes(path, max_bytes)
    if is_binary(data):
        raise InputWarning(path, messages.BINARY)
    source, warnings = decode(data, path)
    if not source:
        raise InputWarning(path, messages.EMPTY)
    return reader(fmt)(path, source, warnings)


__all__ = ["DEFAULT_MAX_BYTES", "SUFFIXES", "discover", "load_document", "read_bytes"]
