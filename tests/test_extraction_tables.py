"""Table cells take their meaning from their headers: the column says what, the row for whom."""

from __future__ import annotations

from auditor.extract import extract
from auditor.ingest import load_document

MARKDOWN = """\
# Alprazolam and clonazepam compared

| | Alprazolam | Clonazepam |
| --- | --- | --- |
| Time to peak | 1-2 hours | 1-4 hours |
| Starting dose (panic disorder) | 0.5 mg three times a day | 0.25 mg twice a day |
| Maximum (panic disorder) | 10 mg/day | 4 mg/day |
"""

HTML = """<html><body><h1>Lorazepam dosing</h1><table>
<tr><th>Use</th><th>Starting dose</th><th>Usual range</th></tr>
<tr><td>Anxiety, adults</td><td>2&nbsp;mg to 3&nbsp;mg a day</td><td>2 to 6&nbsp;mg a day</td></tr>
<tr><td>Older adults</td><td>1 to 2 mg a day</td><td>-</td></tr>
</table></body></html>"""


def _claims(nlp, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document = load_document(str(path))
    ((_d, _doc, claims),) = list(extract(nlp, [document]))
    return document, claims


def test_markdown_cells_have_coordinates(tmp_path, nlp):
    document, _ = _claims(nlp, tmp_path, "t.md", MARKDOWN)
    cells = {document.text[b.start:b.end]: b.cell for b in document.blocks if b.kind == "table_cell"}
    assert cells["Alprazolam"] == (0, 0, 1)
    assert cells["4 mg/day"] == (0, 3, 2)


def test_markdown_table_headers_give_attribute_drug_and_indication(tmp_path, nlp):
    _, claims = _claims(nlp, tmp_path, "t.md", MARKDOWN)
    got = [(c.location["quote"], c.attribute, c.drug, c.indication) for c in claims]
    assert got == [
        ("1-2 hours", "peak", "alprazolam", None),
        ("1-4 hours", "peak", "clonazepam", None),
        ("0.5 mg", "dose.start", "alprazolam", "panic disorder"),
        ("0.25 mg", "dose.start", "clonazepam", "panic disorder"),
        ("10 mg/day", "dose.max", "alprazolam", "panic disorder"),
        ("4 mg/day", "dose.max", "clonazepam", "panic disorder"),
    ]


def test_html_table_headers_give_attribute_indication_and_population(tmp_path, nlp):
    document, claims = _claims(nlp, tmp_path, "t.html", HTML)
    got = [(c.attribute, c.indication, c.population, c.per) for c in claims]
    assert got == [
        ("dose.start", "anxiety", "adult", "day"),
        ("dose.typical", "anxiety", "adult", "day"),
        ("dose.start", None, "elderly", "day"),
    ]
    first = claims[0].location
    assert document.source.splitlines()[first["line"] - 1][first["column"] - 1:first["end_column"] - 1] == first["quote"]


def test_scraped_tables_one_cell_per_line_and_pipe_rows(tmp_path, nlp):
    text = ("How long does Klonopin last\n\nKlonopin timeline after a dose\nTime after dose\nWhat happens\n"
            "1-4 hours\nPeak level in the blood\n30-40 hours\nHalf of the drug is gone\n\n"
            "Stage | Dose | How often\nStarting dose | 0.25 mg | twice a day\nMaximum | 4 mg | per day\n\n"
            "Day | Morning | Bedtime | Daily total\n1-3 | 1 mg | 1 mg | 2 mg\n")
    _, claims = _claims(nlp, tmp_path, "k.txt", text)
    got = [(c.location["quote"], c.attribute, c.per, c.frequency and c.frequency.low) for c in claims]
    assert got == [
        ("1-4 hours", "peak", None, None),
        ("30-40 hours", "half_life", None, None),
        ("0.25 mg", "dose.start", "dose", 2),
        ("4 mg", "dose.max", "day", None),
        ("1 mg", "dose.mention", "dose", None),
        ("1 mg", "dose.mention", "dose", None),
        ("2 mg", "dose.mention", "day", None),
    ]


FLATTENED = (
    "6 ADVERSE REACTIONS Table 2: Common Adverse Reactions in Placebo-Controlled Studies Percentage of "
    "Patients Reporting Reaction Placebo (n=636) Sertraline 50 mg (n=317) Sertraline 100 mg (n=424) "
    "Gastrointestinal disorders Nausea 10 22 26 Dry mouth 9 11 17 Dysmenorrhea 1 3 2 6 "
    "Chills 1 <1 3 The most common adverse reaction was nausea.\n"
)


def test_flattened_table_of_percentages_is_read_by_row_and_arm(nlp, tmp_path):
    """A table printed on one line: each number after a term is the share of one arm."""
    _document, claims = _claims(nlp, tmp_path, "label.txt", FLATTENED)
    cells = [(c.location["quote"], c.attribute, c.effect, c.drug) for c in claims if c.unit == "percent"]
    assert cells == [
        ("10", "incidence", "nausea", None), ("22", "incidence", "nausea", "sertraline"),
        ("26", "incidence", "nausea", "sertraline"),
        ("9", "incidence", "dry mouth", None), ("11", "incidence", "dry mouth", "sertraline"),
        ("17", "incidence", "dry mouth", "sertraline"),
        # the first number is a footnote marker
        ("3", "incidence", "dysmenorrhea", None), ("2", "incidence", "dysmenorrhea", "sertraline"),
        ("6", "incidence", "dysmenorrhea", "sertraline"),
        ("1", "incidence", "chills", None), ("<1", "incidence", "chills", "sertraline"),
        ("3", "incidence", "chills", "sertraline"),
    ]
    below_one = next(c for c in claims if c.location["quote"] == "<1")
    assert (below_one.value.low, below_one.value.high) == (None, 1)
    # the arm headers are doses named in passing
    assert [c.value.low for c in claims if c.unit == "mg"] == [50, 100]


def test_numbers_outside_a_table_of_percentages_are_not_cells(nlp, tmp_path):
    text = "Table 6: Mean Changes in Vital Signs Placebo 50 mg Supine pulse (bpm) 1 3 4 Weight (kg) 0 1 2\n"
    _document, claims = _claims(nlp, tmp_path, "label.txt", text)
    assert [c.unit for c in claims] == ["mg"]
