"""A real LSP client for the language server tests and benchmark: ``python -m auditor lsp`` over stdio.

pytest-lsp's client (pygls's client side, with the notification capture pytest-lsp adds)
starts the server as a subprocess; these helpers open and edit documents the way an editor
does and wait for the diagnostics the server publishes.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Union

from lsprotocol import types
from pygls import uris
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

SERVER = [sys.executable, "-m", "auditor", "lsp"]


def _converter():
    """lsprotocol's converter, telling a CodeAction from a Command the way editors do.

    lsprotocol reads any object with a ``command`` key as a Command, so a CodeAction that
    runs a command would come back as a Command with the action's JSON as its name; the
    protocol says a Command is the one whose ``command`` is a string.
    """
    converter = default_converter()

    def command_or_action(obj: Any, _: type) -> types.Command | types.CodeAction:
        kind = types.Command if isinstance(obj.get("command"), str) else types.CodeAction
        return converter.structure(obj, kind)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], command_or_action)  # noqa: UP007
    return converter


def _register_capability(client: LanguageClient, params: types.RegistrationParams) -> None:
    """Accept the server's dynamic registrations, as an editor does, and keep them."""
    client.registrations.extend(params.registrations)


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=_converter)
    register_lsp_features(client)
    client.registrations = []
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(_register_capability)
    return client



def uri(path: Path) -> str:
    return uris.from_fs_path(str(path)) or str(path)


def capabilities(snippets: bool, client: str = "visual-studio-code") -> types.ClientCapabilities:
    """A real editor's capabilities, with or without snippets in workspace edits."""
    caps = client_capabilities(client)
    if caps.workspace is not None and caps.workspace.workspace_edit is not None:
        caps.workspace.workspace_edit.snippet_edit_support = snippets
    return caps


async def start(root: Path, snippets: bool = True, debounce: float = 0.05,
                client: str = "visual-studio-code", args: Sequence[str] = ()) -> LanguageClient:
    """A client connected to a new server (``args`` after ``auditor lsp``), with ``root`` as the workspace."""
    config = ClientServerConfig(server_command=[*SERVER, *args], client_factory=make_client)
    lsp = await config.start()
    await lsp.initialize_session(types.InitializeParams(
        capabilities=capabilities(snippets, client),
        root_uri=uri(root),
        workspace_folders=[types.WorkspaceFolder(uri=uri(root), name=root.name)],
        initialization_options={"debounce": debounce},
    ))
    return lsp


async def stop(lsp: LanguageClient) -> int | None:
    """shutdown, exit; the server's exit status."""
    await lsp.shutdown_session()
    server = lsp._server
    await lsp.stop()
    return server.returncode if server else None


Check = Callable[[Sequence[types.Diagnostic]], bool]


async def diagnostics(lsp: LanguageClient, doc_uri: str, check: Check = lambda d: True,
                      timeout: float = 30) -> Sequence[types.Diagnostic]:
    """The diagnostics of ``doc_uri`` once a publication of them satisfies ``check``."""
    async def wait() -> Sequence[types.Diagnostic]:
        while doc_uri not in lsp.diagnostics or not check(lsp.diagnostics[doc_uri]):
            await lsp.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return lsp.diagnostics[doc_uri]

    return await asyncio.wait_for(wait(), timeout)


def open_document(lsp: LanguageClient, doc_uri: str, text: str, language_id: str = "markdown") -> None:
    lsp.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=doc_uri, language_id=language_id, version=1, text=text)))


def replace(lsp: LanguageClient, doc_uri: str, version: int, start: tuple[int, int], end: tuple[int, int],
            text: str) -> None:
    """An incremental change: ``text`` in place of the range ``start``-``end`` (line, character)."""
    lsp.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc_uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=start[0], character=start[1]),
                              end=types.Position(line=end[0], character=end[1])),
            text=text)],
    ))


def with_rule(items: Sequence[types.Diagnostic], rule: str) -> list[types.Diagnostic]:
    return [d for d in items if d.code == rule]
