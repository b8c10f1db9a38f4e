"""Peak memory and CPU time of ``auditor check`` on one huge article (Markdown, HTML, plain text).

Each article is the sample articles pasted together until it has the size asked for (``--sizes``,
in MB): Markdown from ``corpus/*.md``, HTML from the bodies of ``corpus/*.html`` inside one
``<html><body>``, plain text from the first article of ``../shared/articles`` (or
``corpus/*.md`` when that is missing). Each run is a separate process,
``auditor check FILE --no-cache -j 1 --format json`` with ``max_file_size_mb: 100`` in a config
file (with ``--cache``: a new claim cache instead of ``--no-cache``, so the run stores the file's
result there), measured with ``/usr/bin/time -f "%U %S %M"``: user+system CPU seconds and the
maximum resident set size. The table shows them with the number of findings and the exit code, so that
runs of two revisions can be compared (``--auditor`` names the executable to measure).

Usage::

    .venv/bin/python tests/benchmarks/bench_huge.py [--sizes 1,10,50] [--formats md,html,txt] [--auditor PATH] [--cache]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from benchutil import machine, revision

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "articles"


def unit(fmt: str) -> tuple[str, str, str]:
    """(head, repeated body, tail) of an article of format ``fmt``."""
    if fmt == "md":
        return "", "".join(p.read_text(encoding="utf-8").rstrip("\n") + "\n\n" for p in sorted((REPO / "corpus").glob("*.md"))), ""
    if fmt == "html":
        bodies = []
        for p in sorted((REPO / "corpus").glob("*.html")):
            text = p.read_text(encoding="utf-8")
            m = re.search(r"<body[^>]*>(.*)</body>", text, re.S | re.I)
            bodies.append(m.group(1) if m else text)
        return "<html><head><title>Articles</title></head><body>\n", "\n".join(bodies) + "\n", "</body></html>\n"
    texts = sorted(SHARED.glob("*.txt"))[:1] or sorted((REPO / "corpus").glob("*.md"))
    return "", "".join(p.read_text(encoding="utf-8").rstrip("\n") + "\n\n" for p in texts), ""


def write(path: Path, fmt: str, megabytes: float) -> int:
    head, body, tail = unit(fmt)
    target = int(megabytes * 1024 * 1024)
    size = len(head.encode()) + len(tail.encode())
    step = len(body.encode())
    with path.open("w", encoding="utf-8") as f:
        f.write(head)
        while size + step <= target or size == len(head.encode()) + len(tail.encode()):
            f.write(body)
            size += step
        f.write(tail)
    return size


def measure(auditor: str, path: Path, config: Path, cache: Path | None = None) -> dict:
    caching = ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
    cmd = ["/usr/bin/time", "-f", "%U %S %M", auditor, "check", str(path), *caching, "-j", "1",
           "--format", "json", "--config", str(config)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    user, system, rss = proc.stderr.strip().splitlines()[-1].split()
    try:
        findings = len(json.loads(proc.stdout)["findings"])
    except (ValueError, KeyError):
        findings = None
    return {"cpu_s": round(float(user) + float(system), 1), "max_rss_mb": round(int(rss) / 1024), "exit": proc.returncode,
            "findings": findings}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,50", help="article sizes in MB")
    ap.add_argument("--formats", default="md,html,txt")
    ap.add_argument("--auditor", default=str(Path(sys.executable).parent / "auditor"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cache", action="store_true", help="write a new claim cache instead of --no-cache")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "auditor.yaml"
        config.write_text("max_file_size_mb: 100\n")
        for fmt in args.formats.split(","):
            for mb in (float(s) for s in args.sizes.split(",")):
                path = Path(tmp) / f"huge.{fmt}"
                size = write(path, fmt, mb)
                cache = Path(tmp) / f"cache-{fmt}-{mb}" if args.cache else None
                rows.append({"format": fmt, "bytes": size, **measure(args.auditor, path, config, cache)})
                path.unlink()
    if args.json:
        print(json.dumps({"revision": revision(), "machine": machine(), "rows": rows}, indent=2))
        return
    print(f"# {revision()} on {machine()}; {args.auditor}{' (new claim cache)' if args.cache else ' --no-cache'}")
    print(f"{'format':6} {'MB':>6} {'CPU s':>8} {'max RSS MB':>10} {'findings':>8} {'exit':>4}")
    for r in rows:
        print(f"{r['format']:6} {r['bytes'] / 1048576:6.1f} {r['cpu_s']:8.1f} {r['max_rss_mb']:10} {r['findings']!s:>8} {r['exit']:4}")


if __name__ == "__main__":
    main()
