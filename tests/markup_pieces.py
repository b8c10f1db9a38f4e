"""Building blocks of the property tests that generate Markdown and HTML.

A ``Piece`` is source text plus the prose words a reader must see in the plain text, in order,
and the source ranges (markup, URLs, code) that must stay out of it.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

from auditor.ingest.check import mapping_problems

LETTERS = [*"abcdefghijklmnopqrstuvwxyz", "ä", "é", "ß", "λ", "ж", "日", "本", "😀", "👍🏽",
           "e\u0301", "n\u0303"]  # emoji with a skin-tone modifier; combining accents
word = st.lists(st.sampled_from(LETTERS), min_size=1, max_size=6).map("".join)
marker = st.text(alphabet="ABCDEFGHXYZ", min_size=1, max_size=4)


class Piece:
    """Source text plus the words a reader must see and the ranges that must stay out."""

    def __init__(self, src: str, words: list[str] | None = None,
                 hidden: list[tuple[int, int]] | None = None) -> None:
        self.src = src
        self.words = words or []
        self.hidden = hidden or []

    def __add__(self, other: Piece) -> Piece:
        n = len(self.src)
        return Piece(self.src + other.src, self.words + other.words,
                     self.hidden + [(s + n, e + n) for s, e in other.hidden])


def lit(text: str) -> Piece:
    return Piece(text)


def hidden(text: str) -> Piece:
    return Piece(text, [], [(0, len(text))])


def join(pieces: list[Piece], sep: str = "") -> Piece:
    out = lit("")
    for i, p in enumerate(pieces):
        out = out + (lit(sep) if i and sep else lit("")) + p
    return out


def in_order(words: list[str], text: str) -> bool:
    """Every word appears in ``text``, in this order."""
    pos = 0
    for w in words:
        pos = text.find(w, pos)
        if pos < 0:
            return False
        pos += len(w)
    return True


def assert_maps_back(doc, piece: Piece) -> None:
    """Every text char maps to its source; no markup (capitals) leaks in; the prose words are
    there in order; and no text char maps inside a hidden range (markup, URL, code, script)."""
    assert mapping_problems(doc) == []
    assert not re.search("[A-Z]", doc.text), doc.text
    assert in_order(piece.words, doc.text), (piece.words, doc.text)
    for i in range(len(doc.text)):
        s, e = doc.starts[i], doc.ends[i]
        if s < 0:
            continue
        for hs, he in piece.hidden:
            assert e <= hs or s >= he, (doc.text[i], piece.src[s:e], piece.src[hs:he])
