"""Inline SVG charts: what each document says about a drug's dose against the label.

One chart per drug. Each dose claim is a row with a horizontal bar over its value range
(the daily total when the claim gives one, in mg); the label's reference ranges that the
findings cite are drawn as shaded bands (a range) or dashed lines (a single limit) across
all rows. Plain SVG, no script.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

from auditor.findings import Finding, Report

TO_MG = {"mg": 1.0, "mcg": 0.001, "g": 1000.0}
PALETTE = ("#1a73e8", "#e8710a", "#188038", "#a142f4", "#d01884", "#12b5cb", "#b06000", "#5f6368")
WIDTH, LABEL_W, RIGHT_PAD, ROW_H, TOP = 900, 330, 150, 26, 34
MAX_BARS = 60  # rows drawn per drug; the rest are counted under the chart


@dataclass(frozen=True)
class Bar:
    """The range in mg that one or more equal claims of a file state; None is an open end."""

    path: str
    lines: tuple[int, ...]
    attribute: str
    quote: str
    low: float | None
    high: float | None
    per: str
    dimmed: bool  # negated or hypothetical


@dataclass(frozen=True)
class Band:
    """A reference range or limit from the drug's label, in mg."""

    low: float | None
    high: float | None
    per: str
    caption: str
    tooltip: str


def drugs_with_doses(report: Report) -> dict[str, list[Bar]]:
    """Dose claims per drug, in a stable order; equal claims of one file share a row."""
    rows: dict[str, dict[tuple, Bar]] = {}
    for path in sorted(report.claims_by_path):
        for c in report.claims_by_path[path]:
            if not c.drug or not c.attribute.startswith("dose.") or c.unit not in TO_MG:
                continue
            value, per = (c.daily, "day") if c.daily is not None else (c.value, c.per or "dose")
            k = TO_MG[c.unit]
            low = None if value.low is None else value.low * k
            high = None if value.high is None else value.high * k
            dimmed = bool(c.negated or c.hypothetical)
            line = int(c.location.get("line", 0))
            key = (path, c.attribute, low, high, per, dimmed)
            drug_rows = rows.setdefault(c.drug, {})
            if key in drug_rows:
                old = drug_rows[key]
                drug_rows[key] = Bar(path, (*old.lines, line), old.attribute, old.quote, low, high, per, dimmed)
            else:
                quote = str(c.location.get("quote", ""))
                drug_rows[key] = Bar(path, (line,), c.attribute, quote, low, high, per, dimmed)
    return {
        drug: sorted(found.values(), key=lambda b: (b.path, b.lines, b.attribute))
        for drug, found in sorted(rows.items())
    }


def label_bands(findings: list[Finding], drug: str) -> list[Band]:
    """The distinct dose references the findings about ``drug`` cite."""
    seen: dict[tuple, Band] = {}
    for f in findings:
        ref, claim = f.reference, f.claim or {}
        if not ref or claim.get("drug") != drug or ref.get("unit") not in TO_MG:
            continue
        value = ref.get("value") or {}
        k = TO_MG[ref["unit"]]
        low = None if value.get("low") is None else float(value["low"]) * k
        high = None if value.get("high") is None else float(value["high"]) * k
        if low is None and high is None:
            continue
        source = ref.get("source") or {}
        per = ref.get("per") or "dose"
        caption = f"label: {_range_text(low, high)} mg/{per}"
        note = ", ".join(str(source[k]) for k in ("title", "section") if source.get(k))
        tooltip = f"{caption} ({f.rule}" + (f"; {note})" if note else ")")
        seen.setdefault((low, high, per, caption), Band(low, high, per, caption, tooltip))
    return list(seen.values())


