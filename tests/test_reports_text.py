"""The text report: grouping, underlined source lines, sources, related places, summary, color."""

from __future__ import annotations

import re

from fixtures.reports.sample_report import (
    PATH_A,
    PATH_B,
    build_report,
    by_rule,
    mapped_document,
    plain_document,
)

from auditor.findings import Finding, Report
from auditor.reports import text

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _caret_span(marks_line: str, code_line: str) -> str:
    """The part of the code line above the ^^^ marks."""
    gutter = code_line.index("| ") + 2
    start = marks_line.index("^")
    end = marks_line.rindex("^") + 1
    return code_line[start:end] if start >= gutter else ""


def test_findings_are_grouped_by_file_in_stable_order():
    out = text.render(build_report())
    heads = [line for line in out.splitlines() if re.match(r"^\S+:\d+:\d+  ", line)]
    assert heads == [
        f"{PATH_A}:7:38  error  clonazepam.panic.max-daily  clonazepam for panic disorder: up to 6 mg/day "
        "is above the label's maximum of 4 mg/day.",
        f"{PATH_A}:9:25  warning  consistency.cross-document  clonazepam duration of effect: 8-12 hours "
        "here, 6-12 hours in articles/klonopin-faq.txt.",
        f"{PATH_A}:9:41  warning  claims.uncited-statistic  An efficacy figure (85% of people, symptom "
        "relief) is given without a source.",
        f"{PATH_B}:5:59  info  claims.open-range  The daily range 0.5-4 mg has no dosing frequency; readers "
        "may not know how to split it.",
    ]
    lines = out.splitlines()
    assert lines.index(PATH_A) < lines.index(heads[0]) < lines.index(PATH_B) < lines.index(heads[3])


def test_the_value_is_underlined_in_its_source_line():
    lines = text.render(build_report()).splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(f"{PATH_A}:7:38"))
    assert lines[i + 1].endswith("7 | Some adults with panic disorder take up to 6 mg per day when symptoms persist.")
    assert _caret_span(lines[i + 2], lines[i + 1]) == "up to 6 mg"
    assert lines[i + 3] == (
        "  Source: KLONOPIN (clonazepam) tablets, CIV - Prescribing Information, "
        "DOSAGE AND ADMINISTRATION - Panic Disorder - Adults"
    )


def test_related_places_are_indented_with_their_own_source_line():
    lines = text.render(build_report()).splitlines()
    i = lines.index(f"    {PATH_B}:3:49  says 6-12 hours")
    assert lines[i - 3].startswith(f"{PATH_A}:9:25")
    assert _caret_span(lines[i + 2], lines[i + 1]) == "6-12 hours"


def test_summary_line_counts_findings_files_and_suppressed():
    out = text.render(build_report())
    assert out.splitlines()[-1] == "4 findings (1 error, 2 warnings, 1 info) in 2 files; 1 suppressed"
    empty = Report(findings=[], files=1, claims=0, version="0.1.0")
    assert text.render(empty) == "0 findings (0 errors, 0 warnings, 0 infos) in 1 file; 0 suppressed\n"


def test_color_only_when_asked():
    plain = text.render(build_report())
    colored = text.render(build_report(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31merror" in colored  # errors in bold red
    assert "\x1b[33mwarning" in colored
    assert ANSI.sub("", colored) == plain


def test_brackets_in_messages_are_not_read_as_markup():
    report = build_report()
    by_rule(report, "clonazepam.panic.max-daily").message = "see [bold]note[/bold] and [red]"
    assert "see [bold]note[/bold] and [red]" in ANSI.sub("", text.render(report, color=True))


def test_positions_point_into_the_markdown_source():
    source = "# Dosing\n\nTake **up to 6 mg** a day.\n"
    doc = mapped_document("guide.md", source, "Dosing\n\nTake up to 6 mg a day.")
    start = doc.text.index("up to 6 mg")
    loc = doc.location(start, start + len("up to 6 mg"))
    finding = Finding(rule="r", severity="error", message="m", **loc)
    out = text.render(Report(findings=[finding], files=1, claims=1, version="0",
                             documents={"guide.md": doc})).splitlines()
    assert out[1].startswith("guide.md:3:8  error  r  m")
    assert _caret_span(out[3], out[2]) == "up to 6 mg"


def test_long_lines_are_cut_around_the_value():
    line = "word " * 60 + "take 9 mg now " + "more " * 60
    start = line.index("9 mg")
    finding = Finding(rule="r", severity="warning", message="m", path="long.txt", line=1,
                      column=start + 1, end_line=1, end_column=start + 5, quote="9 mg")
    report = Report(findings=[finding], files=1, claims=1, version="0",
                    documents={"long.txt": plain_document("long.txt", line)})
    out = text.render(report).splitlines()
    code, marks = out[2], out[3]
    assert len(code) < 140 and "…" in code
    assert _caret_span(marks, code) == "9 mg"


def test_without_the_document_the_finding_still_shows():
    finding = Finding(rule="r", severity="info", message="m", path="gone.md", line=3, column=1,
                      end_line=3, end_column=2, quote="x")
    out = text.render(Report(findings=[finding], files=1, claims=0, version="0"))
    assert out.splitlines()[:2] == ["gone.md", "gone.md:3:1  info  r  m"]
    assert "|" not in out


def test_source_lines_of_a_finished_run_are_read_from_the_files_as_loading_would(tmp_path):
    from pathlib import Path

    from auditor.docresult import DocumentStore
    from auditor.errors import InputWarning
    from auditor.ingest import load_document

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    store = DocumentStore(10 * 1024 * 1024, keep=2)
    paths = sorted(str(p) for p in corpus.iterdir() if p.suffix in (".md", ".html", ".txt"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffLine one\r\nZoloft 50 mg\r\n".encode("utf-16"))
    binary, empty, gone = tmp_path / "x.md", tmp_path / "empty.md", tmp_path / "gone.md"
    binary.write_bytes(b"# Title\n\0\0\0 binary")
    empty.write_bytes(b"")
    gone.write_text("# Gone\n", encoding="utf-8")
    paths += [str(bom), str(binary), str(empty), str(gone)]
    for path in paths:
        store.add(path, [])
    gone.unlink()
    assert paths
    for path in paths * 2:  # twice: some from its memory of the last files, most read again
        try:
            expected = load_document(path).source
        except InputWarning:
            expected = None
        assert store.source_text(path) == expected, path
    assert store.source_text(str(tmp_path / "never-added.md")) is None
    assert store.source_text(str(bom)).splitlines()[1] == "Zoloft 50 mg"
