"""Property tests: generated HTML keeps an exact source map.

Tags, attributes, comments, scripts and styles are recorded as hidden ranges while the
document is generated; they are written in ASCII capitals (attribute values included, with
text-like values and ``>`` inside quotes), prose in lowercase or non-ASCII letters.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markup_pieces import Piece, assert_maps_back, hidden, join, marker, word

from auditor.ingest.html import read_html

ENTITIES = ["&amp;", "&nbsp;", "&#8211;", "&#x3B1;", "&lt;", "&gt;", "&quot;", "&eacute;", "&amp"]
SPACES = [" ", "\n", "  ", "\t", "\r\n", " \n  "]
INLINE = ["span", "b", "em", "strong", "a", "sup", "sub", "abbr", "i"]
BLOCKS = ["p", "div", "li", "h2", "h3", "blockquote", "td", "th", "dt", "dd", "figcaption", "section"]
CONTAINERS = ["ul", "ol", "table", "tr", "dl"]






@st.composite
def attributes(draw) -> str:
    out = ""
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(["class", "title", "data-dose", "href", "id"]))
        value = draw(st.sampled_from(["X", "5 MG > 2 MG", "A&amp;B", "HTTP://Q.TEST/?A=1&B=2", "<P>X</P>"]))
        quote = draw(st.sampled_from(['"', "'"]))
        out += f" {name}={quote}{value}{quote}"
    return out


@st.composite
def leaf(draw) -> Piece:
    kind = draw(st.sampled_from(["word", "word", "entity", "space", "comment", "script", "style", "br"]))
    if kind == "word":
        w = draw(word)
        return Piece(w, [w])
    if kind == "entity":
        return Piece(draw(st.sampled_from(ENTITIES)) + " ")
    if kind == "space":
        return Piece(draw(st.sampled_from(SPACES)))
    if kind == "comment":
        return hidden("<!-- " + draw(marker) + " 5 MG <P>X</P> -->")
    if kind == "script":
        return hidden("<script>var X = '<P>" + draw(marker) + "</P>'; if (A < B) {}</script>")
    if kind == "style":
        return hidden("<style>P > A { CONTENT: 'X'; }</style>")
    return hidden(draw(st.sampled_from(["<br>", "<br/>", "<BR>"])))


def element(children: st.SearchStrategy[list[Piece]]) -> st.SearchStrategy[Piece]:
    @st.composite
    def build(draw) -> Piece:
        tag = draw(st.sampled_from(INLINE + BLOCKS + CONTAINERS))
        kids = draw(children)
        open_tag = hidden(f"<{tag}{draw(attributes())}>")
        close = hidden(f"</{tag}>") if draw(st.integers(0, 4)) else Piece("")  # end tags may be left out
        return open_tag + join(kids) + close
    return build()


tree = st.recursive(leaf(), lambda kids: element(st.lists(kids, min_size=0, max_size=4)), max_leaves=25)


@st.composite
def html_doc(draw) -> Piece:
    body = join(draw(st.lists(tree, min_size=1, max_size=4)))
    head = hidden("<html><head><title>T</title></head><body>") if draw(st.booleans()) else Piece("")
    return head + body



@settings(max_examples=200, deadline=None)
@given(html_doc())
def test_generated_html_maps_every_char_back(piece: Piece) -> None:
    doc = read_html("gen.html", piece.src, [])
    assert_maps_back(doc, piece)
