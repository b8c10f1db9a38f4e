"""``auditor lsp``: the language server, on pygls, over stdio.

- Diagnostics for every open Markdown, HTML and text document, on open and on change (after a
  short pause in typing, ``debounce``), with the rules, config and severities of ``auditor
  check``; contradictions with the other files of the workspace point at them through
  ``relatedInformation``. Every open document (and every file a workspace check published) is
  published again after a change, since a change in one file can start or end a contradiction
  in another.
- Hover on a claim: the extracted claim and the label facts of the packs (``hover.py``).
- Code actions: an ``auditor-ignore`` comment, and "show the label text" (``actions.py``).
- Commands: ``auditor.checkWorkspace`` reads every workspace file again if it changed and
  publishes every finding; ``auditor.showLabel URL`` asks the client to open URL.
- Files changed on disk: watched through the client where it can (``didChangeWatchedFiles``);
  a saved config file (``didSave`` or watched) re-audits the documents under it.

The spaCy pipeline is built once per configuration file; an edit re-runs the pipeline over
the changed document only, then the cross-document step over what is kept in memory. All
auditing runs on one worker thread, so the event loop keeps answering while it works.

Initialization options: ``{"debounce": seconds}`` (default ``DEBOUNCE``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..config_search import CONFIG_NAMES
from ..ingest.files import format_for
from ..ingest.messages import SUFFIXES
from .actions import CHECK_WORKSPACE, SHOW_LABEL, code_actions
from .diagnostics import echoes, to_diagnostic
from .hover import hover_markdown
from .state import LANGUAGE_FORMATS, AuditState

DEBOUNCE = 0.25  # seconds of quiet after a change before the document is audited again
T = TypeVar("T")


class AuditorServer(LanguageServer):
    """The pygls server with auditor's state: units by path, what was published, pending edits."""

    def __init__(self) -> None:
        super().__init__("auditor", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.state = AuditState(warn=self._queue_warning, error=self._queue_error)
        self.debounce = DEBOUNCE
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="auditor")
        self.pending: dict[str, asyncio.Task] = {}
        self.published: set[str] = set()  # paths whose diagnostics the client holds
        self.scanned: asyncio.Future | None = None
        self._messages: list[tuple[types.MessageType, str]] = []

    # -- running work on the worker thread -------------------------------------------
    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the worker thread; then any messages it left are sent."""
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        finally:
            self._flush_messages()

    def _queue_warning(self, message: str) -> None:
        self._messages.append((types.MessageType.Warning, f"auditor: warning: {message}"))

    def _queue_error(self, message: str) -> None:
        self._messages.append((types.MessageType.Error, f"auditor: error: {message}"))

    def _flush_messages(self) -> None:
        messages, self._messages = self._messages, []
        for kind, text in messages:
            if kind == types.MessageType.Error:
                self.window_show_message(types.ShowMessageParams(type=kind, message=text))
            self.window_log_message(types.LogMessageParams(type=kind, message=text))

    # -- diagnostics -----------------------------------------------------------------
    def collect(self, paths: Iterable[str]) -> list[tuple[str, list[types.Diagnostic]]]:
        """Check everything known and convert the findings of ``paths`` (worker thread)."""
        findings = self.state.check()
        codec = self.workspace.position_codec
        cache: dict[str, Sequence[str]] = {}

        def lines(path: str) -> Sequence[str]:
            if path not in cache:
                source = self.state.source_of(path)
                if source is None:
                    try:
                        with open(path, encoding="utf-8", errors="replace") as f:
                            source = f.read()
                    except OSError:
                        source = ""
                cache[path] = source.splitlines(keepends=True)
            return cache[path]

        echoed = echoes(f for found in findings.values() for f in found)
        out = []
        for path in dict.fromkeys(paths):
            diagnostics = [to_diagnostic(f, lines, codec) for f in findings.get(path, [])]
            diagnostics.extend(to_diagnostic(f, lines, codec, echo=True) for f in echoed.get(path, []))
            out.append((path, diagnostics))
        return out

    def publish(self, results: list[tuple[str, list[types.Diagnostic]]]) -> None:
        for path, diagnostics in results:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=self.uri_of(path), diagnostics=diagnostics))
            if diagnostics:
                self.published.add(path)
            else:
                self.published.discard(path)

    def open_paths(self) -> list[str]:
        return [path_of(uri) for uri in self.workspace.text_documents]

    def uri_of(self, path: str) -> str:
        for uri in self.workspace.text_documents:
            if path_of(uri) == path:
                return uri
        return uris.from_fs_path(path) or path

    # -- documents -------------------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> None:
        """Audit ``uri`` again after ``delay`` seconds, unless another change comes first."""
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self.pending[uri] = asyncio.ensure_future(self._refresh(uri, delay))

    async def _refresh(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            if self.scanned is not None:
                await asyncio.shield(self.scanned)
            document = self.workspace.text_documents.get(uri)
            path = path_of(uri)
            if document is None or not audited(path, document.language_id):
                return
            targets = [*self.open_paths(), *self.published]
            results = await self.run(self._update, path, document.source, document.language_id, targets)
            self.publish(results)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bad document must not stop the server
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=f"auditor: error: {uri}: {type(exc).__name__}: {exc}"))
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    def _update(self, path: str, text: str, language_id: str | None, targets: list[str]):
        self.state.set_buffer(path, text, language_id)
        return self.collect(targets)

    async def scan(self) -> None:
        """Read the workspace (what changed since the last scan) and log how."""
        line = await self.run(self.state.scan)
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=line))

    async def settled(self, uri: str) -> None:
        """Wait until a pending audit of ``uri`` is done (hover and code actions read its claims)."""
        task = self.pending.get(uri)
        if task is not None and not task.done():
            await asyncio.wait({task})


server = AuditorServer()


def audited(path: str, language_id: str | None) -> bool:
    """Whether a document is one auditor reads: by suffix, else by the editor's language id."""
    return format_for(path) is not None or (language_id or "") in LANGUAGE_FORMATS


