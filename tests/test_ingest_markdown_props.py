"""Property tests: generated Markdown keeps an exact source map.

The generator builds a document from pieces and records where the non-prose parts (link
destinations and titles, code, image paths, autolinks) are in the source. Prose words are
lowercase or non-ASCII; non-prose parts are written in ASCII capitals, so capitals in the
plain text would mean markup leaked into it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markup_pieces import Piece, assert_maps_back, hidden, lit, marker, word
from markup_pieces import join as _join

from auditor.ingest.markdown import read_markdown

ENTITIES = ["&amp;", "&copy;", "&#8211;", "&#x3B1;", "&nbsp;", "&lt;", "&quot;"]
ESCAPES = ["\\*", "\\_", "\\#", "\\[", "\\]", "\\`", "\\\\", "\\&", "\\<", "\\!"]

number = st.sampled_from(["0.5", "1", "2.5", "10", "0.125"])




def join(pieces: list[Piece], sep: str = " ") -> Piece:
    return _join(pieces, sep)


def plain(text: str) -> Piece:
    return Piece(text, [text])




words_piece = st.lists(st.one_of(word, number), min_size=1, max_size=4).map(
    lambda ws: join([plain(w) for w in ws]))


@st.composite
def inline(draw) -> Piece:
    kind = draw(st.sampled_from(["words", "em", "strong", "link", "code", "escape", "entity", "auto", "image",
                                 "html"]))
    inner = draw(words_piece)
    if kind == "words":
        return inner
    if kind == "em":
        return lit("*") + inner + lit("*")
    if kind == "strong":
        return lit("**") + inner + lit("**")
    if kind == "link":
        dest = "http://q.test/" + draw(marker) + "?D=1&M=2"
        title = draw(st.sampled_from(["", ' "T ' + draw(marker) + '"', " 'T (" + draw(marker) + ")'"]))
        return lit("[") + inner + lit("]") + hidden("(" + dest + title + ")")
    if kind == "code":
        ticks = draw(st.sampled_from(["`", "``"]))
        return hidden(ticks + draw(marker) + " 5 MG" + ticks)
    if kind == "escape":
        return lit(draw(st.sampled_from(ESCAPES)))
    if kind == "entity":
        return lit(draw(st.sampled_from(ENTITIES)))
    if kind == "html":
        return hidden('<span title="' + draw(marker) + ' > 5 MG">') + inner + hidden("</span>")
    if kind == "auto":
        return hidden("<https://q.test/" + draw(marker) + ">")
    return hidden("![" + draw(marker) + "](IMG/" + draw(marker) + ".PNG)")


@st.composite
def line(draw) -> Piece:
    parts = draw(st.lists(inline(), min_size=1, max_size=5))
    return draw(words_piece) + lit(" ") + join(parts)


@st.composite
def block(draw) -> Piece:
    kind = draw(st.sampled_from(["para", "heading", "list", "olist", "quote", "table", "fence"]))
    if kind == "para":
        lines = draw(st.lists(line(), min_size=1, max_size=3))
        return join(lines, "\n")
    if kind == "heading":
        return lit("#" * draw(st.integers(1, 6)) + " ") + draw(line())
    if kind in ("list", "olist"):
        items = draw(st.lists(line(), min_size=1, max_size=3))
        out = lit("")
        for i, item in enumerate(items):
            mark = "- " if kind == "list" else f"{i + 1}. "
            out = out + (lit("\n") if i else lit("")) + lit(mark) + item
        return out
    if kind == "quote":
        lines = draw(st.lists(line(), min_size=1, max_size=2))
        return join([lit("> ") + ln for ln in lines], "\n")
    if kind == "table":
        cols = draw(st.integers(1, 3))
        rows = draw(st.lists(st.lists(words_piece, min_size=cols, max_size=cols), min_size=1, max_size=3))
        header = lit("| ") + join([plain(f"h{c}") for c in "xyz"[:cols]], " | ") + lit(" |")
        rule = lit("|" + "---|" * cols)
        body = [lit("| ") + join(r, " | ") + lit(" |") for r in rows]
        return join([header, rule, *body], "\n")
    return hidden("```\nCODE " + draw(marker) + " 7 MG\n```")


@st.composite
def markdown_doc(draw) -> tuple[Piece, bool]:
    blocks = draw(st.lists(block(), min_size=1, max_size=5))
    return join(blocks, "\n\n") + lit("\n"), draw(st.booleans())


def _crlf(piece: Piece) -> Piece:
    """The same document with CRLF line endings (hidden ranges moved accordingly)."""
    def moved(offset: int) -> int:
        return offset + piece.src.count("\n", 0, offset)
    hidden_ranges = [(moved(s), moved(e)) for s, e in piece.hidden]
    return Piece(piece.src.replace("\n", "\r\n"), piece.words, hidden_ranges)



@settings(max_examples=200, deadline=None)
@given(markdown_doc())
def test_generated_markdown_maps_every_char_back(case: tuple[Piece, bool]) -> None:
    piece, crlf = case
    if crlf:
        piece = _crlf(piece)
    doc = read_markdown("gen.md", piece.src, [])
    assert_maps_back(doc, piece)
    for hs, he in piece.hidden:
        assert any(xs <= hs and he <= xe for xs, xe in doc.excluded), piece.src[hs:he]


# front matter: keys, scalars of every YAML type, flow and block collections, and broken YAML
YAML_PIECES = ["title", "date", ":", ": ", "- ", "\n", "\n  ", "  ", "\t", "'", '"', "[", "]", "{", "}", ",", "#",
               "2024-01-31", "1.5", "0x1F", "yes", "~", "null", "&a ", "*a", "!!str ", "|", ">", "é", "\x07",
               "\ufeff", "%YAML 1.1\n---\n", "...", "---", "key", "\\n", "!", "? ", "<<: ", "\r\n", "\x85", "\u2028",
               "1e3", ".inf", "on", "12:30:00", "|-", "a b"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=25))
def test_front_matter_is_read_as_pyyaml_reads_it(pieces):
    import yaml

    from auditor.ingest.markdown import _load_yaml

    text = "".join(pieces)
    try:
        expected = ("value", yaml.safe_load(text))
    except yaml.YAMLError as err:
        expected = ("error", str(err))
    try:
        got = ("value", _load_yaml(text))
    except yaml.YAMLError as err:
        got = ("error", str(err))
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]
