"""What one document contributes to a run, in a small JSON-serializable form.

``DocumentResult`` is the per-document unit of work: the pipeline makes one from a Document
(``auditor.runner.Auditor.analyze``) and the claim cache stores it (``auditor.cache``); the
finishing step (``Auditor.finish``) turns the results of every document into the Report
without needing the documents or their spaCy Docs again. It holds the claims, the places
where the phrases of ``require``/``forbid`` rules matched, the first mention of each drug or
class (for ``require``), the inline suppressions, the reader's warnings and whether the
document has a Sources section (for ``cite``).

``DocumentStore`` gives reports that need the text (html, the text format's source lines)
the documents of a run by reading them again when a report asks, so that a run does not
keep every document in memory.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .claims import Claim
from .suppress import Suppression, find_suppressions

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .document import Document


@dataclass
class PhraseMatch:
    """A phrase or token pattern of a ``require``/``forbid`` rule found in a document.

    ``location`` is None when the span maps to no source text (it is then never reported);
    ``sentence`` is the text of the sentence holding it (forbid findings are fingerprinted by it).
    """

    rule: str
    start: int  # plain-text offsets in Document.text
    end: int
    location: dict[str, Any] | None
    sentence: str


@dataclass
class Mention:
    """The first place a drug or class (``label``) is named in a document."""

    label: str
    location: dict[str, Any] | None


@dataclass
class DocumentResult:
    """Everything later stages need from one document (see the module docstring)."""

    path: str
    claims: list[Claim] = field(default_factory=list)
    matches: list[PhraseMatch] = field(default_factory=list)  # per rule in document order
    mentions: list[Mention] = field(default_factory=list)  # in document order
    suppressions: list[Suppression] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    has_sources: bool = False  # a Sources / References / Bibliography section

    def claim_count(self) -> int:
        """``len(claims)``: a result from the claim cache knows it without reading its claims."""
        return len(self.claims)

    def later_claims(self) -> Iterable[Claim]:
        """The claims, which a result from the claim cache may read only when they are iterated."""
        return self.claims

    def matches_of(self, rule_id: str) -> list[PhraseMatch]:
        return [m for m in self.matches if m.rule == rule_id]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable form that ``from_dict`` reads back unchanged."""
        return {
            "path": self.path,
            "claims": [c.to_dict() for c in self.claims],
            "matches": [asdict(m) for m in self.matches],
            "mentions": [asdict(m) for m in self.mentions],
            "suppressions": [asdict(s) for s in self.suppressions],
            "warnings": list(self.warnings),
            "has_sources": self.has_sources,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentResult:
        return cls(
            path=data["path"],
            claims=[Claim.from_dict(c) for c in data["claims"]],
            matches=[PhraseMatch(**m) for m in data["matches"]],
            mentions=[Mention(**m) for m in data["mentions"]],
            suppressions=[Suppression(**s) for s in data["suppressions"]],
            warnings=list(data["warnings"]),
            has_sources=bool(data["has_sources"]),
        )


def document_result(document: Document, doc: Doc, claims: list[Claim],
                    matched: dict[str, list[tuple[int, int]]]) -> DocumentResult:
    """The result of a processed document: ``matched`` is rule id -> token spans (PhraseIndex.matches)."""
    matches = []
    if matched:
        sentences = _Sentences(doc)
        for rule_id, spans in matched.items():
            for start, end in sorted(spans):
                start_char, end_char, sentence = sentences.of(start, end)
                matches.append(PhraseMatch(rule_id, start_char, end_char, _location(document, start_char, end_char),
                                           sentence))
    mentions = []
    seen = set()
    for span in doc.spans.get("drugs", []):
        if span.label_ not in seen:
            seen.add(span.label_)
            mentions.append(Mention(span.label_, _location(document, span.start_char, span.end_char)))
    return DocumentResult(
        path=document.path, claims=claims, matches=matches, mentions=mentions,
        suppressions=find_suppressions(document), warnings=list(document.warnings),
        has_sources=document.sources_start is not None,
    )


class _Sentences:
    """Char offsets and sentence texts of token spans of a sentenced Doc, read from its token columns
    (what ``doc[start:end]`` and its ``.sent.text`` give, without making Span and Token objects)."""

    def __init__(self, doc: Doc) -> None:
        import numpy
        from spacy.attrs import SENT_START

        from .pipeline.token_table import token_table

        table = token_table(doc)
        self.texts, self.idx = table.text, table.idx
        self.text = table.doc_text
        starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist()
        self.starts = starts if starts[:1] == [0] else [0, *starts]
        self.n = len(doc)

    def end_char(self, end: int) -> int:
        return self.idx[end - 1] + len(self.texts[end - 1])

    def of(self, start: int, end: int) -> tuple[int, int, str]:
        """(start char, end char, text of the sentence holding its first token) of the non-empty token span ``[start, end)``."""
        k = bisect.bisect_right(self.starts, start)  # the sentence holding ``start`` (as ``Span.sent``)
        first = self.starts[k - 1]
        last = self.starts[k] if k < len(self.starts) else self.n
        return (self.idx[start], self.end_char(end),
                self.text[self.idx[first]:self.end_char(last)])


def _location(document: Document, start: int, end: int) -> dict[str, Any] | None:
    try:
        return document.location(start, end)
    except ValueError:
        return None


class _Handle:
    """A document of a finished run: its warnings at hand, the rest read again on first use."""

    def __init__(self, store: DocumentStore, path: str, warnings: list[str]) -> None:
        self._store = store
        self._path = path
        self.path = path
        self.warnings = warnings

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        document = self._store.load(self._path)
        if document is None:
            raise AttributeError(name)
        return getattr(document, name)


class DocumentStore(Mapping):
    """path -> the run's document, read again from disk when a report needs its text.

    Only the few documents read last are kept. A file that can no longer be read gives a
    document without text (reports then say the text is not available).
    """

    def __init__(self, max_bytes: int, keep: int = 4) -> None:
        self.max_bytes = max_bytes
        self.keep = keep
        self._warnings: dict[str, list[str]] = {}  # path -> the reader's warnings (a handle is made when asked)
        self._loaded: OrderedDict[str, Document | None] = OrderedDict()
        self._sources: OrderedDict[str, Any] = OrderedDict()  # path -> source_text

    def add(self, path: str, warnings: list[str]) -> None:
        self._warnings[path] = warnings if warnings else _NONE

    def load(self, path: str) -> Document | None:
        if path in self._loaded:
            self._loaded.move_to_end(path)
            return self._loaded[path]
        from .errors import InputWarning
        from .ingest import load_document

        try:
            document: Document | None = load_document(path, max_bytes=self.max_bytes)
        except InputWarning:
            document = None
        self._loaded[path] = document
        while len(self._loaded) > self.keep:
            self._loaded.popitem(last=False)
        return document

    def source_text(self, path: str) -> Any:
        """What a report that shows source lines needs of the document at ``path``: its ``source``
        (the decoded file, as ``load_document`` would give it, without parsing it), or None when
        it is unknown or cannot be read; for a long file read a section at a time, the document
        (``line`` reads a line back)."""
        if path not in self._warnings:
            return None
        if path in self._sources:
            self._sources.move_to_end(path)
            return self._sources[path]
        from .errors import InputWarning
        from .ingest import format_for, read_bytes, stream
        from .ingest.decode import decode, is_binary

        found: Any = None
        if format_for(path) is not None:
            if stream.should_stream(stream.file_size(path)):
                found = self.get(path)
            else:
                try:
                    data = read_bytes(path, self.max_bytes)
                except InputWarning:
                    data = None
                if data is not None and not is_binary(data):
                    found = decode(data, path)[0] or None
        self._sources[path] = found
        while len(self._sources) > self.keep:
            self._sources.popitem(last=False)
        return found

    def __getitem__(self, path: str) -> _Handle:
        warnings = self._warnings[path]
        if warnings is _NONE:  # a list of its own, as the document's would be
            warnings = self._warnings[path] = []
        return _Handle(self, path, warnings)

    def get(self, path: str, default: Any = None) -> Any:
        """The document at ``path`` with its text, or ``default`` when it is unknown or unreadable."""
        if path not in self._warnings or self.load(path) is None:
            return default
        return self[path]

    def __contains__(self, path: object) -> bool:
        return path in self._warnings

    def __iter__(self) -> Iterator[str]:
        return iter(self._warnings)

    def __len__(self) -> int:
        return len(self._warnings)


_NONE: list[str] = []  # the warnings of the many documents without any (never changed: see __getitem__)
