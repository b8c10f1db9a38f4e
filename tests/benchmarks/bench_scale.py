"""Speed and memory of ``auditor check`` at corpus scale, against its peers, in one run.

On one corpus (the bundled ``corpus/`` plus ``../shared/articles/*.txt`` when present, copied
``--copies`` times into a temporary folder) it measures words per second of:

* a bare ``spacy.blank("en")`` tokenizer pass, one process (the floor);
* ``auditor check --no-cache``, cold, with the default ``--jobs`` (all cores) and ``--jobs 1``;
* ``auditor check`` warm: again over the unchanged corpus, every file from the claim cache; the
  same command line again (its first round draws the stored reports, later rounds are answered
  by the remembered run, ``auditor/rerun.py``), and each round with a command line not run
  before (the stored reports only);
* medspaCy's default pipeline (``medspacy.load()``), installed in a virtualenv of its own
  under ``--peers-dir`` (never a dependency of auditor);
* textlint with one rule (``no-todo``) over the Markdown and text files, when ``node`` and
  ``npm`` are there (installed into ``--peers-dir`` with npm).

Words are whitespace-separated words of the files as read, the same count for every row
(textlint: of the files it reads). auditor's rows are whole commands, start-up included; the
tokenizer and medspaCy rows time the pass alone (their start-up is shown apart). Each row is
the best of ``--rounds`` runs, because the machine may be shared. It also compares one small
file, cold, with importing spaCy and building a blank pipeline, checks that the findings are
the same bytes with ``--jobs 1``, the default and warm, and records peak RSS (the command
and its worker processes together, sampled from ``/proc``) at 1x and 8x the corpus.

Then generated corpora (``--scales``, default 1,000, 10,000 and 100,000 short articles from
``bench_consistency.generate``) show how time and memory grow: a first run that parses every
file and writes the cache, then a warm run.

Before measuring it writes auditor's bytecode (``compileall``), as installing the package does.

Usage::

    .venv/bin/python tests/benchmarks/bench_scale.py [--copies 25] [--rounds 3]
        [--scales 1000,10000,100000] [--peers-dir DIR] [--no-peers] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchutil import ROOT, machine, revision

SHARED_ARTICLES = ROOT.parent / "shared" / "articles"
BIN = Path(sys.executable).parent
SMALL_FILE = ROOT / "corpus" / "clonazepam-key-takeaways.md"
DEFAULT_PEERS = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "auditor-bench"

TOKENIZE = """
import json, sys, time
paths = sys.argv[1:]
texts = [open(p, encoding="utf-8", errors="replace").read() for p in paths]
t0 = time.perf_counter()
import spacy
nlp = spacy.blank("en")
t1 = time.perf_counter()
for text in texts:
    nlp.make_doc(text)
t2 = time.perf_counter()
print(json.dumps({"startup": t1 - t0, "pass": t2 - t1}))
"""

MEDSPACY = """
import json, sys, time
paths = sys.argv[1:]
texts = [open(p, encoding="utf-8", errors="replace").read() for p in paths]
t0 = time.perf_counter()
import medspacy
nlp = medspacy.load()
t1 = time.perf_counter()
for _doc in nlp.pipe(texts):
    pass
