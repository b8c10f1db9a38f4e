"""Reports written piece by piece: a JSON document whose one long list is streamed.

``json_chunks`` gives the same text as ``json.dumps(document, indent=2, ensure_ascii=False)``
would with the list in place, without holding the list or the text: the document is dumped
with a marker where the list goes, and each item is dumped on its own, indented to its depth.

``indented`` is that ``json.dumps`` text of one value, made faster: the standard library
indents with its pure-Python encoder, one generator step per token; here strings are escaped
by its C function (``encode_basestring``, as ``ensure_ascii=False`` does), numbers are written
as ``json`` writes them, and each dict or list is joined at once. A value of any other type
(a subclass, a non-string key) is dumped by ``json.dumps`` itself, so the text is always the
same.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

LIST_HERE = "\ue000auditor: the streamed list\ue000"  # a value no report contains


def json_chunks(document: dict[str, Any], items: Iterable[Any], *, indent: int = 2) -> Iterator[str]:
    """``document`` as indented JSON, with ``items`` as the list that ``LIST_HERE`` stands for."""
    step = " " * indent
    text = indented(document, step)
    head, found, tail = text.partition(encode_basestring(LIST_HERE))
    if not found:
        raise ValueError("the document has no place for the streamed list")
    line = head[head.rfind("\n") + 1:]
    depth = len(line) - len(line.lstrip(" "))  # the indentation of the line that holds the list
    pad = "\n" + " " * (depth + indent)
    first = True
    for item in items:
        body = _value(item, pad, step)
        yield f"{head}[{pad}{body}" if first else f",{pad}{body}"
        first = False
    yield f"{head}[]{tail}" if first else f"\n{' ' * depth}]{tail}"


def indented(value: Any, step: str = "  ") -> str:
    """``json.dumps(value, indent=len(step), ensure_ascii=False)``."""
    return _value(value, "\n", step)


_CONSTANTS = {None: "null", True: "true", False: "false"}
_FLOATS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


def _value(value: Any, pad: str, step: str) -> str:
    """The JSON of ``value`` on a line indented by ``pad`` (a newline and spaces)."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = pad + step
        try:
            return "{" + inner + ("," + inner).join([encode_basestring(k) + ": " + _value(v, inner, step)
                                                     for k, v in value.items()]) + pad + "}"
        except TypeError:  # a key that is not a string: json.dumps turns it into one
            pass
    elif kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = pad + step
        return "[" + inner + ("," + inner).join([_value(v, inner, step) for v in value]) + pad + "]"
    elif kind is int:
        return int.__repr__(value)
    elif kind is float:
        if value != value:
            return "NaN"
        return _FLOATS.get(value) or float.__repr__(value)
    elif value is None or kind is bool:
        return _CONSTANTS[value]
    return json.dumps(value, indent=len(step), ensure_ascii=False).replace("\n", pad)
