"""How the cost of one document grows with its size, for the shapes that used to grow quadratically.

Each shape is generated at ``--base`` units, then 4x and 16x as many (``--factors``), written
to a temporary file and audited in this process: ``load_document`` (ingest), then
``Auditor.check`` (pipeline, rules and consistency). Shapes:

* ``md-list``: a Markdown list, ``- item N: take 0.N mg`` per item;
* ``md-table``: a Markdown table, one dose per row;
* ``html-nested``: ``<div>`` elements nested N deep around one sentence;
* ``html-unclosed``: N ``<p><b><i>`` runs that are never closed, each with a dose;
* ``html-table``: an HTML table, one dose per row;
* ``one-sentence``: one line of N clauses (``take 0.5 mg of clonazepam and rest,``) and no full stop;
* ``paragraphs``: N plain-text paragraphs of two dose sentences that name two drugs.

For each size the table shows the characters, the claims, the seconds of ingest and of the
check, and ``x per unit``: the time per unit at that size over the time per unit at the
smallest size. It stays near 1 when the cost grows linearly; it would be near the size factor
(4, 16) for quadratic growth. CPU time (``time.process_time``) is reported, so that other work
on the machine disturbs the figures less.

Usage::

    .venv/bin/python tests/benchmarks/bench_scaling.py [--base 1250] [--factors 1,4,16] [--shapes md-list,...] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchutil import machine, peak_rss_mib, revision

from auditor.config import Config
from auditor.ingest import load_document
from auditor.runner import Auditor


def md_list(n: int) -> tuple[str, str]:
    return "md", "# Doses\n\n" + "".join(f"- item {i}: take 0.{i} mg\n" for i in range(n))


def md_table(n: int) -> tuple[str, str]:
    rows = "".join(f"| clonazepam | {i % 4 + 1} mg | twice a day |\n" for i in range(n))
    return "md", "# Doses\n\n| drug | dose | how often |\n| --- | --- | --- |\n" + rows


def html_nested(n: int) -> tuple[str, str]:
    return "html", "<html><body>" + "<div>" * n + "Take 0.5 mg of clonazepam." + "</div>" * n + "</body></html>"


def html_unclosed(n: int) -> tuple[str, str]:
    return "html", "<html><body>" + "".join(f"<p><b><i>Take {i % 4 + 1} mg of clonazepam. " for i in range(n))


def html_table(n: int) -> tuple[str, str]:
    rows = "".join(f"<tr><td>clonazepam</td><td>{i % 4 + 1} mg</td><td>twice a day</td></tr>" for i in range(n))
    return "html", f"<html><body><table><tr><th>drug</th><th>dose</th><th>how often</th></tr>{rows}</table></body></html>"


def one_sentence(n: int) -> tuple[str, str]:
    return "txt", "take 0.5 mg of clonazepam and rest, " * n


def paragraphs(n: int) -> tuple[str, str]:
    body = "".join(f"Clonazepam is taken at {i % 4 + 1} mg a day for panic disorder. "
                   f"Alprazolam lasts {i % 5 + 6} hours.\n\n" for i in range(n))
    return "txt", "Doses\n\n" + body


SHAPES: dict[str, Callable[[int], tuple[str, str]]] = {
    "md-list": md_list, "md-table": md_table, "html-nested": html_nested, "html-unclosed": html_unclosed,
    "html-table": html_table, "one-sentence": one_sentence, "paragraphs": paragraphs,
}


def measure(auditor: Auditor, shape: str, n: int, folder: Path) -> dict:
    suffix, text = SHAPES[shape](n)
    path = folder / f"{shape}-{n}.{suffix}"
    path.write_text(text, encoding="utf-8")
    t0 = time.process_time()
    document = load_document(str(path), max_bytes=1 << 31)
    t1 = time.process_time()
    report = auditor.check([document])
    t2 = time.process_time()
    path.unlink()
    return {"shape": shape, "units": n, "chars": len(text), "claims": report.claims,
            "ingest_s": round(t1 - t0, 3), "check_s": round(t2 - t1, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=int, default=1250, help="units at the smallest size")
    parser.add_argument("--factors", default="1,4,16", help="sizes as multiples of --base")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    factors = [int(f) for f in args.factors.split(",")]
    shapes = args.shapes.split(",")
    auditor = Auditor(Config())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        auditor.check([load_document(str(Path(__file__).resolve().parents[2] / "corpus" / "clonazepam-panic-faq.md"))])
        for shape in shapes:
            first = None
            for f in factors:
                row = measure(auditor, shape, args.base * f, Path(tmp))
                per_unit = (row["ingest_s"] + row["check_s"]) / row["units"]
                first = first or per_unit
                row["x_per_unit"] = round(per_unit / first, 2) if first else None
                rows.append(row)
                if not args.json:
                    print(f"{shape:<14} {row['units']:>7,} units {row['chars']:>11,} chars {row['claims']:>7,} claims "
                          f"ingest {row['ingest_s']:>7.2f} s  check {row['check_s']:>7.2f} s  "
                          f"x per unit {row['x_per_unit']:>5.2f}", flush=True)
    result = {"date": time.strftime("%Y-%m-%d"), "revision": revision(), "machine": machine(),
              "peak_rss_mib": round(peak_rss_mib(), 1), "rows": rows}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"revision {result['revision']}, {result['machine']}, peak RSS {result['peak_rss_mib']} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
