"""Latency of the language server: from a change in the editor to the diagnostics it publishes.

The client is the one the tests use (``tests/lsp_client.py``: pytest-lsp's client over stdio,
``python -m auditor lsp`` as a subprocess). The workspace is a copy of ``corpus/`` plus one
article of about ``--words`` words made of the corpus's Markdown articles (front matter
dropped) and a planted sentence, "... up to 10 mg of Xanax a day.", whose number every edit
changes between 10 (above the label's maximum: an error) and 2 (fine). An edit is one
incremental ``didChange`` of two characters; its latency is the time from sending it to the
first ``publishDiagnostics`` of the article that shows the finding as that edit leaves it, so
a publication of an earlier state is never counted. Only the edited article is re-extracted;
the cross-document step runs over the claims of all 11 documents kept in memory.

Rows: with ``debounce`` 0 (the server's own work: pipeline over the article, rules,
consistency over the workspace, conversion and JSON over stdio) and with the default debounce
(what a writer sees: the pause the server waits for typing to stop, plus that work). Also the
time from ``initialize`` to the first diagnostics of the opened article (the pipeline built,
the workspace read) once per row. Median, 90th percentile and maximum of ``--edits`` edits,
wall clock; and the median CPU time the server process spent per edit (user + system, from
``/proc/PID/stat``, 10 ms ticks; Linux only), which other work on the machine disturbs less.

Usage::

    .venv/bin/python tests/benchmarks/bench_lsp.py [--words 2000] [--edits 30] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchutil import ROOT, machine, revision

sys.path.insert(0, str(ROOT / "tests"))
from lsp_client import diagnostics, open_document, replace, start, stop, uri, with_rule

from auditor.lsp.server import DEBOUNCE

RULE = "alprazolam.gad.max-daily"
PLANTED = "For generalized anxiety disorder, adults can take up to 10 mg of Xanax a day."
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux ``/proc``), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def article(words: int) -> str:
    """About ``words`` words of the corpus's Markdown articles, then the planted sentence."""
    paragraphs: list[str] = []
    count = 0
    for path in sorted((ROOT / "corpus").glob("*.md")):
        body = FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
        for para in body.split("\n\n"):
            if count >= words:
                break
            paragraphs.append(para.strip("\n"))
            count += len(para.split())
    paragraphs.append(PLANTED)
    return "\n\n".join(paragraphs) + "\n"


async def measure(text: str, edits: int, debounce: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path in (ROOT / "corpus").iterdir():
            shutil.copy(path, root / path.name)
        target = root / "long-article.md"
        target.write_text(text, encoding="utf-8")
        line = text.count("\n", 0, text.index(PLANTED))
        column = PLANTED.index("10 mg")

        began = time.perf_counter()
        lsp = await start(root, debounce=debounce)
        doc = uri(target)
        open_document(lsp, doc, text)
        await diagnostics(lsp, doc, lambda d: bool(with_rule(d, RULE)), timeout=120)
        first = time.perf_counter() - began

        times, cpu = [], []
        pid = lsp._server.pid if lsp._server else 0
        flagged = True
        for n in range(edits):
            await asyncio.sleep(debounce + 0.2)  # let every earlier publication arrive
            new, old_len, flagged = ("2", 2, False) if flagged else ("10", 1, True)
            cpu_before = cpu_seconds(pid)
            sent = time.perf_counter()
            replace(lsp, doc, n + 2, (line, column), (line, column + old_len), new)
            await diagnostics(lsp, doc, lambda d, want=flagged: bool(with_rule(d, RULE)) == want)
            times.append(time.perf_counter() - sent)
            cpu_after = cpu_seconds(pid)
            if cpu_before is not None and cpu_after is not None:
                cpu.append(cpu_after - cpu_before)
        await stop(lsp)
    times_ms = sorted(t * 1000 for t in times)
    return {
        "debounce_s": debounce,
        "edits": edits,
        "median_ms": round(statistics.median(times_ms), 1),
        "p90_ms": round(times_ms[int(0.9 * (len(times_ms) - 1))], 1),
        "max_ms": round(times_ms[-1], 1),
        "server_cpu_median_ms": round(statistics.median(cpu) * 1000) if cpu else None,
        "first_diagnostics_s": round(first, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    text = article(args.words)
    rows = [asyncio.run(measure(text, args.edits, d)) for d in (0.0, DEBOUNCE)]
    result = {
        "date": time.strftime("%Y-%m-%d"), "revision": revision(), "machine": machine(),
        "article_words": len(text.split()), "workspace_files": len(list((ROOT / "corpus").iterdir())) + 1,
        "rows": rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['date']} {result['revision']} {result['machine']}")
    print(f"article: {result['article_words']} words; workspace: {result['workspace_files']} files")
    print(f"{'debounce':>9} {'edits':>6} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'server CPU ms':>14} "
          f"{'first diagnostics s':>20}")
    for r in rows:
        print(f"{r['debounce_s']:>9} {r['edits']:>6} {r['median_ms']:>10} {r['p90_ms']:>8} {r['max_ms']:>8} "
              f"{r['server_cpu_median_ms']!s:>14} {r['first_diagnostics_s']:>20}")


if __name__ == "__main__":
    main()
