"""The pipeline reads any text without failing, and every claim it makes is well formed."""

from __future__ import annotations

from helpers import claims_of
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import pieces as pieces_module
from auditor.claims import ATTRIBUTES, UNITS
from auditor.extract import claims_of as piece_claims
from auditor.extract import make_doc
from auditor.ingest.html import read_html
from auditor.ingest.markdown import read_markdown
from auditor.ingest.text import read_text

TOKENS = [
    "0.5", ".25", "1", "2-3", "8–12", "1,000", "½", "half", "a", "an", "one", "two", "twice", "once", "three",
    "mg", "mcg", "µg", "g", "mg/kg/day", "mg/day", "%", "percent", "hours", "hour", "minutes", "days", "weeks",
    "months", "years", "daily", "a day", "per day", "bid", "tid", "q8h", "every", "at bedtime", "times",
    "up to", "no more than", "at least", "or less", "or more", "above", "within", "between", "and", "or", "to",
    "from", "by", "of", "for", "if", "not", "may", "might", "never", "exceed", "maximum", "starting", "target",
    "increase", "half-life", "peak", "lasts", "according to", "[1]", "¹", "clonazepam", "Klonopin", "Xanax",
    "benzodiazepines", "panic disorder", "children", "older adults", "people", "experience", "relieves",
    ".", ",", ";", ":", "—", "(", ")", "|", "\n", "\n\n", "$", "988", "2024", "http://x.org/1mg",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_any_text_gives_well_formed_claims(nlp, text):
    for claim in claims_of(nlp, text):
        assert claim.attribute in ATTRIBUTES
        assert claim.unit in UNITS
        assert claim.per in (None, "dose", "day")
        low, high = claim.value.low, claim.value.high
        assert low is not None or high is not None
        if low is not None and high is not None:
            assert low <= high
        loc = claim.location
        assert text.splitlines()[loc["line"] - 1][loc["column"] - 1:] .startswith(loc["quote"].split("\n")[0])


# -- whole documents: any Markdown, HTML or text --------------------------------------------
MARKUP = {
    "markdown": ["# ", "## ", "- ", "1. ", "> ", "**", "_", "`", "```\n", "[see](https://x.org/2mg)", "| a | b |\n|---|---|\n",
                 "| 1 mg | 2 mg |\n", "<div>", "</div>", "<br>", "&amp;", "&nbsp;", "\\*", "---\n", "<!-- auditor-ignore x: y -->"],
    "html": ["<p>", "</p>", "<div>", "</div>", "<h1>", "</h1>", "<h2>", "<li>", "<ul>", "</ul>", "<table><tr><td>", "</td><td>",
             "</tr><tr><td>", "</table>", "<b>", "<i>", "<a href='https://x.org'>", "</a>", "<br>", "<script>1 mg</script>",
             "&amp;", "&nbsp;", "&#8211;", "<!-- c -->", "<nav>2 mg</nav>", "<title>Clonazepam</title>", "<td>", "<"],
    "text": ["Sources", "References", "- ", "1) ", "Dose:", "\r\n", "\t"],
}
READERS = {"markdown": read_markdown, "html": read_html, "text": read_text}


@st.composite
def article(draw, fmt: str) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(TOKENS), st.sampled_from(MARKUP[fmt]), st.text(max_size=5)),
                          max_size=80))
    seps = draw(st.lists(st.sampled_from([" ", "", "\n", "\n\n"]), min_size=len(parts), max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps, strict=True))


def source_offset(source: str, line: int, column: int) -> int:
    starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]
    return starts[line - 1] + column - 1


def run_all(auditor, document):
    """The records of every claim, and the findings, of one document."""
    claims = [c for _d, _doc, found in auditor.claims([document]) for c in found]
    report = auditor.check([document])
    return [c.to_record(explain=True) for c in claims], [f.to_record() for f in report.findings]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(sorted(READERS)).flatmap(lambda fmt: st.tuples(st.just(fmt), article(fmt))))
def test_any_document_runs_through_the_whole_pipeline(auditor, case):
    fmt, source = case
    document = READERS[fmt]("a." + {"markdown": "md", "html": "html", "text": "txt"}[fmt], source, [])
    records, findings = run_all(auditor, document)
    for record in records:  # every quote is the original text at its line and column
        start = source_offset(source, record["line"], record["column"])
        end = source_offset(source, record["end_line"], record["end_column"])
        assert source[start:end] == record["quote"], record
    for finding in findings:
        start = source_offset(source, finding["line"], finding["column"])
        assert source[start:].startswith(finding["quote"])
    again = READERS[fmt](document.path, source, [])
    assert run_all(auditor, again) == (records, findings)  # the same output every time


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(READERS)).flatmap(lambda fmt: st.tuples(st.just(fmt), article(fmt))), st.integers(20, 200))
def test_pieces_of_any_document_give_the_claims_of_one_pass(nlp, case, limit):
    fmt, source = case
    document = READERS[fmt]("a.txt", source, [])
    one = [c.to_record(explain=True) for c in extract_claims(nlp, document, pieces_module.PIECE_CHARS)]
    cut = [c.to_record(explain=True) for c in extract_claims(nlp, document, limit)]
    for record in cut:
        start = source_offset(source, record["line"], record["column"])
        assert source[start:].startswith(record["quote"])
    if all(b.end - b.start <= limit for b in document.blocks):
        assert cut == one  # cuts between blocks change nothing (a block cut at a sentence end may)


def extract_claims(nlp, document, limit):
    """Claims of ``document`` read in pieces of at most ``limit`` characters."""
    out = []
    for piece in pieces_module.pieces(nlp, document, make_doc, limit=limit):
        out.extend(piece_claims(piece.document, piece.doc))
    return out


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_is_read_and_audited(auditor, text):
    for fmt, reader in READERS.items():
        if text:
            run_all(auditor, reader("a." + fmt, text, []))
