"""The HTML report: one self-contained page (inline CSS and SVG, no scripts, no remote files).

Header with the counts; the findings table; per drug a chart of the doses each document
states against the label; then every article with its claims and findings highlighted.
"""

from __future__ import annotations

from html import escape
from typing import Any

from auditor.findings import Finding, Report
from auditor.reports._chart import drugs_with_doses, label_bands, render_chart
from auditor.reports._common import (
    checked_paths,
    counts_phrase,
    location,
    plural,
    rule_source,
    safe_url,
    sorted_findings,
    source_citation,
)
from auditor.reports._spans import CLAIM_COLOR, SEVERITY_COLORS, claim_marks, finding_marks, render_article

CSS = """
:root { color-scheme: light; }
*, *::before, *::after { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #202124; margin: 0; background: #f8f9fa; }
header { background: #202124; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .counts { font-size: 16px; }
header .meta { color: #bdc1c6; font-size: 13px; }
main { padding: 8px 32px 48px; max-width: 1200px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #dadce0; padding-bottom: 4px; }
table.findings { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
table.findings th, table.findings td { border: 1px solid #dadce0; padding: 6px 8px; text-align: left;
       vertical-align: top; }
table.findings th { background: #f1f3f4; }
td.where { overflow-wrap: anywhere; min-width: 14em; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
td.rule code { font-size: 12px; white-space: nowrap; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.sev.error { background: #fce8e6; color: #a50e0e; }
.sev.warning { background: #fef7e0; color: #8a5300; }
.sev.info { background: #e8f0fe; color: #174ea6; }
ul.related { margin: 4px 0 0; padding-left: 18px; color: #5f6368; font-size: 13px; }
.source { color: #5f6368; font-size: 13px; }
.quote { color: #5f6368; font-size: 13px; }
figure.chart { background: #fff; border: 1px solid #dadce0; margin: 0 0 16px; padding: 12px; overflow-x: auto; }
.dose-chart text { font-size: 12px; fill: #3c4043; }
.dose-chart .chart-title { font-size: 14px; font-weight: 600; }
.dose-chart .grid { stroke: #e8eaed; }
.dose-chart .band { fill: #34a853; fill-opacity: 0.12; }
.dose-chart .limit { stroke: #188038; stroke-dasharray: 4 3; stroke-width: 1.5; }
.dose-chart .ref-label { font-weight: 600; }
.dose-chart .dimmed { fill-opacity: 0.35; }
.dose-chart .tick { fill: #5f6368; }
.dose-chart .value, .dose-chart .ref-label, .dose-chart .row-label { paint-order: stroke; stroke: #fff;
       stroke-width: 3px; stroke-linejoin: round; }
article.doc { background: #fff; border: 1px solid #dadce0; padding: 8px 20px 16px; margin-bottom: 20px; }
article.doc h3 { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 14px; }
article.doc .doc-title { font-size: 17px; font-weight: 600; margin: 0 0 8px; }
.block { margin: 0 0 10px; overflow-wrap: anywhere; }
.block.heading, .block.title { font-weight: 700; font-size: 16px; margin-top: 16px; }
.block.list_item::before { content: "• "; }
.block .spans { line-height: 2.6 !important; }
.block .spans span[style*="z-index"] { white-space: nowrap; }
td.num { color: #5f6368; text-align: right; }
.legend-key { display: inline-block; margin-right: 14px; font-size: 13px; }
.legend-key .swatch { display: inline-block; width: 14px; height: 6px; margin-right: 5px; vertical-align: middle; }
p.none { color: #5f6368; }
"""


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as one HTML page (``color`` is ignored)."""
    findings = list(sorted_findings(report.findings))
    anchors = {path: f"doc-{i}" for i, path in enumerate(checked_paths(report), start=1)}
    body = [
        _header(report),
        "<main>",
        '<section id="findings"><h2>Findings</h2>',
        _findings_table(report, findings, anchors),
        "</section>",
        _charts(report, findings),
        _articles(report, findings, anchors),
        "</main>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>auditor report: {escape(counts_phrase(report))}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _header(report: Report) -> str:
    return (
        f'<header><h1>auditor report</h1><div class="counts">{escape(counts_phrase(report))}</div>'
        f'<div class="meta">{escape(plural(report.files, "file"))} · {escape(plural(report.claims, "claim"))} · '
        f'{len(report.suppressed)} suppressed · auditor {escape(report.version)}</div></header>'
    )


def _findings_table(report: Report, findings: list[Finding], anchors: dict[str, str]) -> str:
    if not findings:
        return '<p class="none">No findings.</p>'
    rows = [
        '<table class="findings"><thead><tr><th>#</th><th>Where</th><th>Severity</th><th>Rule</th>'
        "<th>Message</th></tr></thead><tbody>"
    ]
    for number, f in enumerate(findings, start=1):
        where = escape(location(f.path, f.line, f.column))
        anchor = anchors.get(f.path)
        where_html = f'<a href="#{anchor}">{where}</a>' if anchor else where
        rows.append(
            f'<tr class="finding {escape(f.severity)}" id="finding-{number}"><td class="num">{number}</td>'
            f'<td class="where">{where_html}</td>'
            f'<td><span class="sev {escape(f.severity)}">{escape(f.severity)}</span></td>'
            f'<td class="rule"><code>{escape(f.rule)}</code></td><td>{_message_cell(report, f)}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _message_cell(report: Report, f: Finding) -> str:
    parts = [f'<div class="message">{escape(f.message)}</div>']
    if f.quote:
        parts.append(f'<div class="quote">“{escape(f.quote)}”</div>')
    if f.related:
        items = "".join(
            f"<li><code>{escape(location(r.path, r.line, r.column))}</code> {escape(r.message or r.quote)}</li>"
            for r in f.related
        )
        parts.append(f'<ul class="related">{items}</ul>')
    source = rule_source(report, f)
    citation = source_citation(source)
    if citation:
        url = safe_url(source.get("url")) if source else None
        text = escape(citation)
        link = f'<a href="{escape(url)}" rel="noreferrer">{text}</a>' if url else text
        parts.append(f'<div class="source">Source: {link}</div>')
    return "".join(parts)


def _charts(report: Report, findings: list[Finding]) -> str:
    per_drug = drugs_with_doses(report)
    if not per_drug:
        return ""
    out = ['<section id="charts"><h2>Doses against the label</h2>']
    for drug, bars in per_drug.items():
        bands = label_bands(findings, drug)
        out.append(f'<figure class="chart">{render_chart(drug, bars, bands)}</figure>')
    out.append("</section>")
    return "\n".join(out)


def _articles(report: Report, findings: list[Finding], anchors: dict[str, str]) -> str:
    out = ['<section id="articles"><h2>Articles</h2>', _legend()]
    for path, anchor in anchors.items():
        doc: Any = report.documents.get(path)
        out.append(f'<article class="doc" id="{anchor}"><h3>{escape(path)}</h3>')
        if doc is None or getattr(doc, "text", None) is None:  # unreadable, or too long to show whole
            out.append('<p class="none">Text not available.</p></article>')
            continue
        title = getattr(doc, "title", None)
        if title and not doc.text.lstrip().startswith(title):
            out.append(f'<div class="doc-title">{escape(title)}</div>')
        mine = [(n, f) for n, f in enumerate(findings, start=1) if f.path == path]
        marks = claim_marks(report.claims_by_path.get(path, [])) + finding_marks(doc, mine)
        out.append(render_article(doc, marks))
        out.append("</article>")
    out.append("</section>")
    return "\n".join(out)


def _legend() -> str:
    keys = [("claim", CLAIM_COLOR)] + [(sev, color) for sev, color in SEVERITY_COLORS.items()]
    return '<div class="legend">' + "".join(
        f'<span class="legend-key"><span class="swatch" style="background:{c}"></span>{escape(name)}</span>' for name, c in keys
    ) + "</div>"