t2 = time.perf_counter()
print(json.dumps({"startup": t1 - t0, "pass": t2 - t1, "pipeline": nlp.pipe_names}))
"""


# -- measuring a command -----------------------------------------------------------------
def _tree_rss_kib(root: int) -> int:
    """Resident memory of ``root`` and all its descendants (KiB), from /proc."""
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Wall time, peak RSS of the process tree (MiB), exit status and output of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return {"seconds": seconds, "rss_mib": peak[0] / 1024, "code": proc.returncode, "stdout": out, "stderr": err}


def best(cmd: list[str], rounds: int, **kw) -> dict:
    """The fastest of ``rounds`` runs in a row (``fastest``)."""
    return fastest([run(cmd, **kw) for _ in range(rounds)])


def fastest(runs: list[dict]) -> dict:
    """The fastest of ``runs`` (with the highest peak RSS seen in any of them)."""
    quickest = min(runs, key=lambda r: r["seconds"])
    return {**quickest, "rss_mib": max(r["rss_mib"] for r in runs), "all": [round(r["seconds"], 3) for r in runs]}


def check_cmd(folder: Path, out: Path, *options: str) -> list[str]:
    return [str(BIN / "auditor"), "check", str(folder), "--format", "json", "-o", str(out), "--fail-on", "never",
            *options]


# -- corpora -------------------------------------------------------------------------------
def source_files() -> list[Path]:
    files = [p for p in sorted((ROOT / "corpus").iterdir()) if p.suffix in (".md", ".html", ".txt")]
    if SHARED_ARTICLES.is_dir():
        files += sorted(SHARED_ARTICLES.glob("*.txt"))
    return files


def copy_corpus(folder: Path, copies: int) -> list[Path]:
    out = []
    for n in range(copies):
        sub = folder / f"copy-{n:03d}"
        sub.mkdir(parents=True)
        for source in source_files():
            target = sub / source.name
            shutil.copyfile(source, target)
            out.append(target)
    return out


def generated_corpus(folder: Path, count: int) -> list[Path]:
    from bench_consistency import generate

    out = []
    for i, text in enumerate(generate(count)):
        sub = folder / f"part-{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True)
        path = sub / f"article-{i:06d}.txt"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def words(paths: list[Path]) -> int:
    return sum(len(p.read_text(encoding="utf-8", errors="replace").split()) for p in paths)


# -- peers -------------------------------------------------------------------------------
def medspacy_python(peers: Path) -> Path | None:
    venv = peers / "medspacy-venv"
    python = venv / "bin" / "python"
    if not python.exists() or subprocess.run([str(python), "-c", "import medspacy"], capture_output=True).returncode:
        print(f"installing medspaCy into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = subprocess.run([str(python), "-m", "pip", "install", "-q", "medspacy"], capture_output=True, text=True)
        if install.returncode:
            print(f"medspaCy could not be installed: {install.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return None
    return python


def textlint_bin(peers: Path) -> Path | None:
    if not (shutil.which("node") and shutil.which("npm")):
        return None
    folder = peers / "textlint"
    binary = folder / "node_modules" / ".bin" / "textlint"
    if not binary.exists():
        print(f"installing textlint into {folder} ...", file=sys.stderr)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "package.json").exists():
            subprocess.run(["npm", "init", "-y"], cwd=folder, capture_output=True, check=True)
        install = subprocess.run(["npm", "install", "--silent", "textlint", "textlint-rule-no-todo"], cwd=folder,
                                 capture_output=True, text=True)
        if install.returncode or not binary.exists():
            print("textlint could not be installed", file=sys.stderr)
            return None
    return binary


# -- the run -----------------------------------------------------------------------------
def compile_package() -> None:
    """Write auditor's bytecode, as ``pip install`` does for an installed package.

    An editable install has none until a module is first imported, and where
    PYTHONDONTWRITEBYTECODE is set it never gets any: every command would compile every module
    it imports again (about 0.1 s), which is not what users of an installed auditor pay.
    """
    import compileall

    import auditor

    compileall.compile_dir(str(Path(auditor.__file__).parent), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scales", default="1000,10000,100000")
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    compile_package()
    work = Path(tempfile.mkdtemp(prefix="auditor-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "AUDITOR_CACHE_DIR"}
    try:
        result = measure(args, work, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(table(result))
    return 0


def measure(args, work: Path, env: dict) -> dict:
    rounds = args.rounds
    corpus = work / "corpus"
    files = copy_corpus(corpus, args.copies)
    n_words = words(files)
    cache = work / "cache"
    out = {"revision": revision(), "machine": machine(), "date": time.strftime("%Y-%m-%d"), "rounds": rounds,
           "files": len(files), "words": n_words, "cores": os.cpu_count()}
    rows: dict[str, dict] = {}

    # The rows take turns, round after round, so that a drift of the machine's speed touches
    # every row alike: the ratios of one run are then comparable.
    run(check_cmd(corpus, work / "prime.json", "--cache-dir", str(cache)), env=env)
    tok, taken = [], {"cold": [], "cold_jobs1": [], "warm": [], "warm_fresh": []}
    for i in range(rounds):
        tok.append(json.loads(subprocess.run([sys.executable, "-c", TOKENIZE, *map(str, files)], capture_output=True,
                                             text=True, check=True).stdout))
        taken["cold"].append(run(check_cmd(corpus, work / "cold.json", "--no-cache"), env=env))
        taken["cold_jobs1"].append(run(check_cmd(corpus, work / "one.json", "--no-cache", "--jobs", "1"), env=env))
        taken["warm"].append(run(check_cmd(corpus, work / "warm.json", "--cache-dir", str(cache)), env=env))
        # the same, with a command line not run before (so never answered by a remembered run)
        taken["warm_fresh"].append(run(check_cmd(corpus, work / f"fresh-{i}.json", "--cache-dir", str(cache)), env=env))
    rows["tokenizer"] = {"seconds": min(t["pass"] for t in tok), "startup": min(t["startup"] for t in tok)}
    for name, runs in taken.items():
        rows[name] = fastest(runs)
    same = ((work / "cold.json").read_bytes() == (work / "one.json").read_bytes() == (work / "warm.json").read_bytes()
            == (work / "fresh-0.json").read_bytes())
    out["same_findings"] = same
    out["findings"] = len(json.loads((work / "cold.json").read_text(encoding="utf-8"))["findings"])

    small, blank = [], []
    for _ in range(rounds * 2):
        small.append(run(check_cmd(SMALL_FILE, work / "small.json", "--no-cache"), env=env)["seconds"])
        blank.append(run([sys.executable, "-c", "import spacy; spacy.blank('en')"], env=env)["seconds"])
    out["small_file"] = {"path": str(SMALL_FILE.relative_to(ROOT)), "words": words([SMALL_FILE]),
                         "check": min(small), "spacy_blank": min(blank)}

    big = work / "corpus8"
    copy_corpus(big, args.copies * 8)
    rows["cold_8x"] = best(check_cmd(big, work / "big.json", "--no-cache"), 1, env=env)
    shutil.rmtree(big)

    if not args.no_peers:
        python = medspacy_python(args.peers_dir)
        if python is not None:
            med = []
            for _ in range(rounds):
                proc = subprocess.run([str(python), "-c", MEDSPACY, *map(str, files)], capture_output=True, text=True)
                if proc.returncode:
                    out["medspacy_error"] = proc.stderr.strip().splitlines()[-1:]
                    break
                med.append(json.loads(proc.stdout))
            if med:
                rows["medspacy"] = {"seconds": min(m["pass"] for m in med), "startup": min(m["startup"] for m in med),
                                    "pipeline": med[0]["pipeline"]}
        textlint = textlint_bin(args.peers_dir)
        if textlint is not None:
            linted = [p for p in files if p.suffix in (".md", ".txt")]
            lint = best([str(textlint), "--rule", "no-todo", *map(str, linted)], rounds, env=env)
            rows["textlint"] = {**lint, "words": words(linted), "files": len(linted)}

    scales = []
    for count in [int(s) for s in args.scales.split(",") if s]:
        folder = work / f"generated-{count}"
        generated = generated_corpus(folder, count)
        scale_cache = work / f"cache-{count}"
        first = run(check_cmd(folder, work / "gen.json", "--cache-dir", str(scale_cache)), env=env)
        again = run(check_cmd(folder, work / "gen-warm.json", "--cache-dir", str(scale_cache)), env=env)
        scales.append({"articles": count, "words": words(generated), "first": first, "warm": again,
                       "same": (work / "gen.json").read_bytes() == (work / "gen-warm.json").read_bytes()})
        shutil.rmtree(folder)
        shutil.rmtree(scale_cache)
    out["rows"] = {k: _clean(v) for k, v in rows.items()}
    out["scales"] = [{k: _clean(v) if isinstance(v, dict) else v for k, v in s.items()} for s in scales]
    return out


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("stdout", "stderr")}


def table(r: dict) -> str:
    rows, w = r["rows"], r["words"]
    tok = rows["tokenizer"]["seconds"]
    cold = rows["cold"]["seconds"]

    def line(name: str, row: dict | None, n_words: int = w, note: str = "") -> str:
        if row is None:
            return f"| {name} | - | - | - | - | {note or 'not run'} |"
        s = row["seconds"]
        rss = f"{row['rss_mib']:.0f}" if "rss_mib" in row else "-"
        return (f"| {name} | {s:.2f} | {n_words / s:,.0f} | {(n_words / s) / (w / tok):.2f} | {rss} | {note} |")

    out = [f"{r['files']} files, {w:,} words; {r['machine']}; revision {r['revision']}; best of {r['rounds']} runs.", "",
           "| row | seconds | words/s | x tokenizer words/s | peak RSS MiB | notes |",
           "| --- | ---: | ---: | ---: | ---: | --- |",
           line('spacy.blank("en") tokenizer, 1 process', rows["tokenizer"],
                note=f"pass only; import and blank pipeline {rows['tokenizer']['startup']:.2f} s"),
           line(f"auditor check --no-cache (cold, --jobs {r['cores']})", rows["cold"], note="start-up included"),
           line("auditor check --no-cache --jobs 1", rows["cold_jobs1"]),
           line("auditor check (warm: every file cached, the same command again)", rows["warm"],
                note=f"{cold / rows['warm']['seconds']:.1f}x faster than cold"),
           line("auditor check (warm, a command line not run before)", rows["warm_fresh"],
                note=f"{cold / rows['warm_fresh']['seconds']:.1f}x faster than cold; stored reports, not a remembered run"),
           line("auditor check --no-cache, 8x the corpus", rows["cold_8x"], n_words=w * 8,
                note=f"peak RSS {rows['cold_8x']['rss_mib'] / rows['cold']['rss_mib']:.2f}x the 1x run"),
           ]
    med = rows.get("medspacy")
    out.append(line("medspaCy default pipeline, 1 process", med,
                    note=f"pass only; load {med['startup']:.2f} s; {', '.join(med['pipeline'])}" if med else r.get("medspacy_error", "")))
    lint = rows.get("textlint")
    out.append(line(f"textlint, rule no-todo ({lint['files']} .md/.txt files)" if lint else "textlint", lint,
                    n_words=lint["words"] if lint else w, note="start-up included" if lint else "node/npm not found"))
    small = r["small_file"]
    out += ["", f"One small file ({small['path']}, {small['words']} words), cold: {small['check']:.2f} s; "
                f"importing spaCy and building a blank pipeline: {small['spacy_blank']:.2f} s "
                f"({small['check'] / small['spacy_blank']:.2f}x).",
            f"Same findings with --jobs 1, the default and warm: {'yes' if r['same_findings'] else 'NO'} ({r['findings']} findings).",
            "", "| generated articles | words | first run s | words/s | peak RSS MiB | warm s | warm peak RSS MiB | same |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for s in r["scales"]:
        out.append(f"| {s['articles']:,} | {s['words']:,} | {s['first']['seconds']:.1f} | {s['words'] / s['first']['seconds']:,.0f} "
                   f"| {s['first']['rss_mib']:.0f} | {s['warm']['seconds']:.1f} | {s['warm']['rss_mib']:.0f} | {'yes' if s['same'] else 'NO'} |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
