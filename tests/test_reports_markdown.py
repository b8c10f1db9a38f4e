"""The Markdown summary: headline, table, escaping, collapsible sections for long reports."""

from __future__ import annotations

from fixtures.reports.sample_report import PATH_A, PATH_B, build_report, by_rule

from auditor.findings import Finding, Report
from auditor.reports import markdown


def _rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("| `")]


def test_headline_and_table():
    out = markdown.render(build_report())
    lines = out.splitlines()
    assert lines[0] == "### ❌ auditor: 4 findings (1 error, 2 warnings, 1 info)"
    assert "7 claims checked in 2 files · 1 suppressed · auditor 0.1.0" in lines
    assert "| Location | Severity | Rule | Message |" in lines
    rows = _rows(out)
    assert len(rows) == 4
    assert rows[0].startswith(f"| `{PATH_A}:7:38` | 🔴 error | `clonazepam.panic.max-daily` | ")
    assert "Source: [KLONOPIN (clonazepam) tablets" in rows[0]
    assert f"↳ `{PATH_B}:3:49` says 6-12 hours" in rows[1]
    assert rows[3].startswith(f"| `{PATH_B}:5:59` | 🔵 info |")
    assert "<details>" not in out


def test_cells_escape_pipes_html_and_markup():
    cell = markdown.escape_cell("a | b <script>x</script> *bold* line\nnext")
    assert cell == r"a \| b &lt;script&gt;x&lt;/script&gt; \*bold\* line<br>next"
    report = build_report()
    by_rule(report, "clonazepam.panic.max-daily").message = "take 1 | 2 tablets <b>now</b>"
    row = next(r for r in _rows(markdown.render(report)) if "take 1" in r)
    assert row.count(" | ") == 3  # only the column separators are unescaped
    assert r"take 1 \| 2 tablets &lt;b&gt;now&lt;/b&gt;" in row


def test_many_findings_fold_into_details_per_file():
    findings = [
        Finding(rule="claims.uncited-statistic", severity="warning", message=f"figure {i}",
                path=f"docs/page-{i % 3}.md", line=i + 1, column=1, end_line=i + 1, end_column=4, quote="10%")
        for i in range(20)
    ]
    out = markdown.render(Report(findings=findings, files=3, claims=20, version="0"))
    assert out.count("<details>") == 3 and out.count("</details>") == 3
    assert "<summary><code>docs/page-0.md</code>: 7 warnings</summary>" in out
    assert len(_rows(out)) == 20
    assert out.splitlines()[0] == "### ⚠️ auditor: 20 findings (0 errors, 20 warnings, 0 infos)"


def test_no_findings():
    out = markdown.render(Report(findings=[], files=4, claims=12, version="0.1.0"))
    assert out.splitlines()[0] == "### ✅ auditor: no findings"
    assert "| Location |" not in out
