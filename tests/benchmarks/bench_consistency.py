"""Cost of cross-document consistency on a generated corpus.

Generates ``--articles`` short plain-text articles in memory (fixed seed), each stating a few
claims -- duration of effect, half-life, starting dose, maximum dose, usual daily range --
about one to three drugs of a handful. Values are drawn from small sets so that articles
disagree. They are arbitrary placeholders chosen to produce load and disagreements; they
are not dosing information and nothing here is checked for accuracy.

For each scale (``--scales``: divisors of ``--articles``; ``100,10,1`` runs K/100, K/10 and K)
the first K/d articles are ingested (``auditor.ingest.text.read_text``), run through the
extraction pipeline (``Auditor.claims``), and the claims go to ``ConsistencyChecker`` with the
bundled rules. The consistency step is timed alone (median of ``--rounds``, after a warm-up
run) and, with ``--per-rule``, rule by rule. The ratio seconds/claim across scales shows
how the step grows with the number of claims.

Usage::

    .venv/bin/python tests/benchmarks/bench_consistency.py [--articles 10000] [--scales 100,10,1]
        [--rounds 3] [--per-rule] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter

from benchutil import machine, peak_rss_mib, revision

from auditor.claims import Claim
from auditor.config import Config
from auditor.consistency import ConsistencyChecker
from auditor.document import Document
from auditor.ingest.text import read_text
from auditor.runner import Auditor

SEED = 20240611

# Drug -> uses an article may name (lexicon terms). Which drug treats what is not measured here.
DRUGS = {
    "alprazolam": ["anxiety", "panic disorder"],
    "clonazepam": ["panic disorder", "seizures"],
    "lorazepam": ["anxiety"],
    "diazepam": ["anxiety", "muscle spasms", "alcohol withdrawal"],
    "zolpidem": ["insomnia"],
    "sertraline": ["depression", "panic disorder", "OCD"],
}
POPULATIONS = ["adults", "adults", "older adults"]

# Placeholder values: small sets, so the same drug gets different figures in different articles.
DURATIONS = ["6", "8", "6 to 8", "6 to 12", "12"]
HALF_LIVES = ["11", "12", "11 to 15", "20", "30 to 40"]
START_DOSES = ["0.25", "0.5", "1"]
FREQUENCIES = ["once a day", "twice a day", "three times a day"]
MAX_DOSES = ["4", "6", "10"]
DAILY_RANGES = ["0.5 to 4", "1 to 4", "2 to 6"]

TEMPLATES = {
    "duration": [
        "A single dose of {drug} keeps working for about {v} hours.",
        "The effect of one {drug} dose lasts {v} hours.",
        "{Drug} usually works for {v} hours after each dose.",
        "The effects of {drug} wear off after {v} hours.",
        "One dose of {drug} lasts for {v} hours.",
    ],
    "half_life": [
        "The half-life of {drug} is about {v} hours in adults.",
        "{Drug} has a half-life of {v} hours.",
        "With a half-life of {v} hours, {drug} stays in the body for a while.",
    ],
    "start": [
        "{Pop} with {ind} usually start {drug} at {v} mg {freq}.",
        "For {ind}, the starting dose of {drug} is {v} mg {freq}.",
        "Treatment of {ind} with {drug} often begins at {v} mg {freq} in {pop}.",
    ],
    "max": [
        "For {ind}, the maximum dose of {drug} is {v} mg a day.",
        "{Pop} with {ind} should not take more than {v} mg of {drug} a day.",
        "Never take more than {v} mg of {drug} in 24 hours for {ind}.",
    ],
    "typical": [
        "{Pop} with {ind} usually take {v} mg of {drug} a day.",
        "For {ind}, the usual daily dose of {drug} is {v} mg.",
        "For {ind}, the usual range of {drug} is {v} mg daily.",
    ],
}
VALUES = {"duration": DURATIONS, "half_life": HALF_LIVES, "start": START_DOSES, "max": MAX_DOSES,
          "typical": DAILY_RANGES}
TITLES = [
    "{Drug}: what to expect",
    "How long does {drug} last",
    "A short guide to {drug}",
    "{Drug} dosing at a glance",
    "Questions about {drug}",
]
FILLER = [
    "Talk to your prescriber before changing a dose.",
    "Do not stop {drug} suddenly without medical advice.",
    "Side effects are usually mild at first and fade over a few weeks.",
    "Take the tablets with water, with or without food.",
    "Your pharmacist can answer questions about your prescription.",
    "Some people notice drowsiness, so take care when driving.",
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def sentence(rng: random.Random, kind: str, drug: str) -> str:
    """One claim sentence about ``drug``."""
    pop = rng.choice(POPULATIONS)
    return rng.choice(TEMPLATES[kind]).format(
        drug=drug, Drug=_cap(drug), v=rng.choice(VALUES[kind]), ind=rng.choice(DRUGS[drug]),
        pop=pop, Pop=_cap(pop), freq=rng.choice(FREQUENCIES),
    )


def article(rng: random.Random) -> str:
    """A short article: a title and a few paragraphs, 3-6 claims about 1-3 drugs."""
    drugs = rng.sample(sorted(DRUGS), rng.choice([1, 1, 2, 3]))
    lines = [rng.choice(TITLES).format(drug=drugs[0], Drug=_cap(drugs[0])), ""]
    for drug in drugs:
        # with replacement: an article now and then states one attribute twice, with two values
        kinds = rng.choices(sorted(TEMPLATES), k=rng.randint(2, 4))
        paragraph = [sentence(rng, k, drug) for k in kinds]
        paragraph.insert(rng.randrange(len(paragraph) + 1), rng.choice(FILLER).format(drug=drug))
        lines += [" ".join(paragraph), ""]
    return "\n".join(lines)


def generate(count: int, seed: int = SEED) -> list[str]:
    """``count`` article texts; the same seed gives the same corpus."""
    rng = random.Random(seed)
    return [article(rng) for _ in range(count)]


def ingest(texts: list[str]) -> list[Document]:
    return [read_text(f"generated/article-{i:05d}.txt", text, []) for i, text in enumerate(texts)]


def median_time(fn, rounds: int) -> tuple[float, object]:
    """Warm up once, then the median of ``rounds`` timings and the last result."""
    result = fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(auditor: Auditor, texts: list[str], rounds: int, per_rule: bool) -> dict:
    """Ingest, extraction and consistency timings for one corpus."""
    start = time.perf_counter()
    documents = ingest(texts)
    ingest_seconds = time.perf_counter() - start

    start = time.perf_counter()
    claims: list[Claim] = [c for _, _, cs in auditor.claims(documents) for c in cs]
    extract_seconds = time.perf_counter() - start

    rules = auditor.ruleset.active()
    checker = ConsistencyChecker(rules, rules, auditor.lexicon)
    seconds, findings = median_time(lambda: checker.check(claims), rounds)
    by_rule = Counter(f.rule for f in findings)
    result = {
        "articles": len(texts),
        "words": sum(len(d.text.split()) for d in documents),
        "claims": len(claims),
        "findings": len(findings),
        "related_places": sum(len(f.related) for f in findings),
        "ingest_seconds": ingest_seconds,
        "extract_seconds": extract_seconds,
        "consistency_seconds": seconds,
        "claims_per_second": len(claims) / seconds if seconds else float("inf"),
        "microseconds_per_claim": 1e6 * seconds / len(claims) if claims else 0.0,
        "findings_by_rule": dict(sorted(by_rule.items())),
    }
    if per_rule:
        timings = {}
        for rule in checker.rules:
            one = ConsistencyChecker([rule], rules, auditor.lexicon)
            timings[rule.id], _ = median_time(lambda one=one: one.check(claims), rounds)
        result["seconds_by_rule"] = timings
    return result


def table(result: dict) -> str:
    lines = [
        f"revision {result['revision']}; {result['machine']}; seed {result['seed']}; "
        f"consistency: median of {result['rounds']} rounds after a warm-up",
        "",
        f"{'articles':>8} {'words':>9} {'claims':>7} {'findings':>8} {'related':>8} {'extract s':>9} "
        f"{'consist. s':>10} {'claims/s':>10} {'us/claim':>9}",
    ]
    for r in result["scales"]:
        lines.append(
            f"{r['articles']:8,} {r['words']:9,} {r['claims']:7,} {r['findings']:8,} {r['related_places']:8,} "
            f"{r['extract_seconds']:9.1f} {r['consistency_seconds']:10.4f} {r['claims_per_second']:10,.0f} "
            f"{r['microseconds_per_claim']:9.1f}"
        )
    largest = result["scales"][-1]
    lines += ["", "findings by rule (largest scale): "
              + ", ".join(f"{k} {v}" for k, v in largest["findings_by_rule"].items())]
    if "seconds_by_rule" in largest:
        lines.append("consistency seconds by rule:")
        head = f"  {'rule':36}" + "".join(f" {r['articles']:>9,}" for r in result["scales"])
        lines.append(head)
        for rule in largest["seconds_by_rule"]:
            lines.append(f"  {rule:36}" + "".join(f" {r['seconds_by_rule'][rule]:9.4f}" for r in result["scales"]))
    lines.append(f"peak RSS of the run: {result['peak_rss_mib']:.0f} MiB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=10000, help="articles at the largest scale (10000)")
    parser.add_argument("--scales", default="100,10,1",
                        help="comma-separated divisors of --articles to run (100,10,1: K/100, K/10, K)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of the consistency step (3)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed of the generator ({SEED})")
    parser.add_argument("--per-rule", action="store_true", help="also time each consistency rule alone")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of the table")
    args = parser.parse_args(argv)
    try:
        divisors = sorted({int(d) for d in args.scales.split(",") if d.strip()}, reverse=True)
    except ValueError:
        parser.error("--scales takes comma-separated integers, e.g. 100,10,1")
    if not divisors or min(divisors) < 1 or args.articles < max(divisors) or args.rounds < 1:
        parser.error("--articles must be at least the largest divisor; divisors and --rounds at least 1")

    texts = generate(args.articles, args.seed)
    auditor = Auditor(Config())
    scales = [measure(auditor, texts[: args.articles // d], args.rounds, args.per_rule) for d in divisors]
    result = {
        "benchmark": "consistency",
        "date": time.strftime("%Y-%m-%d"),
        "revision": revision(),
        "machine": machine(),
        "seed": args.seed,
        "rounds": args.rounds,
        "scales": scales,
        "peak_rss_mib": peak_rss_mib(),
    }
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
