"""Code actions for auditor's diagnostics: suppress a finding, or open the label it cites.

The suppression is the comment ``auditor/suppress.py`` reads, on its own line above the
finding's line (it applies to its own line and the next), indented like that line:
``<!-- auditor-ignore RULE: reason -->`` in Markdown and HTML, ``# auditor-ignore RULE: reason``
in plain text. In a Markdown table row a line of its own would end the table, so there the
comment goes at the end of the row. The reason is a snippet placeholder, selected when the
client applies snippets in workspace edits, and the word "reason" otherwise.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from .diagnostics import SOURCE

SHOW_LABEL = "auditor.showLabel"
CHECK_WORKSPACE = "auditor.checkWorkspace"
PLACEHOLDER = "reason"


def suppression_text(fmt: str, rule: str, reason: str) -> str:
    """The suppression comment for a file format (``markdown``, ``html`` or ``text``)."""
    if fmt == "text":
        return f"# auditor-ignore {rule}: {reason}"
    return f"<!-- auditor-ignore {rule}: {reason} -->"


def suppress_edit(uri: str, version: int | None, fmt: str, rule: str, line: int, line_text: str,
                  snippets: bool, codec: PositionCodec) -> types.WorkspaceEdit:
    """The edit that inserts a suppression of ``rule`` for the finding on 0-based ``line``."""
    stripped = line_text.rstrip("\r\n")
    in_table = fmt == "markdown" and stripped.lstrip().startswith("|")
    reason = "${1:" + PLACEHOLDER + "}" if snippets else PLACEHOLDER
    comment = suppression_text(fmt, rule, reason)
    if in_table:
        at = types.Position(line=line, character=codec.client_num_units(stripped))
        text = f" {comment}"
    else:
        at = types.Position(line=line, character=0)
        indent = stripped[: len(stripped) - len(stripped.lstrip())]
        text = f"{indent}{comment}\n"
    where = types.Range(start=at, end=at)
    if snippets:
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=[types.SnippetTextEdit(range=where, snippet=types.StringValue(value=text))],
        )])
    return types.WorkspaceEdit(changes={uri: [types.TextEdit(range=where, new_text=text)]})


def code_actions(uri: str, version: int | None, fmt: str, lines: list[str],
                 diagnostics: list[types.Diagnostic], snippets: bool, codec: PositionCodec) -> list[types.CodeAction]:
    """The actions for the auditor diagnostics the client asks about."""
    out: list[types.CodeAction] = []
    shown: set[str] = set()
    for diagnostic in diagnostics:
        data: dict[str, Any] = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        rule = str(diagnostic.code or data.get("rule") or "")
        if diagnostic.source != SOURCE or not rule:
            continue
        line = diagnostic.range.start.line
        # suppression problems are fixed by editing the comment; an echo is suppressed at its first place
        if not rule.startswith("auditor.") and not data.get("echo"):
            line_text = lines[line] if line < len(lines) else ""
            out.append(types.CodeAction(
                title=f"Ignore {rule} here (auditor-ignore with a reason)",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=suppress_edit(uri, version, fmt, rule, line, line_text, snippets, codec),
            ))
        url = data.get("url")
        if url and url not in shown:
            shown.add(url)
            what = ", ".join(str(data[k]) for k in ("title", "section") if data.get(k)) or url
            out.append(types.CodeAction(
                title=f"Show the label text ({what})",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                command=types.Command(title="Show the label text", command=SHOW_LABEL, arguments=[url]),
            ))
    return out

