"""The HTML report: self-contained, escaped, with the findings table, charts and highlighted text."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess

import lxml.html
import pytest
from fixtures.reports.sample_report import (
    PATH_A,
    PATH_B,
    build_report,
    by_rule,
    make_claim,
    mapped_document,
    plain_document,
)

from auditor.claims import Range
from auditor.findings import Finding, Report
from auditor.reports import html_report
from auditor.reports._chart import MAX_BARS, Band, Bar, render_chart
from auditor.reports._spans import text_span


def _tree(report: Report) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html_report.render(report))


def _visible_text(element: lxml.html.HtmlElement) -> str:
    """The article text as read on screen: highlighted tokens without their labels."""
    copy = lxml.html.fromstring(lxml.html.tostring(element))
    for token in copy.xpath(".//div[@class='spans']/span"):
        for child in list(token):
            token.remove(child)
        token.text = (token.text or "").strip()
    return " ".join(copy.text_content().split())


def test_page_is_self_contained():
    tree = _tree(build_report())
    assert tree.xpath("//script") == []
    assert tree.xpath("//link") == []
    assert tree.xpath("//iframe | //object | //embed | //img") == []
    for el in tree.xpath("//*[@src]"):
        pytest.fail(f"element loads {el.get('src')}")
    css = "".join(tree.xpath("//style/text()"))
    assert "@import" not in css and "url(" not in css
    for href in tree.xpath("//a/@href"):
        assert href.startswith("#") or href.startswith("https://"), href


def test_header_counts_and_findings_table():
    tree = _tree(build_report())
    assert tree.xpath("string(//header//div[@class='counts'])") == "4 findings (1 error, 2 warnings, 1 info)"
    rows = tree.xpath("//table[@class='findings']/tbody/tr")
    assert len(rows) == 4
    assert [r.get("class") for r in rows] == ["finding error", "finding warning", "finding warning", "finding info"]
    first = rows[0]
    assert first.xpath("string(td[@class='where'])") == f"{PATH_A}:7:38"
    assert first.xpath("string(td[@class='rule'])") == "clonazepam.panic.max-daily"
    assert "above the label's maximum of 4 mg/day" in first.xpath("string(.//div[@class='message'])")
    assert first.xpath("string(.//div[@class='source'])").startswith("Source: KLONOPIN (clonazepam) tablets")
    assert rows[1].xpath("string(.//ul[@class='related'])") == f"{PATH_B}:3:49 says 6-12 hours"
    # the location links to the article below
    anchor = first.xpath("td[@class='where']/a/@href")[0]
    assert tree.xpath(f"//article[@id='{anchor[1:]}']/h3/text()") == [PATH_A]


def test_dose_chart_draws_claims_and_the_label_limit():
    tree = _tree(build_report())
    svgs = tree.xpath("//figure[@class='chart']/svg")
    assert len(svgs) == 1
    svg = svgs[0]
    assert svg.xpath("string(./title)").startswith("clonazepam")
    rows = svg.xpath(".//g[@class='row']")
    assert len(rows) == 4  # four dose claims (start, target, max, typical); durations are not doses
    labels = [r.xpath("string(text[@class='row-label'])") for r in rows]
    assert labels[0] == "clonazepam-panic.txt:5  dose.start"
    assert [r.xpath("string(text[@class='value'])") for r in rows] == [
        "0.5 mg/day", "1 mg/day", "up to 6 mg/day", "0.5–4 mg/day"]
    assert svg.xpath(".//text[@class='ref-label']/text()") == ["label: 4 mg/day"]
    limits = svg.xpath(".//line[@class='limit']")
    assert len(limits) == 1
    # the limit line sits left of the end of the "up to 6 mg" bar
    max_bar = rows[2].xpath("rect")[0]
    assert float(limits[0].get("x1")) < float(max_bar.get("x")) + float(max_bar.get("width"))


def test_articles_show_claims_and_findings_with_displacy_spans():
    tree = _tree(build_report())
    article = tree.xpath(f"//article[h3='{PATH_A}']")[0]
    spans = article.xpath(".//div[@class='spans']")
    assert spans, "displaCy span markup missing"
    labels = " ".join(article.text_content().split())
    for label in ("dose.start", "dose.target", "dose.max", "error #1", "warning #2", "warning #3"):
        assert label in labels
    text = _visible_text(article)
    assert "Some adults with panic disorder take up to 6 mg per day when symptoms persist." in text
    # displaCy adds no space the article does not have
    assert "A single dose works for 8-12 hours, and 85% of people feel calmer within a week." in text
    other = tree.xpath(f"//article[h3='{PATH_B}']")[0]
    assert "info #4" in other.text_content()


def test_everything_is_escaped():
    report = build_report()
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    by_rule(report, "clonazepam.panic.max-daily").message = evil
    by_rule(report, "claims.open-range").rule = "rule<svg onload=alert(1)>"
    report.findings[0].source = {"title": "t", "section": "s", "url": "javascript:alert(1)"}
    report.claims_by_path[PATH_A][0].attribute = "dose.<i>start</i>"  # displaCy inserts labels raw
    doc = report.documents[PATH_B]
    report.documents[PATH_B] = plain_document(PATH_B, doc.text.replace("How long", "<b>How</b> long"))
    page = html_report.render(report)
    tree = lxml.html.document_fromstring(page)
    assert tree.xpath("//script | //img | //b | //i | //svg[@onload]") == []
    assert "dose.<i>start</i>" in tree.text_content()
    assert "javascript:" not in "".join(tree.xpath("//a/@href"))
    assert evil in tree.text_content()
    assert "&lt;b&gt;How&lt;/b&gt; long" in page


def test_finding_positions_map_back_through_markdown():
    source = "# Dosing\n\nTake **up to 6 mg** a day.\n"
    doc = mapped_document("guide.md", source, "Dosing\n\nTake up to 6 mg a day.")
    assert text_span(doc, 3, 8, 3, 18) == (doc.text.index("up to"), doc.text.index(" a day"))
    finding = Finding(rule="r", severity="error", message="m", path="guide.md", line=3, column=8,
                      end_line=3, end_column=18, quote="up to 6 mg")
    page = html_report.render(Report(findings=[finding], files=1, claims=0, version="0",
                                     documents={"guide.md": doc}))
    article = lxml.html.document_fromstring(page).xpath("//article")[0]
    marked = article.xpath(".//div[@class='spans']/span")
    assert [" ".join(m.text_content().split()) for m in marked] == ["up to 6 mg error #1"]


def _png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as handle:
        head = handle.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


@pytest.mark.skipif(_chromium() is None, reason="no chromium here: install Debian's chromium package to run")
def test_headless_browser_renders_the_report(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html_report.render(build_report()), encoding="utf-8")
    shot = tmp_path / "shot.png"
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
        page.as_uri(),
    ]
    subprocess.run(cmd, check=False, capture_output=True, timeout=120)
    assert shot.exists(), "chromium wrote no screenshot"
    assert _png_size(str(shot)) == (1280, 2000)
    assert shot.stat().st_size > 20_000  # a blank page compresses to a few kB


def test_chart_bands_open_ends_and_row_cap():
    bars = [Bar(path=f"docs/p{i % 2}.md", lines=(i + 1,), attribute="dose.typical", quote="x",
                low=0.5, high=None if i == 0 else 2.0, per="day", dimmed=i == 1) for i in range(MAX_BARS + 10)]
    bands = [Band(low=0.5, high=4.0, per="day", caption="label: 0.5–4 mg/day", tooltip="t")]
    svg = lxml.html.fragment_fromstring(render_chart("clonazepam", bars, bands))
    assert len(svg.xpath(".//g[@class='row']")) == MAX_BARS
    assert svg.xpath("string(.//text[@class='more'])") == "10 more dose claims not drawn"
    band = svg.xpath(".//rect[@class='band']")[0]
    limits = sorted(float(x) for x in svg.xpath(".//line[@class='limit']/@x1"))
    assert float(band.get("x")) == limits[0]
    assert float(band.get("x")) + float(band.get("width")) == pytest.approx(limits[1], abs=0.2)
    first = svg.xpath(".//g[@class='row']")[0]
    assert first.xpath("path[contains(@class, 'claim-bar')]"), "an open upper end is drawn as an arrow"
    assert first.xpath("string(text[@class='value'])") == "0.5 or more mg/day"
    assert svg.xpath(".//g[@class='row']")[1].xpath("rect/@class") == ["claim-bar dimmed"]


def test_equal_dose_claims_of_one_file_share_a_chart_row():
    text = "Is 1 mg a lot?\n\nA 1 mg dose is common.\n\nSome take 2 mg.\n"
    doc = plain_document("faq.txt", text)
    first = make_claim(doc, "1 mg", "dose.mention", Range(1, 1), "mg", drug="clonazepam", per="dose")
    second_at = text.index("1 mg", first.end)
    second = make_claim(doc, "1 mg dose", "dose.mention", Range(1, 1), "mg", drug="clonazepam", per="dose")
    assert second.start == second_at
    third = make_claim(doc, "2 mg", "dose.mention", Range(2, 2), "mg", drug="clonazepam", per="dose")
    report = Report(findings=[], files=1, claims=3, version="0", documents={"faq.txt": doc},
                    claims_by_path={"faq.txt": [first, second, third]})
    rows = _tree(report).xpath("//g[@class='row']")
    assert [r.xpath("string(text[@class='row-label'])") for r in rows] == [
        "faq.txt:1,3  dose.mention", "faq.txt:5  dose.mention"]
