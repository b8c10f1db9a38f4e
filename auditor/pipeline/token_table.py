"""Token attributes as plain Python lists, read from a Doc once and shared by the components.

Every ``doc[i]`` builds a spaCy ``Token``, and every ``token.lower_`` looks its string up in the
string store again. The components read the same few attributes of each token many times, so
they read them from these lists instead: ``token_table(doc).lower[i]`` is ``doc[i].lower_``,
``.text[i]`` is ``doc[i].text``, ``.ws[i]`` is ``bool(doc[i].whitespace_)``, and so on. Each list
is read from the Doc (``Doc.to_array``) the first time a component asks for it.

A table belongs to one Doc (kept in ``doc.user_data``) and stays valid because no component
changes the tokenization.

The lowercased text and the flags (``like_num``, ``is_alpha``, ...) are attributes of a token's
lexeme, and a vocabulary has one lexeme per text, made (with those attributes) the first time
the text is seen. So they are read once per text and vocabulary and kept (``_LexemeMemo``);
``doc.to_array`` would read them again for every token of every Doc.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from functools import cached_property

import numpy
from spacy.attrs import (
    IDX,
    NORM,
    ORTH,
    SPACY,
)
from spacy.tokens import Doc
from spacy.vocab import Vocab

_KEY = ("auditor", "token_table")
# hash -> string, for every vocabulary: spaCy's string hashes do not depend on the vocabulary
_STRINGS: dict[int, str] = {}
_STRINGS_LIMIT = 500_000
_MEMO_LIMIT = 200_000
# The lexeme flags of ``TokenTable._lexical``: bit k of a text's mask is the flag _FLAGS[k].
_FLAGS = ("like_num", "like_url", "is_alpha", "is_punct", "is_space", "is_title", "is_upper", "is_lower")
_LEXICAL_VOCABS = 4  # vocabularies remembered at once (a process builds one pipeline, tests a few)


class _LexemeMemo:
    """For one vocabulary: text -> its lexeme's ``lower_``, and text -> its lexeme's flags (a mask
    of ``_FLAGS``), filled as texts are met. Each entry holds what ``vocab[text]`` says, which is
    what every token of that text in a Doc of the vocabulary says (a token's ``lower_`` and flags
    are those of its lexeme)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab  # kept so that its id is not reused while this memo is remembered
        self.lower: dict[str, str] = {}
        self.flags: dict[str, int] = {}

    def add(self, texts: list[str]) -> None:
        """Read the lexemes of the texts not met yet."""
        if len(self.lower) > _STRINGS_LIMIT:
            self.lower.clear()
            self.flags.clear()
        for text in set(texts).difference(self.lower):
            lexeme = self.vocab[text]
            self.lower[text] = lexeme.lower_
            self.flags[text] = sum(1 << k for k, name in enumerate(_FLAGS) if getattr(lexeme, name))


_LEXEME_MEMOS: dict[int, _LexemeMemo] = {}  # id(vocab) -> its memo


def _lexeme_memo(vocab: Vocab) -> _LexemeMemo:
    """The memo of ``vocab`` (a new one for a vocabulary not met, or met longest ago of more than
    ``_LEXICAL_VOCABS``)."""
    memo = _LEXEME_MEMOS.get(id(vocab))
    if memo is None or memo.vocab is not vocab:
        if len(_LEXEME_MEMOS) >= _LEXICAL_VOCABS:
            del _LEXEME_MEMOS[next(iter(_LEXEME_MEMOS))]
        memo = _LEXEME_MEMOS[id(vocab)] = _LexemeMemo(vocab)
    return memo


