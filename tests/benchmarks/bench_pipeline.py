"""Extraction speed and memory of the auditor pipeline, against a bare spaCy tokenizer.

Input: the articles under ``corpus/`` and ``tests/gold/`` (and ``../shared/articles/*.txt``
when that folder exists), repeated ``--repeat`` times so one round takes a few seconds.

Rows (words are whitespace-separated words of the ingested plain text, the same count for
every row):

* ``spacy.blank("en") tokenizer`` -- ``nlp.pipe`` of a blank English pipeline over the texts;
* ``ingest only`` -- ``load_document`` for every file;
* ``pipeline, ingest excluded`` -- ``Auditor.claims`` over documents loaded beforehand;
* ``pipeline, ingest included`` -- ``load_document`` then ``Auditor.claims``.

Every row gets a warm-up pass over the articles once, then ``--rounds`` timed rounds in
which the rows take turns; the median round is reported, wall clock (``time.perf_counter``)
and CPU time (``time.process_time``, less disturbed by other work on the machine). Memory is
measured after the timings: the process's peak RSS (``resource.getrusage``, which includes
loading spaCy and the rules) and the ``tracemalloc`` peak of one pass of the pipeline (ingest
included, claims kept) over the articles once.

Usage::

    .venv/bin/python tests/benchmarks/bench_pipeline.py [--repeat 20] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import spacy
from benchutil import ROOT, machine, peak_rss_mib, revision, rss_mib

from auditor.config import Config
from auditor.document import Document
from auditor.ingest import discover, load_document
from auditor.runner import Auditor

DEFAULT_INPUTS = (ROOT / "corpus", ROOT / "tests" / "gold")
SHARED_ARTICLES = Path(__file__).resolve().parents[3] / "shared" / "articles"


def article_paths(extra: list[str]) -> list[str]:
    """The benchmark's input files, in a stable order."""
    roots = [str(p) for p in DEFAULT_INPUTS if p.is_dir()] + list(extra)
    files, _ = discover(roots, [], [])
    if SHARED_ARTICLES.is_dir():
        files += sorted(str(p) for p in SHARED_ARTICLES.glob("*.txt"))
    return files


def word_count(documents: list[Document]) -> int:
    """Whitespace-separated words of the plain text the pipeline reads."""
    return sum(len(d.text.split()) for d in documents)


def timed_rounds(rows: list[tuple[str, Callable[[int], object]]], repeat: int, rounds: int) -> list[dict]:
    """Warm every row up with ``fn(1)``, then time ``fn(repeat)`` for each row in turn, ``rounds`` times.

    Rows take turns within a round, so a slow spell of a shared machine hits every row alike.
    Returns per row the median wall-clock and CPU seconds and every round's wall-clock seconds.
    """
    for _, fn in rows:
        fn(1)
    wall: list[list[float]] = [[] for _ in rows]
    cpu: list[list[float]] = [[] for _ in rows]
    for _ in range(rounds):
        for i, (_, fn) in enumerate(rows):
            c0, w0 = time.process_time(), time.perf_counter()
            fn(repeat)
            wall[i].append(time.perf_counter() - w0)
            cpu[i].append(time.process_time() - c0)
    return [
        {"name": name, "seconds": statistics.median(w), "cpu_seconds": statistics.median(c), "rounds": w}
        for (name, _), w, c in zip(rows, wall, cpu, strict=True)
    ]


def run(repeat: int, rounds: int, extra: list[str]) -> dict:
    """Measure every row; returns the JSON-ready result."""
    paths = article_paths(extra)
    if not paths:
        raise SystemExit("no articles found")
    start = time.perf_counter()
    auditor = Auditor(Config())
    load_seconds = time.perf_counter() - start
    blank = spacy.blank("en")
    rss_after_load = rss_mib()

    documents = [load_document(p) for p in paths]
    texts = [d.text for d in documents]
    words_once = word_count(documents)
    claims_once = sum(len(c) for _, _, c in auditor.claims(documents))

    words = words_once * repeat

    def tokenizer(n: int) -> None:
        for _ in blank.pipe(texts * n):
            pass

    def ingest(n: int) -> None:
        for p in paths * n:
            load_document(p)

    def pipeline_only(n: int) -> None:
        for _ in auditor.claims(documents * n):
            pass

    def pipeline_with_ingest(n: int) -> None:
        for _ in auditor.claims(load_document(p) for p in paths * n):
            pass

    rows = timed_rounds([
        ('spacy.blank("en") tokenizer', tokenizer),
        ("ingest only", ingest),
        ("pipeline, ingest excluded", pipeline_only),
        ("pipeline, ingest included", pipeline_with_ingest),
    ], repeat, rounds)
    base = rows[0]["seconds"]
    for row in rows:
        row["words_per_second"] = words / row["seconds"]
        row["vs_tokenizer"] = row["seconds"] / base

    tracemalloc.start()
    kept = [c for _, _, c in auditor.claims(load_document(p) for p in paths)]
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept

    return {
        "benchmark": "pipeline",
        "date": time.strftime("%Y-%m-%d"),
        "revision": revision(),
        "machine": machine(),
        "spacy": spacy.__version__,
        "articles": len(paths),
        "words_per_pass": words_once,
        "claims_per_pass": claims_once,
        "repeat": repeat,
        "rounds": rounds,
        "words_timed": words,
        "load_seconds": load_seconds,
        "rows": rows,
        "pipeline_vs_tokenizer": rows[2]["seconds"] / base,
        "rss_after_load_mib": rss_after_load,
        "peak_rss_mib": peak_rss_mib(),
        "tracemalloc_peak_one_pass_mib": traced_peak / (1024 * 1024),
    }


def table(result: dict) -> str:
    """The human-readable report."""
    lines = [
        f"{result['articles']} articles, {result['words_per_pass']:,} words and {result['claims_per_pass']:,} "
        f"claims per pass; x{result['repeat']} = {result['words_timed']:,} words per round; "
        f"median of {result['rounds']} rounds after a warm-up",
        f"revision {result['revision']}; {result['machine']}, spaCy {result['spacy']}; "
        f"auditor load {result['load_seconds']:.2f} s",
        "",
        f"{'':30} {'seconds':>8} {'cpu s':>8} {'words/s':>10} {'x tokenizer':>12}",
    ]
    for row in result["rows"]:
        lines.append(f"{row['name']:30} {row['seconds']:8.3f} {row['cpu_seconds']:8.3f} {row['words_per_second']:10,.0f} {row['vs_tokenizer']:12.1f}")
    lines += [
        "",
        f"RSS after loading: {result['rss_after_load_mib']:.0f} MiB; peak RSS: {result['peak_rss_mib']:.0f} MiB",
        f"tracemalloc peak, one pass (ingest + pipeline, claims kept): {result['tracemalloc_peak_one_pass_mib']:.1f} MiB",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=20, help="times the articles are repeated per round (20)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the median is reported (3)")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of the table")
    parser.add_argument("paths", nargs="*", help="more article files or folders")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.rounds < 1:
        parser.error("--repeat and --rounds must be at least 1")
    result = run(args.repeat, args.rounds, args.paths)
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
