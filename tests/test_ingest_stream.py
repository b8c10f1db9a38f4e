"""Long files read a section at a time (auditor.ingest.stream) give what one Document gives."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from helpers import small_sections

from auditor.errors import InputWarning
from auditor.ingest import load_document, stream
from auditor.ingest.decode import decode

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def small(monkeypatch):
    """Sections of a few kilobytes, so that test files are cut into many."""
    small_sections(monkeypatch)
    monkeypatch.setattr(stream, "READ_BYTES", 997)


def _markdown() -> str:
    return "".join(p.read_text(encoding="utf-8").rstrip("\n") + "\n\n" for p in sorted((REPO / "corpus").glob("*.md")))


def _html() -> str:
    bodies = []
    for p in sorted((REPO / "corpus").glob("*.html")):
        m = re.search(r"<body[^>]*>(.*)</body>", p.read_text(encoding="utf-8"), re.S | re.I)
        bodies.append(m.group(1))
    return "\n".join(bodies) + "\n"


def _text() -> str:
    # gold articles without a Sources section (in plain text one runs to the end of the file)
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "tests" / "gold").glob("*.txt"))]
    return "".join(t.rstrip("\n") + "\n\n" for t in texts if "Sources" not in t and "References" not in t)


def _comparable(result) -> dict:
    data = result.to_dict()
    for match in data["matches"]:  # pieces end elsewhere: the same matches, another interleaving
        match["sentence"] = " ".join(match["sentence"].split())
    data["matches"].sort(key=lambda m: (m["rule"], m["start"]))
    return data


@pytest.mark.parametrize("fmt,make,head,tail", [
    ("md", _markdown, "<!-- auditor-ignore clonazepam.*: checked by hand -->\n\n", ""),
    ("html", _html, "<html><head><title>Articles</title></head><body>\n", "</body></html>\n"),
    ("txt", _text, "", ""),
])
def test_a_file_read_in_sections_gives_the_result_of_one_document(auditor, small, monkeypatch, tmp_path, fmt, make,
                                                                 head, tail):
    body = make()
    path = tmp_path / f"long.{fmt}"
    path.write_text(head + body * max(3, 80_000 // len(body)) + tail, encoding="utf-8")
    streamed = load_document(str(path))
    assert isinstance(streamed, stream.StreamedDocument)
    assert len(list(streamed.sections())) > 4
    got = next(auditor.analyze([streamed]))
    monkeypatch.setattr(stream, "STREAM_BYTES", 10**12)
    whole = load_document(str(path))
    assert not isinstance(whole, stream.StreamedDocument)
    expected = next(auditor.analyze([whole]))
    assert len(expected.claims) > 50
    assert _comparable(got) == _comparable(expected)
    # the same bytes already in memory
    assert _comparable(next(auditor.analyze([load_document(str(path), data=path.read_bytes())]))) == _comparable(expected)


@pytest.mark.parametrize("codec,text", [
    ("utf-8", "dose é 0.5 mg ✓ 𝄞 " * 400),
    ("utf-8-sig", "dose é 0.5 mg ✓ 𝄞 " * 400),
    ("utf-16", "dose é 0.5 mg ✓ 𝄞 " * 400),
    ("utf-16-be", "dose é 0.5 mg ✓ 𝄞 " * 400),
    ("utf-32", "dose é 0.5 mg ✓ 𝄞 " * 400),
])
def test_text_decoded_in_chunks_is_the_text_decoded_whole(small, codec, text):
    data = (codecs.BOM_UTF16_BE if codec == "utf-16-be" else b"") + text.encode(codec)
    warnings: list[str] = []
    assert "".join(stream.decoded_chunks("x.txt", data, warnings)) == decode(data, "x.txt")[0]
    assert warnings == []


def test_invalid_bytes_are_replaced_and_named_once_as_in_a_whole_decode(small):
    data = ("fine text ✓ " * 300).encode() + b"\xff\xfe bad \xc3" + ("more é " * 300).encode() + b"\x80"
    warnings: list[str] = []
    text = "".join(stream.decoded_chunks("x.md", data, warnings))
    assert (text, warnings) == decode(data, "x.md")


def test_a_nul_byte_far_into_a_long_file_makes_it_binary(small, tmp_path):
    path = tmp_path / "long.txt"
    path.write_bytes(b"A line of text.\n" * 5000 + b"\x00" + b"more\n")
    with pytest.raises(InputWarning, match="binary"):
        load_document(str(path))


def test_a_long_file_over_the_size_limit_is_one_warning(small, tmp_path):
    path = tmp_path / "long.md"
    path.write_text("Some text.\n\n" * 5000)
    with pytest.raises(InputWarning) as err:
        load_document(str(path), max_bytes=40_000)
    assert "long.md" in str(err.value) and "\n" not in str(err.value)


def _cuts(fmt: str, text: str) -> list[int]:
    raws = list(stream.raw_sections(iter([text]), fmt, size=200, overlap=50))
    return [r.start + r.a for r in raws[1:]]


def test_markdown_is_not_cut_inside_code_fences_lists_raw_html_or_front_matter():
    fence = "```\ncode\n\nmore code\n\n```\n\n"
    loose = "- item one\n\n  still item one\n\n- item two\n\n"
    raw = "<script>\nvar a = 1;\n\nvar b = 2;\n</script>\n\n"
    front = "---\ntitle: A\n\nnote: b\n---\n\n"
    para = "A paragraph of text that is long enough to be a block of its own here.\n\n"
    text = front + (para + fence + para + loose + para + raw) * 20
    cuts = _cuts("markdown", text)
    assert len(cuts) > 5
    for cut in cuts:  # the start of a top-level block, never a line inside one
        assert text.startswith(("A paragraph", "```\ncode", "- item one", "<script>"), cut), text[cut:cut + 30]


def test_html_is_cut_only_between_blocks_outside_lists_tables_and_quotes():
    unit = ("<p>A paragraph of text that is long enough to be a block.</p>\n"
            "<ul><li><p>one</p></li><li><p>two</p></li></ul>\n"
            "<table><tr><td><p>cell</p></td></tr></table>\n"
            "<blockquote><p>quoted</p></blockquote><nav><div>menu</div></nav>\n")
    text = "<html><body><article>" + unit * 30 + "</article></body></html>"
    cuts = _cuts("html", text)
    assert len(cuts) > 5
    for cut in cuts:
        assert re.match(r"<(p>A|ul|table|blockquote|nav)", text[cut:]), text[cut:cut + 30]


def test_text_is_cut_at_paragraphs_and_a_long_line_at_a_sentence_end():
    text = ("A paragraph line.\nIts second line.\n\n" * 40) + ("One long line. " * 100) + "\n"
    cuts = _cuts("text", text)
    assert len(cuts) > 5
    for cut in cuts:
        assert text[cut - 2:cut] in ("\n\n", ". ") and text.startswith(("A paragraph", "One"), cut)


def test_lines_are_read_back_from_the_file(small, tmp_path):
    lines = [f"Line {n}: dosé {n} mg." for n in range(3000)]
    path = tmp_path / "long.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    document = load_document(str(path))
    assert isinstance(document, stream.StreamedDocument)
    for n in (1, 2, 500, 1234, 2999, 3000):
        assert document.line(n) == lines[n - 1]
    assert document.line(3002) is None
