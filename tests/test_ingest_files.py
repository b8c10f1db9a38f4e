"""Finding input files and reading them: every way an input can be unusable."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from auditor.errors import InputWarning
from auditor.ingest import DEFAULT_MAX_BYTES, SUFFIXES, discover, load_document
from auditor.ingest.check import mapping_problems
from auditor.ingest.messages import human_size


def _write(path: Path, text: str = "Take 0.5 mg twice daily.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _messages(warnings: list[InputWarning]) -> list[str]:
    return [str(w) for w in warnings]


# -- discover ---------------------------------------------------------------------------------
def test_directories_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b.md", "a.txt", "sub/c.html", "sub/d.htm", "z.markdown", "notes.rst", ".hidden.md",
                 ".git/e.md", "sub/image.png"):
        _write(tmp_path / name)
    top = str(tmp_path)
    files, warnings = discover([top])
    assert warnings == []
    assert files == [os.path.join(top, n) for n in ("a.txt", "b.md", "sub/c.html", "sub/d.htm", "z.markdown")]


def test_paths_are_reported_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "articles" / "one.md")
    _write(tmp_path / "two.txt")
    monkeypatch.chdir(tmp_path)
    files, warnings = discover(["articles/", "two.txt", "./two.txt"])
    assert files == ["articles/one.md", "two.txt"]  # the second spelling of two.txt is a duplicate
    assert warnings == []


def test_include_and_exclude_match_relative_and_full_paths(tmp_path: Path) -> None:
    for name in ("keep.md", "page.html", "drafts/wip.md", "drafts/deep/more.md", "old/x.txt"):
        _write(tmp_path / name)
    top = str(tmp_path)
    files, _ = discover([top], exclude=["drafts/*", "*.html"])
    assert files == [os.path.join(top, "keep.md"), os.path.join(top, "old/x.txt")]
    files, _ = discover([top], include=["*.md"], exclude=[os.path.join(top, "drafts") + "*"])
    assert files == [os.path.join(top, "keep.md")]
    files, _ = discover([top], exclude=["drafts"])  # a directory name prunes the whole directory
    assert os.path.join(top, "drafts/wip.md") not in files


def test_explicit_files_ignore_globs_but_not_suffixes(tmp_path: Path) -> None:
    md = _write(tmp_path / "a.md")
    rst = _write(tmp_path / "a.rst")
    files, warnings = discover([str(md), str(rst)], exclude=["*.md"])
    assert files == [str(md)]
    assert _messages(warnings) == [
        f"{rst}: unsupported file type (expected .md, .markdown, .html, .htm or .txt); skipped"
    ]


def test_missing_path_and_empty_directory_warn(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _write(tmp_path / "only" / "readme.rst")
    files, warnings = discover([str(tmp_path / "x.md"), str(tmp_path / "empty"), str(tmp_path / "only")])
    assert files == []
    assert _messages(warnings) == [
        f"{tmp_path / 'x.md'}: no such file or directory",
        f"{tmp_path / 'empty'}: no .md, .markdown, .html, .htm or .txt files to audit",
        f"{tmp_path / 'only'}: no .md, .markdown, .html, .htm or .txt files to audit",
    ]
    assert isinstance(warnings[0], InputWarning) and warnings[0].path == str(tmp_path / "x.md")


def test_a_file_name_that_is_not_utf8_is_skipped_with_one_line(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("file names of arbitrary bytes are a POSIX thing")
    good = _write(tmp_path / "good.md")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.md"), "wb") as handle:  # Latin-1 "café"
        handle.write(b"Take 0.5 mg twice daily.\n")
    files, warnings = discover([str(tmp_path)])
    assert files == [str(good)]
    assert _messages(warnings) == [f"{tmp_path}/caf\\xe9.md: file name is not valid UTF-8 "
                                   "(reports name files in UTF-8); skipped"]


def test_suffixes_are_matched_in_any_case(tmp_path: Path) -> None:
    _write(tmp_path / "UPPER.MD")
    files, _ = discover([str(tmp_path)])
    assert files == [str(tmp_path / "UPPER.MD")]
    assert load_document(files[0]).format == "markdown"
    assert SUFFIXES == (".md", ".markdown", ".html", ".htm", ".txt")


# -- load_document: unusable files ------------------------------------------------------------
def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputWarning) as err:
        load_document(str(tmp_path / "gone.md"))
    assert str(err.value) == f"{tmp_path / 'gone.md'}: no such file or directory"


def test_unreadable_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "locked.md")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user can read a file with mode 000 (running as root)")
        with pytest.raises(InputWarning) as err:
            load_document(str(path))
        assert str(err.value) == f"{path}: permission denied"
    finally:
        path.chmod(0o644)


def test_permission_error_becomes_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "locked.md")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(InputWarning) as err:
        load_document(str(path))
    assert str(err.value) == f"{path}: permission denied"


def test_directory_given_to_load_document(tmp_path: Path) -> None:
    (tmp_path / "dir.md").mkdir()
    with pytest.raises(InputWarning, match="is a directory"):
        load_document(str(tmp_path / "dir.md"))


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputWarning) as err:
        load_document(str(path))
    assert str(err.value) == f"{path}: binary file (contains NUL bytes); skipped"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputWarning) as err:
        load_document(str(path))
    assert str(err.value) == f"{path}: empty file; nothing to audit"
    bom_only = tmp_path / "bom.txt"
    bom_only.write_bytes(codecs.BOM_UTF8)
    with pytest.raises(InputWarning, match="empty file; nothing to audit"):
        load_document(str(bom_only))


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = _write(tmp_path / "notes.rst")
    with pytest.raises(InputWarning, match="unsupported file type"):
        load_document(str(path))


def test_file_larger_than_the_limit(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.md", "x" * 2000)
    with pytest.raises(InputWarning) as err:
        load_document(str(path), max_bytes=1024)
    assert str(err.value) == f"{path}: 2 KB is larger than the 1 KB limit; skipped"
    assert load_document(str(path), max_bytes=2000).text == "x" * 2000  # exactly at the limit is fine


def test_real_52_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with open(path, "wb") as f:
        f.truncate(int(52.4 * 1024 * 1024))  # sparse: no data written
    with pytest.raises(InputWarning) as err:
        load_document(str(path))
    assert str(err.value) == f"{path}: 52.4 MB is larger than the 10 MB limit; skipped"
    assert DEFAULT_MAX_BYTES == 10 * 1024 * 1024


def test_human_sizes() -> None:
    assert [human_size(n) for n in (0, 1, 1023, 1024, 1536, 10 * 1024 * 1024, 3 * 1024 ** 3)] == [
        "0 bytes", "1 byte", "1023 bytes", "1 KB", "1.5 KB", "10 MB", "3 GB",
    ]


# -- load_document: encodings -----------------------------------------------------------------
def test_invalid_utf8_is_replaced_with_a_warning_naming_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Dose: 5 mg\nCafé au lait\n".encode("latin-1"))
    doc = load_document(str(path))
    assert doc.warnings == [f"{path}: invalid UTF-8 at byte 14; undecodable bytes replaced"]
    assert "Caf\ufffd au lait" in doc.text
    assert mapping_problems(doc) == []


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_byte_order_marks_select_the_encoding(tmp_path: Path, codec: str) -> None:
    source = "# Dosing\n\nStart at **0.25 mg** twice daily; the label’s limit is 4 mg.\n"
    path = tmp_path / "bom.md"
    data = source.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path.write_bytes(data)
    doc = load_document(str(path))
    assert doc.source == source
    assert doc.warnings == []
    i = doc.text.index("0.25 mg")
    assert doc.location(i, i + 7) == {
        "path": str(path), "line": 3, "column": 12, "end_line": 3, "end_column": 19, "quote": "0.25 mg",
    }
    assert mapping_problems(doc) == []


def test_invalid_utf16_names_the_file_offset(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    lone_surrogate = b"\x00\xd8"
    path.write_bytes(codecs.BOM_UTF16_LE + "Dose 1 mg\n".encode("utf-16-le") + lone_surrogate
                     + "ok".encode("utf-16-le"))
    doc = load_document(str(path))
    assert doc.warnings == [f"{path}: invalid UTF-16 at byte 22; undecodable bytes replaced"]
    assert doc.text.startswith("Dose 1 mg")


def test_crlf_is_kept_in_the_source(tmp_path: Path) -> None:
    path = tmp_path / "win.md"
    path.write_bytes(b"# Title\r\n\r\nTake 1 mg\r\nat night.\r\n")
    doc = load_document(str(path))
    assert "\r\n" in doc.source
    assert doc.text == "Title\n\nTake 1 mg at night."
    i = doc.text.index("at night")
    assert doc.location(i, i + 8)["line"] == 4
    assert mapping_problems(doc) == []


def test_mapping_check_reports_a_wrong_offset(tmp_path: Path) -> None:
    doc = load_document(str(_write(tmp_path / "a.md", "# Dose\n\nTake 0.5 mg.\n")))
    assert mapping_problems(doc) == []
    i = doc.text.index("0.5")
    doc.starts[i] += 1
    doc.ends[i] += 1
    assert mapping_problems(doc) == ["text[11]='0' maps to '.' at 14:15"]
