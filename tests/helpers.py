"""Small helpers for tests: run the pipeline on a string, run the CLI."""

from __future__ import annotations

from array import array

from click.testing import CliRunner

from auditor.claims import Claim
from auditor.cli import main
from auditor.document import Block, Document
from auditor.extract import extract


def text_document(text: str, path: str = "article.txt") -> Document:
    """A plain-text Document: one block per non-empty line (as ingest makes for .txt)."""
    blocks, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped)
            blocks.append(Block(start, start + len(stripped), "paragraph"))
        pos += len(line) + 1
    return Document(path=path, format="text", source=text, text=text,
                    starts=array("q", range(len(text))), ends=array("q", range(1, len(text) + 1)), blocks=blocks)


def claims_of(nlp, text: str) -> list[Claim]:
    """Claims the pipeline extracts from ``text``."""
    (_document, _doc, claims), = list(extract(nlp, [text_document(text)]))
    return claims


def one_claim(nlp, text: str) -> Claim:
    found = claims_of(nlp, text)
    assert len(found) == 1, [(c.location["quote"], c.attribute) for c in found]
    return found[0]


def run_cli(*args: str, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), catch_exceptions=False)
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def wait_for_pause(proc, timeout: float = 300) -> list[str]:
    """Lines of a run's stderr up to the line of its pause point (``auditor/testhooks.py``)."""
    import time

    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("auditor: paused"):
            return lines
    proc.kill()
    raise AssertionError(f"the run never paused: {lines}")


def small_sections(monkeypatch) -> None:
    """Files over 20,000 bytes read a section of 12,000 characters at a time (3,000 of overlap),
    so that test files are cut into many sections."""
    from auditor.ingest import stream

    monkeypatch.setattr(stream, "STREAM_BYTES", 20_000)
    monkeypatch.setattr(stream, "SECTION_CHARS", 12_000)
    monkeypatch.setattr(stream, "OVERLAP_CHARS", 3_000)


HOUSE_FORBID = """\
pack: house
rules:
  - id: house.no-safe-claims
    type: forbid
    severity: warning
    message: "Avoid calling a medicine completely safe."
    description: No medicine is completely safe.
    any:
      - phrase: completely safe
"""


def house_rules(tmp_path, extra: str = ""):
    """A user rules directory ``house`` with one forbid rule, ``house.no-safe-claims`` (the phrase
    "completely safe"); ``extra``: more lines of that rule, indented as its keys."""
    rules = tmp_path / "house"
    rules.mkdir()
    (rules / "style.yaml").write_text(HOUSE_FORBID + "".join(f"    {line}\n" for line in extra.splitlines()),
                                      encoding="utf-8")
    return rules

