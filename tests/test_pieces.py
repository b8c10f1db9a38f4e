"""Long documents are read in pieces (auditor.pieces) and lose nothing by it."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor import pieces as pieces_module
from auditor.extract import _SPACES, claims_of, extract, make_doc
from auditor.ingest import load_document

REPO = Path(__file__).resolve().parents[1]
# Articles in every reader and house style: sections, lists, tables, sources, plain text.
SAMPLES = sorted(
    [p for p in (REPO / "tests" / "gold").iterdir() if p.suffix in (".md", ".html", ".txt")]
    + [p for p in (REPO / "tests" / "heldout").iterdir() if p.suffix in (".md", ".html", ".txt")]
    + sorted((REPO / "corpus").iterdir())
)


def records(claims):
    return [(c.start, c.end, c.to_record(explain=True)) for c in claims]


def one_pass(nlp, document):
    return claims_of(document, pieces_module._run(nlp, make_doc(nlp, document)))


def in_pieces(nlp, document, monkeypatch, limit):
    monkeypatch.setattr(pieces_module, "PIECE_CHARS", limit)
    monkeypatch.setattr(pieces_module.pieces, "__defaults__", (limit,))
    items = list(extract(nlp, [document]))
    return [c for _document, _doc, claims in items for c in claims], len(items)


def test_claims_from_pieces_equal_one_pass(nlp, monkeypatch):
    cut = 0
    for path in SAMPLES:
        document = load_document(str(path))
        expected = records(one_pass(nlp, document))
        got, count = in_pieces(nlp, document, monkeypatch, 1500)
        cut += count > 1
        assert records(got) == expected, path
    assert cut >= 30  # most samples were read in several pieces


def test_piece_documents_map_to_the_file(nlp, monkeypatch):
    document = load_document(str(REPO / "corpus" / "clonazepam-dosage-guide.html"))
    monkeypatch.setattr(pieces_module.pieces, "__defaults__", (800,))
    items = list(extract(nlp, [document]))
    assert len(items) > 3
    for piece_document, doc, _claims in items:
        assert doc.text.rstrip() == piece_document.text.translate(_SPACES).rstrip()
        assert piece_document.path == document.path
        for span in doc.spans["drugs"]:
            loc = piece_document.location(span.start_char, span.end_char)
            assert loc["quote"].lower() == span.text.lower()


def test_a_block_longer_than_a_piece_is_cut_after_a_sentence():
    text = " ".join(f"Sentence {i} says 0.{i} mg is taken." for i in range(400))
    from helpers import text_document

    document = text_document(text)
    units = pieces_module.units_of(document, 1000)
    assert len(units) > 5
    for unit in units[:-1]:
        assert document.text[unit.end - 1] == "."
        assert unit.end - unit.start <= 1000


def test_a_block_without_sentence_ends_is_cut_at_a_space_or_anywhere():
    from helpers import text_document

    spaced = text_document("word " * 1000)
    assert all(spaced.text[u.end] == " " for u in pieces_module.units_of(spaced, 300)[:-1])
    solid = text_document("x" * 1000)
    assert [u.end - u.start for u in pieces_module.units_of(solid, 300)] == [300, 300, 300, 100]


def test_cuts_go_before_headings_and_not_inside_a_table(nlp, monkeypatch):
    md = "\n\n".join(f"## Part {i}\n\n" + "Some text about clonazepam 0.5 mg. " * 8 + "\n\n| a | b |\n|---|---|\n| 1 mg | 2 mg |\n| 3 mg | 4 mg |"
                     for i in range(30))
    path = "long.md"
    from auditor.ingest.markdown import read_markdown

    document = read_markdown(path, md, [])
    units = pieces_module.units_of(document, 2000)
    firsts = pieces_module.cut_points(document, units, 2000)
    assert len(firsts) > 3
    for i in firsts[1:]:
        assert document.blocks[units[i].block].kind == "heading"


@pytest.mark.parametrize("copies", [40])
def test_an_article_over_a_million_characters_is_audited(auditor, tmp_path, copies):
    one = (REPO / "tests" / "gold").glob("*.md")
    article = next(p for p in sorted(one) if "Sources" not in p.read_text())
    text = article.read_text(encoding="utf-8")
    repeats = 1_000_000 // len(text) + 2
    path = tmp_path / "long.md"
    path.write_text("\n\n".join([text] * repeats), encoding="utf-8")
    assert len(path.read_text()) > 1_000_000
    single = auditor.check([load_document(str(article))])
    document = load_document(str(path))
    report = auditor.check([document])
    assert report.claims == single.claims * repeats


def _cut_in_a_paragraph(before: str, after: str, limit: int) -> str:
    """One paragraph in which the in-block cut of a ``limit`` piece falls between ``before`` and ``after``:
    filler sentences about another drug, then ``before`` ending just short of ``limit``, then ``after``."""
    filler = "Lorazepam is another medicine that readers of this page ask about. "
    lead = filler * ((limit - len(before) - 12) // len(filler))
    lead += "x" * (limit - len(before) - 12 - len(lead)) + ". "
    return lead + before + after + " The rest of this paragraph is about sleep."


def _claims_both_ways(nlp, monkeypatch, md: str, limit: int):
    """Claims of ``md`` in one pass and in pieces of ``limit`` (context at most a fifth of it, as by default)."""
    from auditor.ingest.markdown import read_markdown

    monkeypatch.setattr(pieces_module, "CONTEXT_CHARS", limit * pieces_module.CONTEXT_CHARS // pieces_module.PIECE_CHARS)
    document = read_markdown("long.md", md, [])
    expected = [c.to_record(explain=True) for c in one_pass(nlp, document)]
    got, count = in_pieces(nlp, document, monkeypatch, limit)
    return expected, [c.to_record(explain=True) for c in got], count


@pytest.mark.parametrize("limit", [1000, 3000])
def test_a_claim_right_after_a_sentence_cut_keeps_the_context_before_it(nlp, monkeypatch, limit):
    before = "Clonazepam is prescribed for panic disorder in adults. "
    after = "Most people start on 0.25 mg twice daily for the first three days."
    md = _cut_in_a_paragraph(before, after, limit)
    cut = pieces_module.units_of(__import__("helpers").text_document(md), limit)[0].end
    assert md[cut - len(before.rstrip()):cut] == before.rstrip()  # the cut is right before the claim
    expected, got, count = _claims_both_ways(nlp, monkeypatch, md, limit)
    assert count > 1
    dose = [r for r in expected if r["quote"] == "0.25 mg"]
    assert dose and dose[0]["drug"] == "clonazepam"  # named only in the sentence before the cut
    assert got == expected


def test_a_claim_split_by_a_cut_at_a_space_is_found_whole(nlp, monkeypatch):
    limit = 1200
    words = "clonazepam taken for panic disorder in adults, " * 40
    # no sentence end anywhere: the cut falls at the last space before the limit, inside "0.5 mg"
    lead = (words * 3)[:limit - len("take 0.5")].rsplit(" ", 1)[0]
    lead += "," * (limit - len("take 0.5") - len(lead) - 1)
    md = lead + " take 0.5 mg twice daily, " + words
    from helpers import text_document

    units = pieces_module.units_of(text_document(md), limit)
    assert md[units[0].end - 3:units[0].end] == "0.5" and md[units[1].start:].startswith("mg")
    expected, got, count = _claims_both_ways(nlp, monkeypatch, md, limit)
    assert count > 1
    assert any(r["quote"] == "0.5 mg" for r in expected)
    # Text without a sentence end is read in clauses counted from where the context starts, so
    # only the clause quoted as the claim's sentence may differ.
    assert [{**r, "sentence": None} for r in got] == [{**r, "sentence": None} for r in expected]
    assert all(r["quote"] in r["sentence"] or r["quote"] in r["sentence"].replace(" ", "") for r in got)
