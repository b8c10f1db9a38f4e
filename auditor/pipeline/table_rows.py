"""Tables of percentages flattened into running text, as label records print them.

An adverse-reaction table of a drug label often reaches us as one line: a caption, the arm
headers, then rows of a term and one number per arm, with no ``%`` sign and no separators:

    Table 2: Common Adverse Reactions ... Percentage of Patients Reporting Reaction
    Placebo (n=636) 50 mg (n=317) 100 mg (n=424) Nausea 10 22 26 Dry mouth 9 11 17 ...

Under a caption that speaks of percentages ("%", "percent", "percentage", "incidence",
"proportion"), each run of bare numbers after a term is a row: every number is a percentage of
the people in one arm, and the arm headed "Placebo" is not the drug. The number of arms is
the most common run length; a run one longer starts with a footnote marker ("Dysmenorrhea 1 3 2").
Percentages written with a sign in such a table ("Headache 5% 4%") are rows too.
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Doc

from ..claims import Range
from .numbers import read_number, read_unit

PERCENT_CAPTION_WORDS = {"%", "percent", "percentage", "percentages", "incidence", "proportion", "rate", "rates"}
# Tokens a row label may end with before its numbers ("Total Cholesterol *(...) 2 3 4").
ROW_LABEL_END = {")", "*", "†", "‡"}
CAPTION_REACH = 120  # tokens from "Table N" to the first row
MAX_REGION = 1500  # tokens a table may run


def table_regions(doc: Doc, table_starts) -> list[tuple[int, int]]:
    """(start, end) token ranges of tables whose caption speaks of percentages."""
    out: list[tuple[int, int]] = []
    n = len(doc)
    for i in sorted(table_starts):
        if out and i < out[-1][1]:
            continue
        if i + 1 >= n or not doc[i + 1].like_num:
            continue
        caption = doc[i:min(n, i + CAPTION_REACH)]
        if not any(t.lower_ in PERCENT_CAPTION_WORDS for t in caption):
            continue
        end = min(n, i + MAX_REGION)
        for k in range(i + 2, end):
            if doc[k].lower_ == "table" and k + 1 < n and doc[k + 1].like_num and doc[k - 1].lower_ not in ("see", "in"):
                end = k
                break
        out.append((i, end))
    return out


def _cell(doc: Doc, k: int, percents: dict[int, object], taken: set[int]):
    """The cell at token ``k``: (value Range, first token, end token, existing quantity or None)."""
    if k in percents:
        q = percents[k]
        return q.value, q.start, q.end, q
    if k in taken:
        return None
    tok = doc[k]
    upper = False
    start = k
    if tok.text in ("<", "≤") and k + 1 < len(doc):
        upper, k = True, k + 1
        tok = doc[k]
    if not tok.like_num or not any(ch.isdigit() for ch in tok.text) or k in taken:
        return None
    num = read_number(doc, k)
    if num is None or num[1] != k + 1 or num[0] > 100:
        return None
    if read_unit(doc, k + 1) is not None:
        return None
    value = Range(None, num[0]) if upper else Range(num[0], num[0])
    return value, start, k + 1, None


def table_cells(doc: Doc, regions, quantities, taken: set[int]) -> list[tuple[Range, int, int, object, str, bool]]:
    """Cells of the rows of each region: (value, start, end, quantity or None, row label, placebo arm)."""
    out = []
    percents = {q.start: q for q in quantities if q.unit == "percent"}
    occupied = {t for q in quantities if q.unit != "percent" for t in range(q.start, q.end)}
    for start, end in regions:
        runs = []
        k = start + 2
        rows_started = False
        while k < end:
            tok = doc[k]
            if rows_started and tok.text == "." and k + 1 < end and doc[k + 1].is_title and doc[k - 1].is_alpha:
                end = k  # the sentence after the table
                break
            prev = doc[k - 1]
            if k in occupied or not (prev.is_alpha or prev.text in ROW_LABEL_END):
                k += 1
                continue
            run = []
            j = k
            while j < end:
                cell = _cell(doc, j, percents, taken | occupied)
                if cell is None:
                    break
                run.append(cell)
                j = cell[2]
            if len(run) >= 2:
                runs.append((k, run))
                rows_started = True
                k = j
            else:
                k += 1
        if not runs:
            continue
        arms = Counter(len(r) for _, r in runs).most_common(1)[0][0]
        placebo = _placebo_column(doc, start, runs[0][0], quantities, arms)
        for k, run in runs:
            if len(run) == arms + 1 and run[0][3] is None:
                run = run[1:]  # a footnote marker after the term
            elif len(run) != arms:
                continue
            label = _row_label(doc, k, start)
            for col, (value, s, e, q) in enumerate(run):
                out.append((value, s, e, q, label, col == placebo))
    return out


def _row_label(doc: Doc, k: int, floor: int) -> str:
    """The term before a row's numbers: up to four words back to the previous number or bracket, or to
    the capital that starts it after an organ class ("Gastrointestinal disorders Nausea")."""
    words = []
    j = k - 1
    while j > floor and len(words) < 4:
        tok = doc[j]
        if tok.like_num or tok.text in ("(", ")", "%", ":", ";"):
            if words:
                break
            j -= 1
            continue
        if tok.is_alpha:
            words.append(tok.lower_)
            if tok.is_title and not doc[j - 1].is_title:
                break  # "Gastrointestinal disorders Nausea": the term starts at its capital
        elif words:
            break
        j -= 1
    return " ".join(reversed(words))


def _placebo_column(doc: Doc, start: int, first_row: int, quantities, arms: int) -> int | None:
    """Which arm of the header is placebo: the header's labels (placebo, a drug name in capitals,
    a dose) in order, the last ``arms`` of them."""
    dose_starts = {q.start: q.end for q in quantities if q.dimension == "mass" and start <= q.start < first_row}
    labels: list[str] = []
    k = start
    while k < first_row:
        tok = doc[k]
        if k in dose_starts:
            if labels and labels[-1] == "drug" and doc[k - 1].is_alpha:
                labels[-1] = "dose"  # "Silenor 3 mg": one arm
            else:
                labels.append("dose")
            k = dose_starts[k]
            continue
        if tok.lower_ == "placebo":
            labels.append("placebo")
        elif (tok.is_alpha and tok.is_upper and len(tok) >= 4) or (tok.is_alpha and tok.is_title and k + 1 < first_row and dose_starts.get(k + 1)):
            labels.append("drug")
        k += 1
    labels = labels[-arms:]
    return labels.index("placebo") if "placebo" in labels and len(labels) == arms else None
