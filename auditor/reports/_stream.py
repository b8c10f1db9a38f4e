"""Reports written piece by piece: a JSON document whose one long list is streamed.

``json_chunks`` gives the same text as ``json.dumps(document, indent=2, ensure_ascii=False)``
would with the list in place, without holding the list or the text: the document is dumped
with a marker where the list goes, and each item is dumped on its own, indented to its depth.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

LIST_HERE = "\ue000auditor: the streamed list\ue000"  # a value no report contains


def json_chunks(document: dict[str, Any], items: Iterable[Any], *, indent: int = 2) -> Iterator[str]:
    """``document`` as indented JSON, with ``items`` as the list that ``LIST_HERE`` stands for."""
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    head, found, tail = text.partition(json.dumps(LIST_HERE, ensure_ascii=False))
    if not found:
        raise ValueError("the document has no place for the streamed list")
    line = head[head.rfind("\n") + 1:]
    depth = len(line) - len(line.lstrip(" "))  # the indentation of the line that holds the list
    pad = "\n" + " " * (depth + indent)
    first = True
    for item in items:
        body = json.dumps(item, indent=indent, ensure_ascii=False).replace("\n", pad)
        yield f"{head}[{pad}{body}" if first else f",{pad}{body}"
        first = False
    yield f"{head}[]{tail}" if first else f"\n{' ' * depth}]{tail}"
