"""A hostile corpus: no file can kill or stall a run.

The corpus is generated in ``tmp_path``: invalid UTF-8, UTF-16 with a byte-order mark, NUL
bytes, a 3 MB single line, 20,000 nested HTML elements, unclosed tags, a 20,000-item list, an
empty file, a binary file, an unreadable file, a symlink loop, a dangling symlink and a file
that vanishes while the run is going on, beside one ordinary article. The run is a real
process (``auditor check``), so that a hang shows up as a timeout and a traceback on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import wait_for_pause

ARTICLE = "# Clonazepam for panic disorder\n\nAdults with panic disorder can take up to 6 mg of clonazepam a day.\n"
DOSE = "Take 0.5 mg of clonazepam twice a day."

# A wrapper that runs the CLI with open() failing on files named locked.*: an unreadable file,
# whoever runs the tests (root reads files with mode 000).
RUN = """
import builtins, sys
real_open = builtins.open
def guarded(file, *args, **kwargs):
    if str(file).rsplit("/", 1)[-1].startswith("locked."):
        raise PermissionError(13, "Permission denied", str(file))
    return real_open(file, *args, **kwargs)
builtins.open = guarded
from auditor.cli import main
sys.argv = ["auditor", *sys.argv[1:]]
main()
"""


def hostile_corpus(folder: Path) -> dict[str, str]:
    """Write the corpus; returns file name -> the words its stderr line must contain ("" for none)."""
    folder.mkdir(exist_ok=True)
    (folder / "article.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "bad-utf8.md").write_bytes(b"# Dose\n\n" + DOSE.encode() + b" \xff\xfe\xfa broken.\n")
    (folder / "utf16.md").write_bytes("\ufeff# Dose\n\n".encode("utf-16-le") + (DOSE + "\n").encode("utf-16-le"))
    (folder / "nul.txt").write_bytes(DOSE.encode() + b"\x00\x00" + DOSE.encode())
    (folder / "long-line.txt").write_text(DOSE + " " + "x" * 3_000_000 + " " + DOSE, encoding="utf-8")
    (folder / "nested.html").write_text("<html><body>" + "<div>" * 20_000 + DOSE + "</div>" * 20_000, encoding="utf-8")
    (folder / "unclosed.html").write_text(
        "<html><body>" + "".join(f"<p><b><i><span>{DOSE} <a href='x{i}'>ref" for i in range(300)) + "<div <p", encoding="utf-8")
    (folder / "list.md").write_text("# Doses\n\n" + "".join(f"- item {i}: take 0.{i} mg\n" for i in range(20_000)),
                                    encoding="utf-8")
    (folder / "empty.md").write_bytes(b"")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 64)
    (folder / "locked.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "loop-a.md").symlink_to(folder / "loop-b.md")
    (folder / "loop-b.md").symlink_to(folder / "loop-a.md")
    (folder / "dangling.md").symlink_to(folder / "no-such-target.md")
    (folder / "zz-vanishes.md").write_text(ARTICLE, encoding="utf-8")
    return {
        "bad-utf8.md": "invalid UTF-8 at byte",
        "nul.txt": "binary file",
        "empty.md": "empty file",
        "binary.html": "binary file",
        "locked.md": "permission denied",
        "loop-a.md": "symbolic links",
        "loop-b.md": "symbolic links",
        "dangling.md": "no such file",
        "zz-vanishes.md": "no such file",
    }


def start(args: list[str], cwd: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", RUN, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


def test_every_hostile_file_is_one_line_and_the_rest_is_audited(tmp_path):
    corpus = tmp_path / "corpus"
    expected = hostile_corpus(corpus)
    resume = tmp_path / "resume"
    proc = start(["check", "corpus", "--format", "json=report.json", "--format", "text"], tmp_path,
                 AUDITOR_TEST_PAUSE_AFTER="1", AUDITOR_TEST_RESUME=str(resume))
    before = wait_for_pause(proc)
    (corpus / "zz-vanishes.md").unlink()  # read after the pause: it is gone by then
    resume.touch()
    out, err = proc.communicate(timeout=600)
    err = "".join(before) + err
    assert "Traceback" not in err and "Traceback" not in out
    assert proc.returncode == 1, err  # the article's error finding; no exit 2 or 3
    lines = [line for line in err.splitlines() if line and not line.startswith("auditor: paused")]
    for name, words in expected.items():
        mine = [line for line in lines if f"corpus/{name}:" in line]
        assert len(mine) == 1, (name, lines)
        assert words in mine[0], mine
    assert len(lines) == len(expected), lines  # nothing else is complained about
    report = json.loads((tmp_path / "report.json").read_text())
    audited = {"article.md", "utf16.md", "long-line.txt", "nested.html", "unclosed.html", "list.md", "bad-utf8.md"}
    assert report["summary"]["files"] == len(audited)
    assert any(f["rule"] == "clonazepam.panic.max-daily" and f["path"].endswith("article.md") for f in report["findings"])
    assert "clonazepam.panic.max-daily" in out


def test_claims_at_the_far_end_of_hostile_files_are_found(tmp_path):
    corpus = tmp_path / "corpus"
    hostile_corpus(corpus)
    names = ["long-line.txt", "nested.html", "utf16.md", "bad-utf8.md", "unclosed.html"]
    proc = start(["claims", *[f"corpus/{n}" for n in names], "--format", "jsonl"], tmp_path)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    claims = [json.loads(line) for line in out.splitlines()]
    by_file: dict[str, list[dict]] = {}
    for claim in claims:
        by_file.setdefault(claim["path"].rsplit("/", 1)[-1], []).append(claim)
    long_line = by_file["long-line.txt"]
    assert [(c["line"], c["column"]) for c in long_line if c["unit"] == "mg"] == [(1, 6), (1, 3_000_000 + len(DOSE) + 8)]
    assert {c["quote"] for c in by_file["nested.html"]} >= {"0.5 mg"}
    assert len([c for c in by_file["unclosed.html"] if c["unit"] == "mg"]) == 300
    for name in ("utf16.md", "bad-utf8.md"):
        assert any(c["quote"] == "0.5 mg" for c in by_file[name]), name


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files with mode 000; the open() wrapper covers it")
def test_a_file_with_mode_000_is_one_warning(tmp_path):
    (tmp_path / "ok.md").write_text(ARTICLE, encoding="utf-8")
    locked = tmp_path / "mode000.md"
    locked.write_text(ARTICLE, encoding="utf-8")
    locked.chmod(0)
    try:
        proc = start(["check", "."], tmp_path)
        _out, err = proc.communicate(timeout=300)
    finally:
        locked.chmod(0o644)
    assert err.count("mode000.md: permission denied") == 1
    assert "Traceback" not in err
