"""Sentences: never across a block, closing quotes stay, label lines start a sentence."""

from __future__ import annotations

from helpers import text_document

from auditor.extract import make_doc


def _sentences(nlp, text: str) -> list[str]:
    doc = nlp(make_doc(nlp, text_document(text)))
    return [s.text.strip() for s in doc.sents if s.text.strip()]


def test_sentence_ends_and_closing_quotes(nlp):
    assert _sentences(nlp, 'He said "take 1 mg." Then he left. It works (mostly.) Next one.') == [
        'He said "take 1 mg."', "Then he left.", "It works (mostly.)", "Next one."]


def test_abbreviations_and_decimals_do_not_end_sentences(nlp):
    assert _sentences(nlp, "Take 0.5 mg, e.g. at night. Dr. Smith agrees.") == [
        "Take 0.5 mg, e.g. at night.", "Dr. Smith agrees."]


def test_blocks_are_sentence_boundaries(nlp):
    assert _sentences(nlp, "Starting dose: 0.25 mg\nTarget dose: 1 mg daily") == [
        "Starting dose: 0.25 mg", "Target dose: 1 mg daily"]


def test_wrapped_label_lines_inside_one_paragraph(nlp, tmp_path):
    from auditor.extract import extract
    from auditor.ingest import load_document

    path = tmp_path / "a.md"
    path.write_text("Starting dose: 0.5 mg of clonazepam a day\nMaximum dose: 20 mg/day\n"
                    "which is\nwrapped prose that continues.\n", encoding="utf-8")
    ((_d, doc, claims),) = list(extract(nlp, [load_document(str(path))]))
    assert [s.text for s in doc.sents][:2] == ["Starting dose: 0.5 mg of clonazepam a day", "Maximum dose: 20 mg/day which is wrapped prose that continues."]
    assert [c.attribute for c in claims] == ["dose.start", "dose.max"]
