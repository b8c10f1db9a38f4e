"""Cost of ``check --engine dask`` with 1, 2, ... local workers on a generated corpus.

Writes ``--articles`` generated plain-text articles (``bench_consistency.generate``: short
articles about a handful of drugs whose placeholder values disagree; not dosing information)
to a folder, then times

- the local engine in this process (``Auditor.finish(Auditor.results_of(...))``), unless
  ``--no-local``;
- for each count in ``--workers``: starting a LocalCluster of that many worker processes (one
  thread each), then ``auditor.dask_engine.check`` on it, step by step (workers ready: rules and
  spaCy pipeline built on each worker; read and parse: files to results and per-document
  findings; consistency: the Dask groupby; finish: suppressions, order, fingerprints).

No claim cache is used. Each dask run's findings are compared with the local run's (``same``).
CPU seconds of the run are recorded for the client process and for each worker process
(``time.process_time`` there): on a machine shared with other work, the wall clock says more
about the others than about the engine, and the CPU seconds do not. The load average before
and after each run is recorded too.

Usage::

    .venv/bin/python tests/benchmarks/bench_dask.py [--articles 10000] [--workers 1,2] [--rounds 1]
        [--seed N] [--corpus DIR] [--no-local] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_consistency import SEED, generate
from benchutil import machine, peak_rss_mib, revision

from auditor.config import Config
from auditor.runner import Auditor, Selection


def write_corpus(folder: Path, count: int, seed: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(generate(count, seed)):
        path = folder / f"article-{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def run_local(folder: Path) -> dict:
    load = _load()
    start, cpu = time.perf_counter(), time.process_time()
    auditor = Auditor(Config())
    paths = auditor.files(Selection([str(folder)]), lambda m: None)
    report = auditor.finish(auditor.results_of(paths, lambda m: None))
    seconds = time.perf_counter() - start
    return {"engine": "local", "workers": 1, "seconds": seconds, "steps": {}, "load": f"{load} -> {_load()}",
            "cpu": {"client": time.process_time() - cpu, "workers": []},
            "record": report.to_record(), "claims": report.claims, "files": report.files}


def run_dask(folder: Path, workers: int) -> dict:
    from distributed import Client, LocalCluster

    from auditor import dask_engine

    load = _load()
    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as watch:
        cluster_start = time.perf_counter() - start
        before = watch.run(time.process_time)
        auditor = Auditor(Config())
        steps: dict[str, float] = {}
        began, cpu = time.perf_counter(), time.process_time()
        report = dask_engine.check(auditor, dask_engine.Settings(Config()), [str(folder)], [], [], lambda m: None,
                                   scheduler=cluster.scheduler_address, timings=steps)
        seconds = time.perf_counter() - began
        client_cpu = time.process_time() - cpu
        after = watch.run(time.process_time)
    worker_cpu = sorted(after[w] - before[w] for w in after)
    return {"engine": "dask", "workers": workers, "cluster_start": cluster_start, "seconds": seconds,
            "cpu": {"client": client_cpu, "workers": worker_cpu},
            "steps": steps, "load": f"{load} -> {_load()}", "record": report.to_record(),
            "claims": report.claims, "files": report.files}


def table(result: dict) -> str:
    steps = ["workers ready", "read and parse", "consistency", "finish"]
    head = ("| engine | workers | cluster start s | " + " | ".join(f"{s} s" for s in steps)
            + " | run s | articles/s | CPU s: client + each worker | same findings | load 1/5 min before -> after |")
    lines = [f"{result['articles']:,} articles, {result['claims']:,} claims, {result['findings']:,} findings; "
             f"{result['machine']}; revision {result['revision']}; median of {result['rounds']} round(s)", "",
             head, "|" + " --- |" * (head.count("|") - 1)]
    for row in result["runs"]:
        cells = [row["engine"], str(row["workers"]), f"{row['cluster_start']:.1f}" if "cluster_start" in row else "-"]
        cells += [f"{row['steps'][s]:.1f}" if s in row["steps"] else "-" for s in steps]
        cpu = " + ".join(f"{x:.1f}" for x in [row["cpu"]["client"], *row["cpu"]["workers"]])
        cells += [f"{row['seconds']:.1f}", f"{result['articles'] / row['seconds']:,.0f}", cpu, row["same"], row["load"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _median(runs: list[dict]) -> dict:
    best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    best = dict(best)
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=10000, help="generated articles (10000)")
    parser.add_argument("--workers", default="1,2", help="comma-separated local worker counts (1,2)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of each run; the median is shown (1)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed of the generator ({SEED})")
    parser.add_argument("--corpus", type=Path, help="write the articles here (default: a temporary folder)")
    parser.add_argument("--no-local", action="store_true", help="skip the local engine run")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of the table")
    args = parser.parse_args(argv)
    try:
        counts = [int(n) for n in args.workers.split(",") if n.strip()]
    except ValueError:
        parser.error("--workers takes comma-separated integers, e.g. 1,2")
    if not counts or min(counts) < 1 or args.articles < 1 or args.rounds < 1:
        parser.error("--articles, --rounds and worker counts must be at least 1")

    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        folder = args.corpus or Path(tmp) / "articles"
        write_corpus(folder, args.articles, args.seed)
        runs = []
        local = None
        if not args.no_local:
            local = _median([run_local(folder) for _ in range(args.rounds)])
            runs.append(local)
        for count in counts:
            runs.append(_median([run_dask(folder, count) for _ in range(args.rounds)]))
    reference = (local or runs[0])["record"]
    for run in runs:
        run["same"] = "yes" if run["record"] == reference else "NO"
    result = {
        "benchmark": "dask",
        "date": time.strftime("%Y-%m-%d"),
        "revision": revision(),
        "machine": machine(),
        "articles": args.articles,
        "seed": args.seed,
        "rounds": args.rounds,
        "claims": runs[0]["claims"],
        "findings": len(reference["findings"]),
        "runs": [{k: v for k, v in r.items() if k != "record"} for r in runs],
        "peak_rss_mib_client": peak_rss_mib(),
    }
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0 if all(r["same"] == "yes" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