class TokenTable:
    """Columns of token attributes of one Doc (see the module docstring)."""

    def __init__(self, doc: Doc) -> None:
        self._doc = weakref.ref(doc)  # the Doc keeps its table; no reference cycle back to it
        self.n = len(doc)
        self._norm_at: dict[int, str] = {}  # token index -> its norm, for ``norms``

    @property
    def doc(self) -> Doc:
        return self._doc()

    def _strings(self, attr: int) -> list[str]:
        """The string of ``attr`` of each token, looked up by hash (in a dict kept across Docs)."""
        if not self.n:
            return []
        if len(_STRINGS) > _STRINGS_LIMIT:
            _STRINGS.clear()
        keys = self.doc.to_array(attr).tolist()
        out = list(map(_STRINGS.get, keys))
        if None in out:
            store = self.doc.vocab.strings
            for i, value in enumerate(out):
                if value is None:
                    key = keys[i]
                    out[i] = _STRINGS[key] = store[key]
        return out

    def _flags(self, attr: int) -> list[bool]:
        return self.doc.to_array(attr).astype(bool).tolist()

    @cached_property
    def _lexical(self) -> tuple[list[str], numpy.ndarray]:
        """The ``lower_`` of each token, and the mask of its flags (``_FLAGS``), from the memo of
        the Doc's vocabulary (``_LexemeMemo``)."""
        texts = self.text
        if not self.n:
            return [], numpy.zeros(0, dtype=numpy.uint16)
        memo = _lexeme_memo(self.doc.vocab)
        memo.add(texts)
        masks = numpy.fromiter(map(memo.flags.__getitem__, texts), dtype=numpy.uint16, count=self.n)
        return list(map(memo.lower.__getitem__, texts)), masks

    def _flag(self, name: str) -> list[bool]:
        bit = _FLAGS.index(name)
        return ((self._lexical[1] >> bit) & 1).astype(bool).tolist()

    @cached_property
    def text(self) -> list[str]:
        return self._strings(ORTH)

    def where(self, test: Callable[[str, str], bool], memo: dict[str, bool] | None = None) -> list[int]:
        """The tokens whose text and lowercased text pass ``test``, in order; ``test`` is asked once
        for each distinct text of the Doc, or once ever with a ``memo`` (text -> answer) kept by the caller."""
        if not self.n:
            return []
        texts = self.text
        if memo is None:
            memo = {}
        elif len(memo) > _MEMO_LIMIT:
            memo.clear()
        passed = list(map(memo.get, texts))  # most texts were asked before
        if None in passed:
            lower = self.lower
            for i, answer in enumerate(passed):
                if answer is None:
                    text = texts[i]
                    answer = memo.get(text)
                    if answer is None:
                        answer = memo[text] = test(text, lower[i])
                    passed[i] = answer
        return list(itertools.compress(range(self.n), passed))

    @cached_property
    def doc_text(self) -> str:
        """``doc.text`` (which spaCy joins from Token objects on every access); the caller that
        tokenized a string may set it to that string."""
        return "".join([text + " " if ws else text for text, ws in zip(self.text, self.ws, strict=True)])

    @cached_property
    def lower(self) -> list[str]:
        return self._lexical[0]

    @cached_property
    def norm(self) -> list[str]:
        return self._strings(NORM)

    def norms(self, start: int, end: int) -> list[str]:
        """``self.norm[start:end]`` (``start >= 0``), reading only those tokens (each once) while no
        one has asked for the whole column: the claim builder reads a few words around each value."""
        column = self.__dict__.get("norm")
        if column is not None:
            return column[start:end]
        known, doc = self._norm_at, self.doc
        out = []
        for k in range(start, min(end, self.n)):
            norm = known.get(k)
            if norm is None:
                norm = known[k] = doc[k].norm_
            out.append(norm)
        return out

    @cached_property
    def ws(self) -> list[bool]:
        """Whether whitespace follows the token."""
        return self._flags(SPACY)

    @cached_property
    def idx(self) -> list[int]:
        return self.doc.to_array(IDX).tolist()

    @cached_property
    def like_num(self) -> list[bool]:
        return self._flag("like_num")

    @cached_property
    def like_url(self) -> list[bool]:
        return self._flag("like_url")

    @cached_property
    def is_alpha(self) -> list[bool]:
        return self._flag("is_alpha")

    @cached_property
    def is_punct(self) -> list[bool]:
        return self._flag("is_punct")

    @cached_property
    def is_space(self) -> list[bool]:
        return self._flag("is_space")

    @cached_property
    def is_title(self) -> list[bool]:
        return self._flag("is_title")

    @cached_property
    def is_upper(self) -> list[bool]:
        return self._flag("is_upper")

    @cached_property
    def is_lower(self) -> list[bool]:
        return self._flag("is_lower")


def token_table(doc: Doc) -> TokenTable:
    """The token table of ``doc``, made on first use and kept with the Doc."""
    table = doc.user_data.get(_KEY)
    if table is None or table._doc() is not doc:
        table = doc.user_data[_KEY] = TokenTable(doc)
    return table
