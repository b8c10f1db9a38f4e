"""The seam between the language server and the audit stages: the unit of one document.

A document's unit is the runner's ``DocumentResult`` (claims, phrase matches, drug mentions,
suppressions): ``from_buffer`` makes it from an open document's text with one pipeline pass,
``from_file`` reads a saved file through ``Auditor.results_of`` (the claim cache, where there
is one). ``finish`` is the cheap step over the units of many documents -- the rules over their
claims and matches, consistency across them, suppressions, order -- done by
``Auditor.finish`` as for a whole run, so an edit re-extracts only the document that changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..docresult import DocumentResult
from ..document import Document
from ..findings import Finding
from ..runner import Auditor, Warn


@dataclass
class DocumentUnit:
    """One document's result, with the Document itself for an open buffer (hover, positions)."""

    result: DocumentResult
    document: Document | None = None  # kept for buffers only: saved files are read again when needed

    @property
    def path(self) -> str:
        return self.result.path


def from_buffer(auditor: Auditor, document: Document) -> DocumentUnit:
    """One pipeline pass over a document read from an editor's buffer."""
    return DocumentUnit(next(iter(auditor.analyze([document]))), document)


def from_file(auditor: Auditor, path: str, warn: Warn) -> DocumentUnit | None:
    """A saved file's unit (None when it cannot be read; ``warn`` says why)."""
    for result in auditor.results_of([path], warn):
        return DocumentUnit(result)
    return None


def finish(auditor: Auditor, units: Iterable[DocumentUnit]) -> list[Finding]:
    """Every finding of these documents, consistency across them included, suppressions applied.

    The units are not changed: applying suppressions counts their uses, so each run gets copies.
    """
    results = [replace(u.result, suppressions=[replace(s, used=0) for s in u.result.suppressions])
               for u in units]
    return auditor.finish(results, documents={}).findings
