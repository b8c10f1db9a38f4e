"""The language server end to end: a real LSP client drives ``python -m auditor lsp`` over stdio.

One server per module (building the pipeline takes seconds); each test opens documents of
its own, so they do not depend on each other's order. The workspace has one saved article,
``other.md``, that states the label's maximum; the open buffers contradict it.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_asyncio
from lsp_client import diagnostics, open_document, replace, start, stop, uri, with_rule
from lsprotocol import types

on_the_server = pytest.mark.asyncio(loop_scope="module")

MAX_RULE = "alprazolam.gad.max-daily"
BAD = (
    "# Alprazolam for anxiety\n"
    "\n"
    "For generalized anxiety disorder, adults can take up to 10 mg of Xanax a day.\n"
)
OTHER = (
    "# Xanax\n"
    "\n"
    "Alprazolam for generalized anxiety disorder: the maximum dose is 4 mg per day.\n"
)
# "up to 10 mg" on line 2 (from 0), characters 50-61
VALUE_LINE, VALUE_START, VALUE_END = 2, 50, 61


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / "other.md").write_text(OTHER, encoding="utf-8")
    # On disk the article is harmless: what counts for an open document is its buffer.
    for name in ("typed.md", "hover.md", "ignore.md", "label.md", "page.html", "notes.txt"):
        (root / name).write_text("# Draft\n\nNothing yet.\n", encoding="utf-8")
    # a folder with a config of its own, as `auditor check` would find it
    (root / "house").mkdir()
    (root / "house" / "auditor.yaml").write_text(
        'severity: {"alprazolam.gad.max-daily": info}\ndisable: ["benzodiazepines.*"]\n', encoding="utf-8")
    (root / "broken").mkdir()
    (root / "broken" / "auditor.yaml").write_text("fail_on: error\nsevrity: {}\n", encoding="utf-8")
    return root


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(workspace):
    lsp = await start(workspace, snippets=True)
    yield lsp
    assert await stop(lsp) == 0


@on_the_server
async def test_planted_bad_dose_is_flagged_at_its_place_and_clears_when_fixed(client, workspace):
    doc = uri(workspace / "typed.md")
    open_document(client, doc, BAD)
    found = with_rule(await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE))), MAX_RULE)
    assert len(found) == 1
    d = found[0]
    assert (d.range.start.line, d.range.start.character) == (VALUE_LINE, VALUE_START)
    assert (d.range.end.line, d.range.end.character) == (VALUE_LINE, VALUE_END)
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.source == "auditor"
    assert "10 mg/day is above the label's maximum of 4 mg/day" in d.message
    assert d.code_description is not None and d.code_description.href.startswith("https://")

    # the writer types "2" over "10": the finding goes away
    replace(client, doc, 2, (VALUE_LINE, VALUE_START + 6), (VALUE_LINE, VALUE_START + 8), "2")
    after = await diagnostics(client, doc, lambda d: not with_rule(d, MAX_RULE))
    assert not with_rule(after, MAX_RULE)


@on_the_server
async def test_positions_are_in_the_clients_encoding(client, workspace):
    doc = uri(workspace / "emoji.md")
    open_document(client, doc, BAD.replace("For generalized", "\N{PILL} For generalized"))
    found = with_rule(await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE))), MAX_RULE)
    # two code points more before the value, three UTF-16 code units (the pill is outside the BMP)
    assert (found[0].range.start.character, found[0].range.end.character) == (VALUE_START + 3, VALUE_END + 3)


@on_the_server
async def test_a_bad_config_is_one_message_and_the_server_goes_on(client, workspace):
    doc = uri(workspace / "broken" / "draft.md")
    open_document(client, doc, BAD)
    assert len(await diagnostics(client, doc)) == 0
    shown = [m.message for m in client.messages if "auditor.yaml" in m.message]
    assert len(shown) == 1
    assert shown[0].startswith("auditor: error: ") and "broken/auditor.yaml:2: unknown key 'sevrity'" in shown[0]
    # documents under a good config are still audited
    other = uri(workspace / "after-broken.md")
    open_document(client, other, BAD)
    assert with_rule(await diagnostics(client, other, lambda d: bool(with_rule(d, MAX_RULE))), MAX_RULE)


@on_the_server
async def test_contradiction_points_at_the_other_file(client, workspace):
    contradiction = "consistency.maximum-dose"
    doc = uri(workspace / "page.html")
    open_document(client, doc, "<h1>Xanax</h1>\n<p>For generalized anxiety disorder, adults can take up to "
                               "10 mg of Xanax a day.</p>\n", language_id="html")
    found = with_rule(await diagnostics(client, doc, lambda d: bool(with_rule(d, contradiction))), contradiction)
    related = [r for d in found for r in d.related_information or []]
    others = [r for r in related if r.location.uri == uri(workspace / "other.md")]
    assert others, related
    place = others[0].location.range
    assert (place.start.line, place.start.character, place.end.character) == (2, 65, 69)  # "4 mg"
    assert "says 4 mg" in others[0].message
    # the HTML page's own finding is placed in the HTML source
    limit = with_rule(client.diagnostics[doc], MAX_RULE)
    assert limit and limit[0].range.start.line == 1


@on_the_server
async def test_both_articles_of_a_contradiction_show_it(client, workspace):
    first, second = uri(workspace / "panic-a.md"), uri(workspace / "panic-b.md")
    rule = "consistency.starting-dose"
    open_document(client, first, "# Xanax\n\nFor panic disorder, the starting dose of alprazolam is 1 mg three times a day.\n")
    open_document(client, second, "# Alprazolam\n\nFor panic disorder, the starting dose of alprazolam is 0.5 mg three "
                                  "times daily.\n")
    here = with_rule(await diagnostics(client, first, lambda d: bool(with_rule(d, rule))), rule)[0]
    there = with_rule(await diagnostics(client, second, lambda d: bool(with_rule(d, rule))), rule)[0]
    assert "Here, 1 mg 3 times a day differs from the label" in here.message
    # the second article's copy says where that note belongs, and points back at the first place
    assert "In panic-a.md, 1 mg 3 times a day differs from the label" in there.message
    assert (there.range.start.line, there.range.start.character) == (2, 55)
    back = there.related_information[0]
    assert back.location.uri == first and back.location.range.start.character == 55
    assert [r.location.uri for r in here.related_information] == [second]


@on_the_server
async def test_hover_names_the_claim_and_the_label_fact(client, workspace):
    doc = uri(workspace / "hover.md")
    open_document(client, doc, BAD)
    await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE)))
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc),
        position=types.Position(line=VALUE_LINE, character=VALUE_START + 7)))
    assert result is not None
    text = result.contents.value
    assert "| attribute | dose.max (maximum dose) |" in text
    assert "| value | 10 mg |" in text
    assert "| daily total | 10 mg/day |" in text
    assert "| drug | alprazolam |" in text
    assert "| indication | generalized anxiety disorder |" in text
    assert "Label maximum: 4 mg/day" in text and "above the label's maximum" in text
    assert "Section 2.1 Dosage in Generalized Anxiety Disorder" in text
    assert "> The maximum recommended dosage is 4 mg daily" in text
    assert "https://" in text
    # no claim under the title
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc), position=types.Position(line=0, character=3)))
    assert nothing is None


async def _actions(client, doc: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=doc), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


@on_the_server
async def test_ignore_action_inserts_a_suppression_that_silences_the_finding(client, workspace):
    doc = uri(workspace / "ignore.md")
    text = BAD.replace("For generalized", "  For generalized")  # an indented line keeps its indent
    open_document(client, doc, text)
    found = with_rule(await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE))), MAX_RULE)
    actions = [a for a in await _actions(client, doc, found[0]) if a.title.startswith(f"Ignore {MAX_RULE}")]
    assert len(actions) == 1
    change = actions[0].edit.document_changes[0]
    edit = change.edits[0]
    assert isinstance(edit, types.SnippetTextEdit)
    assert edit.range.start == types.Position(line=VALUE_LINE, character=0)
    assert edit.snippet.value == f"  <!-- auditor-ignore {MAX_RULE}: ${{1:reason}} -->\n"

    # apply it as an editor would, the writer typing a reason over the placeholder
    inserted = edit.snippet.value.replace("${1:reason}", "the reader's doctor set this dose")
    replace(client, doc, 2, (VALUE_LINE, 0), (VALUE_LINE, 0), inserted)
    after = await diagnostics(client, doc, lambda d: not with_rule(d, MAX_RULE))
    assert not [d for d in after if d.code == "auditor.unused-suppression"]


@on_the_server
async def test_in_a_markdown_table_the_suppression_ends_the_row(client, workspace):
    doc = uri(workspace / "table.md")
    row = "| Generalized anxiety disorder | 10 mg a day |"
    text = f"# Alprazolam (Xanax) doses\n\n| Condition | Maximum dose |\n| --- | --- |\n{row}\n"
    open_document(client, doc, text)
    found = with_rule(await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE))), MAX_RULE)
    action = next(a for a in await _actions(client, doc, found[0]) if a.title.startswith("Ignore"))
    edit = action.edit.document_changes[0].edits[0]
    assert edit.range.start == types.Position(line=4, character=len(row))
    assert edit.snippet.value == f" <!-- auditor-ignore {MAX_RULE}: ${{1:reason}} -->"
    replace(client, doc, 2, (4, len(row)), (4, len(row)), edit.snippet.value.replace("${1:reason}", "checked"))
    assert not with_rule(await diagnostics(client, doc, lambda d: not with_rule(d, MAX_RULE)), MAX_RULE)


@on_the_server
async def test_show_label_action_opens_the_source_link(client, workspace):
    doc = uri(workspace / "label.md")
    open_document(client, doc, BAD)
    found = with_rule(await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE))), MAX_RULE)
    show = [a for a in await _actions(client, doc, found[0]) if a.title.startswith("Show the label text")]
    assert len(show) == 1 and "2.1 Dosage in Generalized Anxiety Disorder" in show[0].title
    command = show[0].command
    url = found[0].code_description.href
    assert list(command.arguments) == [url]
    ok = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments))
    assert ok is True
    assert client.shown_documents[-1].uri == url
    assert client.shown_documents[-1].external is True


@on_the_server
async def test_plain_text_gets_diagnostics_and_its_own_comment_syntax(client, workspace):
    doc = uri(workspace / "notes.txt")
    open_document(client, doc, "Alprazolam for generalized anxiety disorder: take up to 10 mg a day.\n",
                  language_id="plaintext")
    found = with_rule(await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE))), MAX_RULE)
    action = next(a for a in await _actions(client, doc, found[0]) if a.title.startswith("Ignore"))
    assert action.edit.document_changes[0].edits[0].snippet.value.startswith(f"# auditor-ignore {MAX_RULE}: ")


@on_the_server
async def test_the_config_above_the_file_sets_severities_and_closing_clears(client, workspace):
    doc = uri(workspace / "house" / "dose.md")
    open_document(client, doc, BAD)
    found = await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE)))
    assert with_rule(found, MAX_RULE)[0].severity == types.DiagnosticSeverity.Information
    codes = {d.code for d in found}
    assert "alprazolam.boxed-warning.addiction" in codes
    assert not {c for c in codes if str(c).startswith("benzodiazepines.")}
    # the other folder's articles are checked under their own config: no contradiction across
    assert "consistency.maximum-dose" not in codes

    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=doc)))
    assert len(await diagnostics(client, doc, lambda d: not d)) == 0


@on_the_server
async def test_a_saved_config_takes_effect(client, workspace):
    folder = workspace / "desk"
    folder.mkdir()
    config = folder / "auditor.yaml"
    config.write_text('severity: {"alprazolam.gad.max-daily": info}\n', encoding="utf-8")
    doc = uri(folder / "dose.md")
    open_document(client, doc, BAD)
    found = await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE)))
    assert with_rule(found, MAX_RULE)[0].severity == types.DiagnosticSeverity.Information

    config.write_text('severity: {"alprazolam.gad.max-daily": warning}\n', encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri(config))))
    found = await diagnostics(client, doc, lambda d: any(
        x.severity == types.DiagnosticSeverity.Warning for x in with_rule(d, MAX_RULE)))
    assert len(with_rule(found, MAX_RULE)) == 1


@on_the_server
async def test_a_file_created_outside_the_editor_takes_part(client, workspace):
    watching = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    globs = [w["globPattern"] for w in watching[0].register_options["watchers"]]  # options stay JSON
    assert "**/*.{md,markdown,html,htm,txt}" in globs
    doc = uri(workspace / "watch.md")
    open_document(client, doc, BAD)
    await diagnostics(client, doc, lambda d: bool(with_rule(d, MAX_RULE)))
    fresh = workspace / "fresh.md"
    fresh.write_text(OTHER.replace("4 mg", "3 mg"), encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri(fresh), type=types.FileChangeType.Created)]))

    def names_fresh(items) -> bool:
        return any(r.location.uri == uri(fresh) for d in items for r in d.related_information or [])

    assert names_fresh(await diagnostics(client, doc, names_fresh))
    fresh.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri(fresh), type=types.FileChangeType.Deleted)]))
    assert not names_fresh(await diagnostics(client, doc, lambda d: not names_fresh(d)))


@on_the_server
async def test_check_workspace_publishes_closed_files_too(client, workspace):
    other = uri(workspace / "other.md")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="auditor.checkWorkspace", arguments=[]))
    assert result["files"] >= 7
    published = await diagnostics(client, other, lambda d: bool(d))
    assert "alprazolam.boxed-warning.addiction" in {d.code for d in published}


@on_the_server
async def test_without_snippet_support_the_reason_is_plain_text(tmp_path):
    (tmp_path / "a.md").write_text(BAD, encoding="utf-8")
    lsp = await start(tmp_path, snippets=False, client="neovim")
    try:
        doc = uri(tmp_path / "a.md")
        open_document(lsp, doc, BAD)
        found = with_rule(await diagnostics(lsp, doc, lambda d: bool(with_rule(d, MAX_RULE))), MAX_RULE)
        action = next(a for a in await _actions(lsp, doc, found[0]) if a.title.startswith("Ignore"))
        edits = action.edit.changes[doc]
        assert edits[0].new_text == f"<!-- auditor-ignore {MAX_RULE}: reason -->\n"
    finally:
        assert await stop(lsp) == 0


@on_the_server
async def test_saved_files_are_read_through_the_claim_cache(tmp_path):
    root, cache = tmp_path / "site", tmp_path / "cache"
    root.mkdir()
    (root / "other.md").write_text(OTHER, encoding="utf-8")
    (root / "draft.md").write_text("# Draft\n\nNothing yet.\n", encoding="utf-8")
    doc = uri(root / "draft.md")
    logs = []
    for _run in range(2):
        lsp = await start(root, args=["--cache-dir", str(cache)])
        try:
            open_document(lsp, doc, BAD)
            found = await diagnostics(lsp, doc, lambda d: bool(with_rule(d, "consistency.maximum-dose")))
            related = [r.location.uri for d in with_rule(found, "consistency.maximum-dose")
                       for r in d.related_information or []]
            assert uri(root / "other.md") in related
            logs.append([m.message for m in lsp.log_messages if "workspace files" in m.message])
        finally:
            assert await stop(lsp) == 0
    assert logs[0] == ["auditor: 2 workspace files; read now: 2 (0 from the claim cache, 2 parsed)"]
    assert logs[1] == ["auditor: 2 workspace files; read now: 2 (2 from the claim cache, 0 parsed)"]
    with sqlite3.connect(cache / "claims.sqlite3") as db:
        rows = dict(db.execute("SELECT path, data FROM results"))
    # the saved files are cached; the open buffer's unsaved text never is
    assert set(rows) == {str(root / "other.md"), str(root / "draft.md")}
    assert "4 mg" in rows[str(root / "other.md")]
    assert "10 mg" not in rows[str(root / "draft.md")]


def test_without_pygls_the_command_says_so_in_one_line():
    blocked = ("import sys; sys.modules['pygls'] = None; sys.argv = ['auditor', 'lsp']; "
               "from auditor.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "auditor: error: the language server needs pygls; install it with: pip install 'auditor[lsp]'"]
