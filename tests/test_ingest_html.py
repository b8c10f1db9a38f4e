"""HTML ingest: exact positions through tags and entities, structure, and what is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.document import Document
from auditor.ingest import load_document
from auditor.ingest.check import mapping_problems
from auditor.ingest.html import read_html

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def doc() -> Document:
    return load_document(str(FIXTURES / "dosing.html"))


def where(doc: Document, needle: str, after: str = "") -> dict:
    i = doc.text.index(needle, doc.text.index(after) if after else 0)
    return doc.location(i, i + len(needle))


def blocks(doc: Document) -> list[tuple[str, int, str]]:
    return [(b.kind, b.level, doc.text[b.start:b.end]) for b in doc.blocks]


def test_every_character_maps_back(doc: Document) -> None:
    assert mapping_problems(doc) == []


def test_dose_in_a_list_item_after_nbsp_and_a_link(doc: Document) -> None:
    assert where(doc, "0.5 mg", after="see the label") == {
        "path": str(FIXTURES / "dosing.html"), "line": 19, "column": 54, "end_line": 19, "end_column": 60,
        "quote": "0.5 mg",
    }
    i = doc.text.index("Start:") + len("Start:")
    assert doc.text[i] == "\xa0"
    assert doc.source[doc.starts[i]:doc.ends[i]] == "&nbsp;"


def test_entity_inside_bold_and_in_a_table_cell(doc: Document) -> None:
    assert where(doc, "0.25\xa0mg")["quote"] == "0.25&nbsp;mg"
    loc = where(doc, "0.5 mg", after="Start\n")
    assert (loc["line"], loc["column"], loc["quote"]) == (25, 20, "0.5 mg")


def test_whitespace_collapses_to_one_space_mapped_to_the_run(doc: Document) -> None:
    i = doc.text.index("daily, as the") + len("daily,")
    assert doc.text[i] == " "
    assert doc.source[doc.starts[i]:doc.ends[i]] == "\n"
    loc = where(doc, "1\xa0mg per day")
    assert (loc["line"], loc["column"], loc["quote"]) == (16, 35, "1&nbsp;mg per day")


def test_blocks_and_kinds(doc: Document) -> None:
    assert blocks(doc) == [
        ("heading", 1, "Clonazepam dosing guide"),
        ("paragraph", 0, "Adults with panic disorder usually start at 0.25\xa0mg twice daily, as the "
                         "prescribing information says; after 3 days the dose may rise to 1\xa0mg per day."),
        ("heading", 2, "Schedule"),
        ("list_item", 0, "Start:\xa0see the label 0.5 mg per day"),
        ("list_item", 0, "Target dose: 1 mg per day"),
        ("list_item", 0, "Upper limit: 4 mg per day – per the label[1]"),
        ("table_cell", 0, "Step"), ("table_cell", 0, "Daily dose"),
        ("table_cell", 0, "Start"), ("table_cell", 0, "0.5 mg"),
        ("table_cell", 0, "Target"), ("table_cell", 0, "1 mg"),
        ("quote", 0, "Increase by 0.125 to 0.25 mg twice daily every 3 days."),
        ("paragraph", 0, "Run in the calculator."),
        ("paragraph", 0, "It is code, not a dose."),
        ("heading", 2, "Sources"),
        ("list_item", 0, "Klonopin prescribing information, 2023."),
        ("heading", 2, "After the sources"),
        ("paragraph", 0, "Talk to your prescriber before changing a dose."),
    ]


def test_title_headings_and_sources(doc: Document) -> None:
    assert doc.title == "Clonazepam & panic disorder"
    assert doc.blocks[0].heading == "Clonazepam & panic disorder"
    assert doc.block_at(doc.text.index("Target dose")).heading == "Schedule"  # type: ignore[union-attr]
    assert doc.sources_start == doc.text.index("Sources")
    assert [doc.text[b.start:b.end] for b in doc.blocks if b.in_sources] == [
        "Sources", "Klonopin prescribing information, 2023.",
    ]


def test_links(doc: Document) -> None:
    assert [(doc.text[lk.start:lk.end], lk.href) for lk in doc.links] == [
        ("prescribing information", "https://www.accessdata.fda.gov/label-1mg.pdf"),
        ("see the label", "/start"),
    ]


def test_left_out_parts_are_excluded(doc: Document) -> None:
    excluded = [doc.source[s:e] for s, e in doc.excluded]
    assert any(x.startswith("<head>") and x.endswith("</head>") for x in excluded)
    assert any(x.startswith("<nav>") for x in excluded)
    assert any(x.startswith("<!-- Doses follow") for x in excluded)
    assert "<code>dose --max 9mg</code>" in excluded
    assert '<img src="images/dose-5mg.png" alt="Chart of 3 mg doses">' in excluded
    assert any(x.startswith("<footer>") for x in excluded)
    assert any(x.startswith("<form>") for x in excluded)
    for leaked in ("8 mg", "12 mg", "6 mg", "9mg", "3 mg", "10 mg", "555", "Copyright", "Home",
                   "Doses follow"):
        assert leaked not in doc.text


def test_implied_end_tags() -> None:
    src = "<p>One 1 mg<p>Two<ul><li>a<li>b</ul><dl><dt>Dose<dd>2 mg</dl><h3>H<h4>I</h4>"
    doc = read_html("i.html", src, [])
    assert blocks(doc) == [
        ("paragraph", 0, "One 1 mg"), ("paragraph", 0, "Two"), ("list_item", 0, "a"), ("list_item", 0, "b"),
        ("list_item", 0, "Dose"), ("list_item", 0, "2 mg"), ("heading", 3, "H"), ("heading", 4, "I"),
    ]
    assert mapping_problems(doc) == []


def test_unclosed_head_ends_at_body_content() -> None:
    src = "<html><head><title>T</title><meta charset=utf-8><p>Body text 1 mg.</p>"
    doc = read_html("h.html", src, [])
    assert doc.text == "Body text 1 mg."
    assert doc.title == "T"


def test_dropped_element_ends_with_its_parent() -> None:
    src = "<div><nav><div>menu</div> more menu</div><p>Kept 2 mg.</p>"
    doc = read_html("n.html", src, [])
    assert doc.text == "Kept 2 mg."


def test_script_with_markup_inside_and_attributes_with_gt() -> None:
    src = ('<p title="a > 5 mg" data-x=\'<b>\'>Take <b>1 mg</b>.</p>'
           '<script>document.write("<p>9 mg</p>")</script><p>Then&nbsp;2&#160;mg &amp; more</p>')
    doc = read_html("s.html", src, [])
    assert doc.text == "Take 1 mg.\n\nThen\xa02\xa0mg & more"
    assert mapping_problems(doc) == []
    i = doc.text.index("&")
    assert doc.source[doc.starts[i]:doc.ends[i]] == "&amp;"


def test_malformed_markup_does_not_stop_reading() -> None:
    src = "<p>a < b and 3 > 2</p><![if !IE]><p>c</>d</p><!unknown><p>e &notanentity; f</p>"
    doc = read_html("m.html", src, [])
    assert doc.warnings == []
    assert mapping_problems(doc) == []
    assert "a < b and 3 > 2" in doc.text
    # as in browsers, a known entity name at the start of an unknown one decodes ("&not" is "¬")
    assert "e ¬anentity; f" in doc.text


def test_link_spanning_blocks_is_split_per_block() -> None:
    doc = read_html("l.html", '<a href="/x"><p>one</p><p>two</p></a>', [])
    assert [(doc.text[lk.start:lk.end], lk.href) for lk in doc.links] == [("one", "/x"), ("two", "/x")]
