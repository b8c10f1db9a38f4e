"""Markdown ingest: layout of the plain text, exact positions, structure and what is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.document import Document
from auditor.ingest import load_document
from auditor.ingest.check import mapping_problems
from auditor.ingest.markdown import read_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def doc() -> Document:
    return load_document(str(FIXTURES / "dosing.md"))


def where(doc: Document, needle: str, after: str = "") -> dict:
    i = doc.text.index(needle, doc.text.index(after) if after else 0)
    return doc.location(i, i + len(needle))


def block_texts(doc: Document, **filters: object) -> list[str]:
    return [doc.text[b.start:b.end] for b in doc.blocks
            if all(getattr(b, k) == v for k, v in filters.items())]


def test_every_character_maps_back(doc: Document) -> None:
    assert mapping_problems(doc) == []


def test_dose_in_bold_in_a_list_item(doc: Document) -> None:
    assert where(doc, "0.5 mg", after="Starting dose") == {
        "path": str(FIXTURES / "dosing.md"), "line": 15, "column": 20, "end_line": 15, "end_column": 26,
        "quote": "0.5 mg",
    }


def test_dose_in_a_table_cell(doc: Document) -> None:
    loc = where(doc, "0.5 mg", after="Start\n")
    assert (loc["line"], loc["column"], loc["quote"]) == (21, 11, "0.5 mg")
    assert "0.5 mg" in block_texts(doc, kind="table_cell")


def test_dose_after_a_link_on_the_same_line(doc: Document) -> None:
    loc = where(doc, "1 mg per day", after="prescribing information")
    assert (loc["line"], loc["column"], loc["end_column"], loc["quote"]) == (11, 127, 139, "1 mg per day")


def test_entities_and_escapes_decode_and_map_to_their_source(doc: Document) -> None:
    assert where(doc, "4\xa0mg")["quote"] == "4&nbsp;mg"
    loc = where(doc, "(see the label)")
    assert loc["quote"] == "\\(see the label\\)"
    i = doc.text.index("(see the label")
    assert doc.source[doc.starts[i]:doc.ends[i]] == "\\("


def test_soft_line_break_is_a_space_mapped_to_the_newline(doc: Document) -> None:
    i = doc.text.index("twice daily every") + len("twice daily")
    assert doc.text[i] == " "
    assert doc.source[doc.starts[i]:doc.ends[i]] == "\n"
    assert where(doc, "every 3 days")["line"] == 25


def test_blocks_and_kinds(doc: Document) -> None:
    assert block_texts(doc, kind="heading", level=1) == ["Clonazepam dosing guide"]
    assert block_texts(doc, kind="heading", level=2) == ["Schedule", "Sources", "After the sources"]
    assert block_texts(doc, kind="list_item")[:3] == [
        "Starting dose: 0.5 mg per day, split into two doses",
        "Target dose: 1 mg per day",
        "Upper limit: 4\xa0mg per day (see the label)",
    ]
    assert block_texts(doc, kind="quote") == ["Increase by 0.125 to 0.25 mg twice daily every 3 days."]
    assert block_texts(doc, kind="table_cell") == ["Step", "Daily dose", "Start", "0.5 mg", "Target", "1 mg"]
    assert doc.text == "\n\n".join(doc.text[b.start:b.end] for b in doc.blocks)


def test_front_matter_title_and_headings(doc: Document) -> None:
    assert doc.title == "Clonazepam for panic disorder"
    assert doc.metadata["drug"] == "clonazepam"
    assert doc.metadata["reviewed"] == "2024-01-15"  # YAML dates become ISO strings, ready for JSON
    first = doc.blocks[0]
    assert first.heading == "Clonazepam for panic disorder"  # the front-matter title stands above all
    schedule = next(b for b in doc.blocks if doc.text[b.start:b.end] == "Schedule")
    assert schedule.heading == "Clonazepam dosing guide"  # a heading's heading is its parent
    item = doc.block_at(doc.text.index("Target dose"))
    assert item is not None and item.heading == "Schedule"


def test_sources_section(doc: Document) -> None:
    assert doc.sources_start == doc.text.index("Sources")
    assert block_texts(doc, in_sources=True) == [
        "Sources", "Klonopin prescribing information, 2023.", "NIMH: Panic disorder",
    ]
    after = doc.block_at(doc.text.index("Talk to your prescriber"))
    assert after is not None and not after.in_sources


def test_code_urls_images_and_comments_are_excluded_and_not_in_text(doc: Document) -> None:
    excluded = [doc.source[s:e] for s, e in doc.excluded]
    for part in ("`dose --max 9mg`", "```text\ndose = 7 mg  # code, not a claim\n```\n",
                 '(https://www.accessdata.fda.gov/label-1mg.pdf "Label, 2 mg")',
                 "![Chart of 3 mg doses](images/dose-5mg.png)",
                 "<https://www.accessdata.fda.gov/klonopin.pdf>"):
        assert part in excluded
    assert any(x.startswith("<!-- Doses follow") for x in excluded)
    assert any(x.startswith("---\ntitle:") for x in excluded)
    assert any("[nimh]: https://www.nimh.nih.gov" in x for x in excluded)
    for leaked in ("9mg", "7 mg", "5mg", "3 mg", "2 mg", "accessdata", "Chart", "Doses follow", "title:"):
        assert leaked not in doc.text
    assert "Run in the calculator; it is code, not a dose." in doc.text  # no doubled space where code was


def test_links(doc: Document) -> None:
    labels = [(doc.text[lk.start:lk.end], lk.href) for lk in doc.links]
    assert labels == [
        ("prescribing information", "https://www.accessdata.fda.gov/label-1mg.pdf"),
        ("", "https://www.accessdata.fda.gov/klonopin.pdf"),  # an autolink: no label in the text
        ("NIMH: Panic disorder", "https://www.nimh.nih.gov/health/topics/panic-disorder"),
    ]
    i = doc.text.index("as the prescribing")
    assert [lk.href for lk in doc.links_in(i, i + 40)] == ["https://www.accessdata.fda.gov/label-1mg.pdf"]


def test_title_falls_back_to_the_first_h1() -> None:
    doc = read_markdown("t.md", "Intro 1 mg.\n\n## Two\n\n# The real title\n\n# Another\n", [])
    assert doc.title == "The real title"
    assert doc.blocks[0].heading is None


def test_setext_heading_and_ordered_list() -> None:
    src = "Dosing\n======\n\n3. Take 1 mg\n4) no, this starts another list\n"
    doc = read_markdown("s.md", src, [])
    assert [(b.kind, b.level, doc.text[b.start:b.end]) for b in doc.blocks] == [
        ("heading", 1, "Dosing"),
        ("list_item", 0, "Take 1 mg"),
        ("list_item", 0, "no, this starts another list"),
    ]
    i = doc.text.index("1 mg")
    assert doc.location(i, i + 4)["column"] == 9
    assert mapping_problems(doc) == []


def test_invalid_front_matter_warns_with_the_file_line() -> None:
    src = "---\ntitle: ok\ndose: [1 mg\n---\n# Heading\n"
    doc = read_markdown("bad.md", src, [])
    assert doc.metadata == {}
    assert len(doc.warnings) == 1
    assert doc.warnings[0].startswith("bad.md:3: front matter is not valid YAML (")
    assert doc.warnings[0].endswith("; ignored")
    assert doc.title == "Heading"


def test_front_matter_that_is_not_a_mapping() -> None:
    doc = read_markdown("list.md", "---\n- a\n- b\n---\nText.\n", [])
    assert doc.warnings == ["list.md:2: front matter is not a mapping of keys to values; ignored"]
    assert doc.text == "Text."


def test_inline_html_and_raw_script() -> None:
    src = ('Take <span class="dose" title="9 mg">1 mg</span> daily<br>then 2 mg '
           '<script>var x = "5 mg";</script> ok\n')
    doc = read_markdown("h.md", src, [])
    assert doc.text == "Take 1 mg daily then 2 mg ok"
    assert mapping_problems(doc) == []
    assert 'var x = "5 mg";' in "".join(doc.source[s:e] for s, e in doc.excluded)


def test_reference_links_and_nested_brackets() -> None:
    src = "See [the [FDA] label][lbl] and [lbl] for 4 mg.\n\n[lbl]: https://fda.example/4mg \"Label 4 mg\"\n"
    doc = read_markdown("r.md", src, [])
    assert doc.text == "See the [FDA] label and lbl for 4 mg."
    assert [lk.href for lk in doc.links] == ["https://fda.example/4mg", "https://fda.example/4mg"]
    assert mapping_problems(doc) == []


def test_link_destination_text_is_never_aligned_into() -> None:
    # the label text appears again inside the URL; the next text must still map after it
    src = "[mg](https://x.example/mg-1mg-mg) 1 mg mg\n"
    doc = read_markdown("u.md", src, [])
    assert doc.text == "mg 1 mg mg"
    assert doc.starts[3] == src.index(" 1 mg mg") + 1


def test_one_megabyte_article_loads_whole(tmp_path: Path) -> None:
    section = (
        "## How the dose is adjusted\n\n"
        "Most of an article is plain prose. The usual starting dose is **0.25 mg** twice daily, and "
        "the label allows an increase after three days. Drowsiness in the first weeks usually eases; "
        "see the [prescribing information](https://example.org/label.pdf) for details.\n"
        "A second line continues the paragraph with timing, food and missed doses.\n\n"
        "Another paragraph explains how the medicine works, why it is taken at night, what tolerance "
        "means and when to talk to a prescriber about tapering off slowly.\n\n"
        "- Target: 1 mg per day\n- Maximum: 4 mg per day\n\n"
    )
    path = tmp_path / "big.md"
    path.write_text(section * (1024 * 1024 // len(section)), encoding="utf-8")
    doc = load_document(str(path))  # its speed is measured by tests/benchmarks, not asserted here
    assert len(doc.blocks) > 9000
    last = doc.blocks[-1]
    s, e = doc.source_span(last.start, last.end)
    assert doc.source[s:e] == "Maximum: 4 mg per day"
