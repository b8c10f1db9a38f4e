"""Token attributes as plain Python lists, read from a Doc once and shared by the components.

Every ``doc[i]`` builds a spaCy ``Token``, and every ``token.lower_`` looks its string up in the
string store again. The components read the same few attributes of each token many times, so
they read them from these lists instead: ``token_table(doc).lower[i]`` is ``doc[i].lower_``,
``.text[i]`` is ``doc[i].text``, ``.ws[i]`` is ``bool(doc[i].whitespace_)``, and so on. Each list
is read from the Doc (``Doc.to_array``) the first time a component asks for it.

A table belongs to one Doc (kept in ``doc.user_data``) and stays valid because no component
changes the tokenization.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import cached_property

import numpy
from spacy.attrs import (
    IDX,
    IS_ALPHA,
    IS_LOWER,
    IS_PUNCT,
    IS_SPACE,
    IS_TITLE,
    IS_UPPER,
    LIKE_NUM,
    LIKE_URL,
    LOWER,
    NORM,
    ORTH,
    SPACY,
)
from spacy.tokens import Doc

_KEY = ("auditor", "token_table")
# hash -> string, for every vocabulary: spaCy's string hashes do not depend on the vocabulary
_STRINGS: dict[int, str] = {}
_STRINGS_LIMIT = 500_000
_MEMO_LIMIT = 200_000


class TokenTable:
    """Columns of token attributes of one Doc (see the module docstring)."""

    def __init__(self, doc: Doc) -> None:
        self._doc = weakref.ref(doc)  # the Doc keeps its table; no reference cycle back to it
        self.n = len(doc)

    @property
    def doc(self) -> Doc:
        return self._doc()

    def _unique(self, attr: int) -> tuple[list[str], numpy.ndarray, numpy.ndarray]:
        """The distinct strings of ``attr``, the first token of each, and each token's string number."""
        if len(_STRINGS) > _STRINGS_LIMIT:
            _STRINGS.clear()
        store = self.doc.vocab.strings
        known = _STRINGS
        keys, first, inverse = numpy.unique(self.doc.to_array(attr), return_index=True, return_inverse=True)
        values = []
        for key in keys.tolist():
            value = known.get(key)
            if value is None:
                value = known[key] = store[key]
            values.append(value)
        return values, first, inverse.reshape(-1)

    def _strings(self, attr: int) -> list[str]:
        if not self.n:
            return []
        values, _first, inverse = self._unique(attr)
        return numpy.array(values, dtype=object)[inverse].tolist()

    def _flags(self, attr: int) -> list[bool]:
        return self.doc.to_array(attr).astype(bool).tolist()

    @cached_property
    def _texts(self) -> tuple[list[str], numpy.ndarray, numpy.ndarray]:
        return self._unique(ORTH) if self.n else ([], numpy.zeros(0, dtype=int), numpy.zeros(0, dtype=int))

    @cached_property
    def text(self) -> list[str]:
        values, _first, inverse = self._texts
        return numpy.array(values, dtype=object)[inverse].tolist() if self.n else []

    def where(self, test: Callable[[str, str], bool], memo: dict[str, bool] | None = None) -> list[int]:
        """The tokens whose text and lowercased text pass ``test``, in order; ``test`` is asked once
        for each distinct text of the Doc, or once ever with a ``memo`` (text -> answer) kept by the caller."""
        if not self.n:
            return []
        values, first, inverse = self._texts
        lower = self.lower
        if memo is None:
            memo = {}
        elif len(memo) > _MEMO_LIMIT:
            memo.clear()
        passed = []
        for text, i in zip(values, first.tolist(), strict=True):
            answer = memo.get(text)
            if answer is None:
                answer = memo[text] = test(text, lower[i])
            passed.append(answer)
        return numpy.flatnonzero(numpy.array(passed, dtype=bool)[inverse]).tolist()

    @cached_property
    def lower(self) -> list[str]:
        return self._strings(LOWER)

    @cached_property
    def norm(self) -> list[str]:
        return self._strings(NORM)

    @cached_property
    def ws(self) -> list[bool]:
        """Whether whitespace follows the token."""
        return self._flags(SPACY)

    @cached_property
    def idx(self) -> list[int]:
        return self.doc.to_array(IDX).tolist()

    @cached_property
    def like_num(self) -> list[bool]:
        return self._flags(LIKE_NUM)

    @cached_property
    def like_url(self) -> list[bool]:
        return self._flags(LIKE_URL)

    @cached_property
    def is_alpha(self) -> list[bool]:
        return self._flags(IS_ALPHA)

    @cached_property
    def is_punct(self) -> list[bool]:
        return self._flags(IS_PUNCT)

    @cached_property
    def is_space(self) -> list[bool]:
        return self._flags(IS_SPACE)

    @cached_property
    def is_title(self) -> list[bool]:
        return self._flags(IS_TITLE)

    @cached_property
    def is_upper(self) -> list[bool]:
        return self._flags(IS_UPPER)

    @cached_property
    def is_lower(self) -> list[bool]:
        return self._flags(IS_LOWER)


def token_table(doc: Doc) -> TokenTable:
    """The token table of ``doc``, made on first use and kept with the Doc."""
    table = doc.user_data.get(_KEY)
    if table is None or table._doc() is not doc:
        table = doc.user_data[_KEY] = TokenTable(doc)
    return table
