"""Plain-text ingest: lines as blocks, heading and title heuristics, exact positions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.document import Document
from auditor.ingest import load_document
from auditor.ingest.check import mapping_problems
from auditor.ingest.text import read_text

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
ARTICLES = Path(__file__).resolve().parents[2] / "shared" / "articles"


@pytest.fixture(scope="module")
def doc() -> Document:
    return load_document(str(FIXTURES / "dosing.txt"))


def blocks(doc: Document) -> list[tuple[str, str]]:
    return [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks]


def test_text_characters_are_the_file_characters(doc: Document) -> None:
    assert mapping_problems(doc) == []
    for i, ch in enumerate(doc.text):
        if doc.starts[i] >= 0:
            assert doc.source[doc.starts[i]] == ch and doc.ends[i] == doc.starts[i] + 1


def test_lines_become_blocks(doc: Document) -> None:
    assert blocks(doc) == [
        ("title", "Clonazepam for panic disorder: a dosing guide"),
        ("paragraph", "Updated March 3, 2024"),  # a date is not a heading
        ("paragraph", "Reviewed by"),  # nor is a line that ends in "by"
        ("paragraph", "Adults with panic disorder usually start at 0.25 mg twice daily."),
        ("heading", "Dosing Schedule"),
        ("list_item", "Starting dose: 0.5 mg per day"),
        ("list_item", "Target dose: 1 mg per day"),
        ("list_item", "Upper limit: 4 mg per day"),
        ("list_item", "Increase slowly"),
        ("paragraph", "Side effects include:"),
        ("list_item", "Drowsiness"),  # short lines after "...:" are a list
        ("list_item", "Poor coordination"),
        ("heading", "When to Call Your Doctor"),  # Title Case ends the list: a heading
        ("paragraph", "Call if you feel too sleepy."),
        ("heading", "Sources"),
        ("paragraph", "Klonopin Prescribing Information"),  # entries, not headings
        ("paragraph", "National Institute of Mental Health. Panic disorder. "
                      "https://www.nimh.nih.gov/health/topics/panic-disorder"),
    ]


def test_positions_skip_list_markers_and_crlf(doc: Document) -> None:
    i = doc.text.index("0.5 mg")
    assert doc.location(i, i + 6) == {
        "path": str(FIXTURES / "dosing.txt"), "line": 8, "column": 18, "end_line": 8, "end_column": 24,
        "quote": "0.5 mg",
    }
    i = doc.text.index("4 mg")
    assert doc.location(i, i + 4)["column"] == 19  # "  3. Upper limit: " is indented
    heading = next(b for b in doc.blocks if b.kind == "heading")
    assert doc.source[doc.starts[heading.end - 1] + 1] == "\r"  # the CR is in the source, not the text


def test_title_headings_and_sources(doc: Document) -> None:
    assert doc.title == "Clonazepam for panic disorder: a dosing guide"
    assert doc.blocks[1].heading == doc.title
    assert doc.block_at(doc.text.index("Drowsiness")).heading == "Dosing Schedule"  # type: ignore[union-attr]
    assert doc.sources_start == doc.text.index("Sources")
    assert next(t for (_, t), b in zip(blocks(doc), doc.blocks, strict=True) if b.in_sources) == "Sources"
    assert all(b.in_sources for b in doc.blocks if b.start >= doc.sources_start)


def test_bare_urls_are_excluded_but_stay_in_text(doc: Document) -> None:
    url = "https://www.nimh.nih.gov/health/topics/panic-disorder"
    assert url in doc.text
    assert [doc.source[s:e] for s, e in doc.excluded] == [url]


@pytest.mark.parametrize("line, kind", [
    ("Dose: 0.5 mg", "paragraph"),  # a colon followed by a number is not a title
    ("How long does it last", "title"),
    ("this starts in lowercase", "paragraph"),
    ("Ends with a full stop.", "paragraph"),
    ("A" * 91, "paragraph"),
])
def test_title_heuristic(line: str, kind: str) -> None:
    doc = read_text("t.txt", f"{line}\nBody text follows here.\n", [])
    assert doc.blocks[0].kind == kind
    assert doc.title == (line if kind == "title" else None)


def test_last_line_is_never_a_heading() -> None:
    doc = read_text("t.txt", "Some paragraph text here.\nClosing Words\n", [])
    assert blocks(doc)[-1] == ("paragraph", "Closing Words")


@pytest.mark.skipif(not ARTICLES.is_dir(), reason="the shared articles are not present")
@pytest.mark.parametrize("name", sorted(p.name for p in ARTICLES.glob("*.txt")) if ARTICLES.is_dir() else [])
def test_real_articles_map_exactly(name: str) -> None:
    path = ARTICLES / name
    doc = load_document(str(path))
    source = path.read_text(encoding="utf-8")
    assert doc.source == source
    assert mapping_problems(doc) == []
    # every non-empty line of the article is exactly one block's text (list markers aside)
    lines = [ln.strip() for ln in source.split("\n") if ln.strip()]
    texts = [doc.text[b.start:b.end] for b in doc.blocks]
    assert len(texts) == len(lines)
    assert all(line.endswith(text) for line, text in zip(lines, texts, strict=True))
    # every gold claim quote is in the text, and maps back to the gold offset in the file
    gold_path = path.with_suffix(".yaml")
    if gold_path.exists():
        where = {s: i for i, s in enumerate(doc.starts) if s >= 0}
        for claim in yaml.safe_load(gold_path.read_text(encoding="utf-8"))["claims"]:
            if "start" not in claim:
                continue
            i = where[claim["start"]]
            quote = claim["quote"]
            assert doc.text[i:i + len(quote)] == quote
            assert doc.location(i, i + len(quote))["quote"] == quote


@pytest.mark.skipif(not (ARTICLES / "003_c595a8e95f423085.txt").exists(), reason="article not present")
def test_real_article_sources_section() -> None:
    doc = load_document(str(ARTICLES / "003_c595a8e95f423085.txt"))
    assert doc.sources_start is not None
    assert doc.text[doc.sources_start:doc.sources_start + 7] == "Sources"
    tail = [b for b in doc.blocks if b.start >= doc.sources_start]
    assert len(tail) == 9 and all(b.in_sources for b in tail)
    assert not any(b.in_sources for b in doc.blocks if b.start < doc.sources_start)
    heading = doc.block_at(doc.text.index("Target dose: 1 mg daily"))
    assert heading is not None and heading.heading == "Standard Clonazepam Dosing Guidelines"


@pytest.mark.skipif(not (ARTICLES / "000_8a35114061b72358.txt").exists(), reason="article not present")
def test_real_article_title() -> None:
    doc = load_document(str(ARTICLES / "000_8a35114061b72358.txt"))
    assert doc.title == "Klonopin for sleep: dosage, uses, benefits, and side effects"
    para = doc.block_at(doc.text.index("If you suffer from insomnia"))
    assert para is not None and para.heading == doc.title


def test_pipe_tables_become_cells_with_coordinates(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Ativan dosage chart\n\n | Hydroxyzine | Xanax\nMaximum daily dose | 400 mg | 4 mg\n"
                    "A sentence | with one pipe.\n", encoding="utf-8")
    doc = load_document(str(path))
    cells = [(doc.text[b.start:b.end], b.cell) for b in doc.blocks if b.kind == "table_cell"]
    assert cells == [("Hydroxyzine", (0, 0, 1)), ("Xanax", (0, 0, 2)), ("Maximum daily dose", (0, 1, 0)),
                     ("400 mg", (0, 1, 1)), ("4 mg", (0, 1, 2))]
    for block in doc.blocks:
        s, e = doc.source_span(block.start, block.end)
        assert doc.source[s:e] == doc.text[block.start:block.end]


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_runs_of_spaces_read_as_one(tmp_path: Path, fmt: str) -> None:
    """Doubled spaces and tabs in prose are one space of the text, mapped to the whole run."""
    path = tmp_path / f"review.{fmt}"
    path.write_text("Xanax helped.  I take 1  mg\tat night,\t\tthen 2 mg.\n", encoding="utf-8")
    doc = load_document(str(path))
    assert doc.text == "Xanax helped. I take 1 mg at night, then 2 mg."
    assert mapping_problems(doc) == []
    i = doc.text.index("1 mg")
    assert doc.source[doc.starts[i]:doc.ends[i + 3]] == "1  mg"
