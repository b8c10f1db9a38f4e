"""Self-check of a ``Document``'s source map, for tests and for debugging a reader.

Every character of ``doc.text`` outside the block separators must come from its source
span: the span is the character itself, a backslash escape of it, a character reference or
entity that decodes to it, or, for a space, the whitespace or line break it stands for
(a soft line break, a collapsed run of HTML whitespace, ``<br>``). Spans must move forward
through the source, and separators must map to nothing.
"""

from __future__ import annotations

import html

from auditor.document import Document


def _explains(span: str, ch: str) -> bool:
    if span == ch or (ch == "\ufffd" and span == "\x00"):  # markdown-it replaces NUL
        return True
    if ch == " " and (span.isspace() or span.lower().startswith("<br") or html.unescape(span).isspace()):
        return True
    if span == "\\" + ch:
        return True
    return span.startswith("&") and ch in html.unescape(span)


def mapping_problems(doc: Document, limit: int = 10) -> list[str]:
    """Up to ``limit`` descriptions of characters whose source mapping is wrong; [] if none."""
    problems: list[str] = []
    text, src = doc.text, doc.source
    if not (len(doc.starts) == len(doc.ends) == len(text)):
        return [f"{len(text)} text characters but {len(doc.starts)} starts and {len(doc.ends)} ends"]
    separators = set()
    for prev, nxt in zip(doc.blocks, doc.blocks[1:], strict=False):
        if text[prev.end:nxt.start] != "\n\n":
            problems.append(f"blocks at {prev.start} and {nxt.start} are not separated by a blank line")
        separators.update(range(prev.end, nxt.start))
    if doc.blocks and (doc.blocks[0].start != 0 or doc.blocks[-1].end != len(text)):
        problems.append("the blocks do not cover the whole text")
    last = 0
    for i, ch in enumerate(text):
        s, e = doc.starts[i], doc.ends[i]
        if i in separators:
            if s != -1 or e != -1:
                problems.append(f"separator at {i} maps to {s}:{e}")
        elif s < 0 or e < s or e > len(src):
            problems.append(f"text[{i}]={ch!r} maps to invalid span {s}:{e}")
        elif not _explains(src[s:e], ch):
            problems.append(f"text[{i}]={ch!r} maps to {src[s:e]!r} at {s}:{e}")
        elif s < last:
            problems.append(f"text[{i}]={ch!r} maps to {s}, before the previous character ({last})")
        else:
            last = s
        if len(problems) >= limit:
            break
    return problems
