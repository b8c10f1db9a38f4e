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
the text is seen. So they are read once per text and vocabulary and kept (``_lexical_memo``);
``doc.to_array`` would read them again for every token of every Doc.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from functools import cached_property

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
# The lexeme attributes of ``TokenTable._lexical``, in its order.
_LEXICAL = ("lower_", "like_num", "like_url", "is_alpha", "is_punct", "is_space", "is_title", "is_upper", "is_lower")
# id(vocab) -> (vocab, text -> its lexeme's attributes in the order of _LEXICAL); the vocabulary is
# kept so that its id is not reused while its entry is here
_LEXICAL_MEMOS: dict[int, tuple[Vocab, dict[str, tuple]]] = {}
_LEXICAL_VOCABS = 4  # vocabularies remembered at once (a process builds one pipeline, tests a few)


def _lexical_memo(vocab: Vocab) -> dict[str, tuple]:
    """Text -> the attributes ``_LEXICAL`` of its lexeme in ``vocab``, filled as texts are met.

    Each entry holds what ``vocab[text]`` says, which is what every token of that text in a Doc
    of ``vocab`` says (a token's ``lower_`` and flags are those of its lexeme)."""
    entry = _LEXICAL_MEMOS.get(id(vocab))
    if entry is None or entry[0] is not vocab:
        if len(_LEXICAL_MEMOS) >= _LEXICAL_VOCABS:
            del _LEXICAL_MEMOS[next(iter(_LEXICAL_MEMOS))]
        entry = _LEXICAL_MEMOS[id(vocab)] = (vocab, {})
    memo = entry[1]
    if len(memo) > _STRINGS_LIMIT:
        memo.clear()
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
    def _lexical(self) -> list[tuple]:
        """For each token, the attributes ``_LEXICAL`` of its lexeme (from ``_lexical_memo``)."""
        if not self.n:
            return []
        texts = self.text
        vocab = self.doc.vocab
        memo = _lexical_memo(vocab)
        rows = list(map(memo.get, texts))
        if None in rows:  # a text this vocabulary's memo has not met yet
            for i, row in enumerate(rows):
                if row is None:
                    text = texts[i]
                    row = memo.get(text)
                    if row is None:
                        lexeme = vocab[text]
                        row = memo[text] = tuple(getattr(lexeme, name) for name in _LEXICAL)
                    rows[i] = row
        return rows

    def _lexical_column(self, name: str) -> list:
        k = _LEXICAL.index(name)
        return [row[k] for row in self._lexical]

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
        return self._lexical_column("lower_")

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
        return self._lexical_column("like_num")

    @cached_property
    def like_url(self) -> list[bool]:
        return self._lexical_column("like_url")

    @cached_property
    def is_alpha(self) -> list[bool]:
        return self._lexical_column("is_alpha")

    @cached_property
    def is_punct(self) -> list[bool]:
        return self._lexical_column("is_punct")

    @cached_property
    def is_space(self) -> list[bool]:
        return self._lexical_column("is_space")

    @cached_property
    def is_title(self) -> list[bool]:
        return self._lexical_column("is_title")

    @cached_property
    def is_upper(self) -> list[bool]:
        return self._lexical_column("is_upper")

    @cached_property
    def is_lower(self) -> list[bool]:
        return self._lexical_column("is_lower")


def token_table(doc: Doc) -> TokenTable:
    """The token table of ``doc``, made on first use and kept with the Doc."""
    table = doc.user_data.get(_KEY)
    if table is None or table._doc() is not doc:
        table = doc.user_data[_KEY] = TokenTable(doc)
    return table