def render_chart(drug: str, bars: list[Bar], bands: list[Band]) -> str:
    """The SVG for one drug."""
    hidden = max(0, len(bars) - MAX_BARS)
    bars = bars[:MAX_BARS]
    paths = sorted({b.path for b in bars})
    colors = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(paths)}
    values = [v for b in bars for v in (b.low, b.high) if v is not None]
    values += [v for band in bands for v in (band.low, band.high) if v is not None]
    axis_max, step = _axis(max(values, default=1.0))
    x0, x1 = LABEL_W, WIDTH - RIGHT_PAD
    rows = len(bands) + len(bars)
    plot_top, plot_bottom = TOP, TOP + rows * ROW_H
    height = plot_bottom + 32 + 18 * len(paths) + (18 if hidden else 0)

    def x(v: float) -> float:
        return round(x0 + (x1 - x0) * max(0.0, min(v, axis_max)) / axis_max, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dose-chart" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(drug)} doses against the label">',
        f'<title>{escape(drug)}: doses stated in each document against the label</title>',
        f'<text x="0" y="18" class="chart-title">{escape(drug)} (mg)</text>',
    ]
    for i in range(0, round(axis_max / step) + 1):
        v = i * step
        out.append(f'<line x1="{x(v)}" y1="{plot_top - 6}" x2="{x(v)}" y2="{plot_bottom}" class="grid"/>')
        out.append(f'<text x="{x(v)}" y="{plot_bottom + 16}" text-anchor="middle" class="tick">{_num(v)}</text>')
    for band in bands:  # the label's ranges across every row
        if band.low is not None and band.high is not None and band.high > band.low:
            out.append(f'<rect x="{x(band.low)}" y="{plot_top - 6}" width="{round(x(band.high) - x(band.low), 1)}" '
                       f'height="{plot_bottom - plot_top + 6}" class="band"/>')
        for v in {band.low, band.high} - {None}:
            out.append(f'<line x1="{x(v)}" y1="{plot_top - 6}" x2="{x(v)}" y2="{plot_bottom}" class="limit"/>')
    row = 0
    for band in bands:
        y = plot_top + row * ROW_H
        out.append(f'<text x="{x0 - 8}" y="{y + 17}" text-anchor="end" class="ref-label">'
                   f'{escape(_clip(band.caption, 46))}<title>{escape(band.tooltip)}</title></text>')
        out.append(_shape(x, band.low, band.high, axis_max, y, "ref-bar", "#5f6368"))
        row += 1
    for bar in bars:
        y = plot_top + row * ROW_H
        lines = ",".join(str(n) for n in sorted(set(bar.lines)))
        name = f"{bar.path.rsplit('/', 1)[-1]}:{lines}  {bar.attribute}"
        tip = f"{bar.path}:{lines} {bar.attribute} “{bar.quote}” = {_range_text(bar.low, bar.high)} mg/{bar.per}"
        cls = "claim-bar dimmed" if bar.dimmed else "claim-bar"
        out.append(f'<g class="row"><title>{escape(tip)}</title>')
        out.append(f'<text x="{x0 - 8}" y="{y + 17}" text-anchor="end" class="row-label">{escape(_clip(name, 46))}</text>')
        out.append(_shape(x, bar.low, bar.high, axis_max, y, cls, colors[bar.path]))
        end = x(axis_max if bar.high is None else bar.high)
        out.append(f'<text x="{end + 8}" y="{y + 17}" class="value">'
                   f'{escape(_range_text(bar.low, bar.high))} mg/{escape(bar.per)}</text></g>')
        row += 1
    y = plot_bottom + 36
    for p in paths:
        out.append(f'<rect x="{x0}" y="{y - 10}" width="12" height="12" fill="{colors[p]}"/>')
        out.append(f'<text x="{x0 + 18}" y="{y}" class="legend">{escape(p)}</text>')
        y += 18
    if hidden:
        out.append(f'<text x="{x0}" y="{y}" class="more">{hidden} more dose claims not drawn</text>')
    out.append("</svg>")
    return "\n".join(out)


def _shape(x: Any, low: float | None, high: float | None, axis_max: float, y: int, cls: str, color: str) -> str:
    """A bar (range), a dot (single value) or an arrowed bar (open end) on row ``y``."""
    top, mid = y + 6, y + 12
    if low is not None and high is not None and math.isclose(low, high):
        return f'<circle cx="{x(low)}" cy="{mid + 1}" r="6" fill="{color}" class="{cls}"/>'
    a, b = x(0.0 if low is None else low), x(axis_max if high is None else high)
    shape = f'<rect x="{a}" y="{top}" width="{max(round(b - a, 1), 2)}" height="14" rx="3" fill="{color}" class="{cls}"/>'
    if high is None:
        shape += f'<path d="M{b} {top - 3} L{b + 9} {mid + 1} L{b} {top + 17} Z" fill="{color}" class="{cls}"/>'
    return shape


def _axis(top: float) -> tuple[float, float]:
    """A rounded axis maximum and tick step for values up to ``top``."""
    top = max(top * 1.1, 1e-9)
    magnitude = 10 ** math.floor(math.log10(top / 5))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if top / (m * magnitude) <= 6)
    return math.ceil(top / step) * step, step


def _num(v: float) -> str:
    return f"{round(v, 4):g}"


def _range_text(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "?"
    if low is None:
        return f"up to {_num(high)}"  # type: ignore[arg-type]
    if high is None:
        return f"{_num(low)} or more"
    return _num(low) if math.isclose(low, high) else f"{_num(low)}–{_num(high)}"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