def path_of(uri: str) -> str:
    """The file system path of a document URI (the URI itself for an unsaved, untitled buffer)."""
    path = uris.to_fs_path(uri)
    return os.path.abspath(path) if path else uri


def _roots(params: types.InitializeParams) -> list[str]:
    folders = [f.uri for f in params.workspace_folders or []]
    if not folders and params.root_uri:
        folders = [params.root_uri]
    if not folders and params.root_path:
        return [os.path.abspath(params.root_path)]
    return [path_of(uri) for uri in folders if uri.startswith("file:")]


@server.feature(types.INITIALIZE)
def initialize(ls: AuditorServer, params: types.InitializeParams) -> None:
    ls.state.roots = _roots(params)
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    debounce = options.get("debounce")
    if isinstance(debounce, int | float) and 0 <= debounce <= 10:
        ls.debounce = float(debounce)


@server.feature(types.INITIALIZED)
async def initialized(ls: AuditorServer, params: types.InitializedParams) -> None:
    """Read the workspace (and build the pipeline) before the first document needs it.

    Where the client can watch files for the server, it is asked to report changes to the
    articles and config files of the workspace (made outside the editor: a git checkout).
    """
    ls.scanned = asyncio.ensure_future(ls.scan())
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps else None
    if watched is not None and watched.dynamic_registration:
        suffixes = ",".join(s.lstrip(".") for s in SUFFIXES)
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/*.{{{suffixes}}}"),
                    types.FileSystemWatcher(glob_pattern=f"**/{{{','.join((*CONFIG_NAMES, 'pyproject.toml'))}}}")]
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                id="auditor-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
        except Exception as exc:  # the workspace check and mtimes still notice changes
            ls.window_log_message(types.LogMessageParams(
                type=types.MessageType.Warning, message=f"auditor: warning: file watching not registered: {exc}"))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def watched_files_changed(ls: AuditorServer, params: types.DidChangeWatchedFilesParams) -> None:
    """Files changed on disk: read them again (a config file: the documents under it)."""
    if ls.scanned is not None:
        await asyncio.shield(ls.scanned)
    for change in params.changes:
        path = path_of(change.uri)
        if os.path.basename(path) in (*CONFIG_NAMES, "pyproject.toml"):
            await ls.run(ls.state.forget_config, path)
        else:
            await ls.run(ls.state.file_changed, path)
    ls.publish(await ls.run(ls.collect, [*ls.open_paths(), *ls.published]))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: AuditorServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: AuditorServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, ls.debounce)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: AuditorServer, params: types.DidSaveTextDocumentParams) -> None:
    """A saved config file takes effect for the documents under it (its rules and lexicon loaded again)."""
    path = path_of(params.text_document.uri)
    if os.path.basename(path) in (*CONFIG_NAMES, "pyproject.toml"):
        await ls.run(ls.state.forget_config, path)
        await ls.scan()
        ls.publish(await ls.run(ls.collect, [*ls.open_paths(), *ls.published]))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: AuditorServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    path = path_of(uri)
    await ls.run(ls.state.close_buffer, path)
    others = [p for p in [*ls.open_paths(), *ls.published] if p != path]
    ls.publish(await ls.run(ls.collect, others))
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    ls.published.discard(path)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: AuditorServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    await ls.settled(uri)
    document = ls.workspace.get_text_document(uri)
    at = document.position_codec.position_from_client_units(document.lines, params.position)
    found = await ls.run(ls.state.claim_at, path_of(uri), at.line + 1, at.character + 1)
    if found is None:
        return None
    claim, auditor = found
    text = await ls.run(hover_markdown, auditor, claim)
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
async def code_action(ls: AuditorServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    path = path_of(uri)
    unit = ls.state.unit(path) if ls.state.is_open(path) else None
    fmt = unit.document.format if unit and unit.document else (format_for(path) or "markdown")
    caps = ls.client_capabilities.workspace
    snippets = bool(caps and caps.workspace_edit and caps.workspace_edit.snippet_edit_support)
    return code_actions(uri, document.version, fmt, list(document.lines), list(params.context.diagnostics),
                        snippets, document.position_codec)


@server.command(CHECK_WORKSPACE)
async def check_workspace(ls: AuditorServer, *args: Any) -> dict[str, int]:
    """Read every workspace file again if it changed, check everything, publish every finding."""
    await ls.scan()
    known = await ls.run(lambda: [*ls.state.workspace_files(), *ls.open_paths()])
    results = await ls.run(ls.collect, [*known, *ls.published])
    ls.publish(results)
    return {"files": len(results), "findings": sum(len(d) for _, d in results)}


@server.command(SHOW_LABEL)
async def show_label(ls: AuditorServer, *args: Any) -> bool:
    """Open the label (or guideline) link in the client's browser."""
    url = str(args[0]) if args else ""
    if not url.startswith(("https://", "http://")):
        return False
    result = await ls.window_show_document_async(types.ShowDocumentParams(uri=url, external=True))
    return bool(result and result.success)
