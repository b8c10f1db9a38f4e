"""Bytes to text: byte-order marks, UTF-8 by default, undecodable bytes replaced with a warning.

A UTF-8, UTF-16 or UTF-32 byte-order mark selects the codec and is dropped, so source
offsets count code points of the decoded text after the mark. Nothing else is normalized:
line endings stay as they are in the file.
"""

from __future__ import annotations

import codecs

from auditor.ingest.messages import invalid_encoding

# Longest marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def detect(data: bytes) -> tuple[str, str, int]:
    """``(codec, display name, length of the byte-order mark)`` for ``data``."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name, len(bom)
    return "utf-8", "UTF-8", 0


def is_binary(data: bytes) -> bool:
    """True for data with NUL bytes that is not UTF-16/32 text announced by a byte-order mark."""
    return detect(data)[0] == "utf-8" and b"\x00" in data


def decode(data: bytes, path: str) -> tuple[str, list[str]]:
    """Decode ``data``; return the text and any warnings (named after ``path``)."""
    codec, name, skip = detect(data)
    body = memoryview(data)[skip:]
    try:
        return str(body, codec), []
    except UnicodeDecodeError as err:
        return str(body, codec, "replace"), [invalid_encoding(path, name, skip + err.start)]
