"""The command line: ``auditor check``, ``claims``, ``rules``, ``compare``, ``baseline``, ``pipeline``, ``lsp``.

Exit status: 0 nothing at or above the fail level; 1 findings at or above it (or failing rule
tests); 2 usage, configuration or rule errors; 3 an internal error. Problems with single
input files are reported on stderr, one line each, and the run goes on. A bug met on one file
is one warning naming it; the other files are audited and reported, then the run exits 3.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__, rerun
from .errors import AuditorError

FAIL_LEVELS = ("error", "warning", "info", "never")


def _warn(message: str) -> None:
    rerun.warned()
    click.echo(f"auditor: warning: {message}", err=True)


def _fail(message: str, code: int = 2) -> None:
    rerun.warned()
    click.echo(f"auditor: error: {message}", err=True)
    sys.exit(code)


def _load(config_path: str | None, rules: tuple[str, ...], default_rules: bool | None = None,
          run: tuple[bool, str | None, int | None] | None = None):
    """Config + Auditor (rules, lexicon, pipeline), with config errors as exit 2.

    ``run``: the --no-cache, --cache-dir and --jobs options of the command (``_run_options``).
    """
    from .config import find_config, load_config
    from .runner import Auditor

    path = Path(config_path) if config_path else find_config()
    config = load_config(path)
    directory = None
    if run is not None and not run[0]:
        from .cache import default_cache_dir

        directory = Path(run[1]) if run[1] else default_cache_dir(config.path)
    auditor = Auditor(config, [Path(r) for r in rules], default_rules=default_rules, cache_dir=directory, warn=_warn)
    if run is not None:
        auditor.jobs = run[2] or os.cpu_count() or 1
    for message in auditor.ruleset.warnings:
        _warn(message)
    return config, auditor


def _cache_dir(cache_dir: str | None, config) -> str:
    """The claim cache directory of --cache-dir, or the default one."""
    from .cache import default_cache_dir

    return str(Path(cache_dir) if cache_dir else default_cache_dir(config.path))


def _pack_versions() -> str:
    try:
        from .engine import load_rules
        from .paths import bundled_rules_dir

        packs = load_rules([bundled_rules_dir()]).packs
        return ", ".join(f"{p.id} {p.version or 'unversioned'}" for p in packs)
    except AuditorError as exc:
        return f"(bundled rules did not load: {exc.message})"


def _version(ctx: click.Context, _param: Any, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"auditor {__version__}")
    click.echo(f"rule packs: {_pack_versions()}")
    ctx.exit()


class AuditorGroup(click.Group):
    """Turns AuditorError into one line on stderr and exit 2, anything unexpected into exit 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AuditorError as exc:
            _fail(exc.message, exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:
            _fail(f"internal error: {type(exc).__name__}: {exc} (please report it)", 3)


@click.group(cls=AuditorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version and the bundled rule-pack versions.")
def main() -> None:
    """auditor: a claim-audit linter for health content.

    It extracts every dose and numeric claim from articles (Markdown, HTML, plain text),
    checks them against rules built from drug labels, and finds contradictions between
    and inside articles.
    """


# -- shared options -------------------------------------------------------------------
def _input_options(func: Callable) -> Callable:
    for option in reversed([
        click.argument("paths", nargs=-1, required=True, type=click.Path()),
        click.option("--rules", "rules", multiple=True, type=click.Path(), metavar="DIR",
                     help="Add a rules directory (repeatable)."),
        click.option("--config", "config_path", type=click.Path(), metavar="FILE",
                     help="Config file (default: auditor.yaml or [tool.auditor] in pyproject.toml, searched upward)."),
        click.option("--include", multiple=True, metavar="GLOB", help="Only files matching this glob (repeatable)."),
        click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching this glob (repeatable)."),
    ]):
        func = option(func)
    return func


def _run_options(func: Callable) -> Callable:
    """--no-cache, --cache-dir, --jobs."""
    for option in reversed([
        click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the claim cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR", envvar="AUDITOR_CACHE_DIR",
                     help="Claim cache directory (default: .auditor-cache beside the config file, or in the working directory)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Parse with N processes (default: the number of cores)."),
    ]):
        func = option(func)
    return func


def _progress(count: int) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    """A progress bar on stderr for long runs, only when stderr is a terminal."""
    if count < 20 or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(stderr=True), transient=True)
    task = progress.add_task("auditing", total=count)
    progress.start()
    return (lambda n: progress.update(task, completed=n)), progress.stop


# -- check ----------------------------------------------------------------------------
@main.command()
@_input_options
@click.option("--format", "formats", multiple=True, metavar="FMT[=FILE]",
              help="text (default), json, sarif, junit, github, markdown, html; FMT=FILE writes to a file. Repeatable.")
@click.option("--output", "-o", type=click.Path(), metavar="FILE", help="Write the (single) stdout format to FILE instead.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default=None,
              help="Lowest severity that makes the exit status 1 (default: error).")
@click.option("--baseline", type=click.Path(), metavar="FILE", help="Report only findings not recorded in this baseline.")
@click.option("--changed-since", metavar="GIT_REF", help="Report only findings in files changed since GIT_REF.")
@click.option("--no-color", is_flag=True, help="No colors in text output (also: NO_COLOR set).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: run on Dask distributed (the dask extra); see the README, Running on a cluster.")
@click.option("--scheduler", metavar="ADDRESS", help="With --engine dask: the scheduler, e.g. tcp://HOST:8786 "
              "(default: a local cluster).")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="With --engine dask and no --scheduler: local worker processes (default: one per CPU).")
@click.option("--claims-out", metavar="PATH", help="With --engine dask: write every claim to a Parquet dataset.")
@_run_options
def check(paths, rules, config_path, include, exclude, formats, output, fail_on, baseline, changed_since, no_color,
          engine, scheduler, workers, claims_out, no_cache, cache_dir, jobs):
    """Check articles against the rules; report findings.

    PATHS are files or directories (walked for .md, .markdown, .html, .htm, .txt). With
    --engine dask they may also be globs, URLs that fsspec opens, and @FILE listing inputs.
    """
    from .reports import FORMATS
    from .runner import Selection, changed_files, keep_changed

    targets = _parse_formats(formats, output, FORMATS)
    if engine == "local" and (scheduler or workers or claims_out):
        raise click.UsageError("--scheduler, --workers and --claims-out need --engine dask")
    if scheduler and workers:
        raise click.UsageError("--workers sizes the local cluster; a --scheduler has its own workers")
    if engine == "dask" and jobs:
        raise click.UsageError("--jobs is for the local engine; with --engine dask the workers parse (--workers)")
    config, auditor = _load(config_path, rules, run=None if engine == "dask" else (no_cache, cache_dir, jobs))
    auditor.keep_explain = False  # reports show claim records, never the explanations
    keep_claims = any(fmt == "html" for fmt, _ in targets)  # the html report shows every claim
    auditor.claims_later = not keep_claims  # the other reports need only findings, counted claims
    known = None
    if baseline:
        from .baseline import read_baseline

        known = read_baseline(Path(baseline))
    changed = changed_files(changed_since) if changed_since else None
    color = not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()
    memo = None
    if engine == "dask":
        from . import dask_engine

        settings = dask_engine.Settings(config, tuple(str(Path(r).resolve()) for r in rules),
                                        cache_dir=None if no_cache else _cache_dir(cache_dir, config))
        report = dask_engine.check(auditor, settings, paths, include, exclude, _warn, scheduler=scheduler,
                                   workers=workers, claims_out=claims_out, progress=_progress,
                                   keep_claims=keep_claims)
    else:
        from .stored_reports import ReportMemo

        selection = Selection(list(paths), list(include), list(exclude))
        files = auditor.files(selection, _warn)
        memo = ReportMemo.for_check(auditor, targets, color, changed, known, len(files))
        results = auditor.results_of(files, _warn)
        if memo is not None:
            stored, results = memo.look_up(results)
            if stored is not None:  # every report just as this run would draw it
                _write_texts(targets, lambda fmt, _color: [stored[fmt][0]])
                _exit_with(auditor, fail_on or config.fail_on, next(iter(stored.values()))[1],
                           _remember(auditor, targets, {fmt: text for fmt, (text, _) in stored.items()}, files))
        update, stop = _progress(len(files))
        try:
            report = auditor.finish(results, progress=update, stream=True, keep_claims=keep_claims)
        finally:
            stop()
    try:
        if changed is not None:
            report.findings = keep_changed(report.findings, changed)
        if known is not None:
            from .baseline import without_baseline

            report.findings, _ = without_baseline(report.findings, known)
        _write_reports(report, targets, color, memo)
        counts = report.by_severity()
    finally:
        report.close()
    remember = None
    if memo is not None and not auditor.internal_errors:
        memo.store(counts)
        texts = memo.texts()
        if texts is not None:
            remember = _remember(auditor, targets, texts, files)
    _exit_with(auditor, fail_on or config.fail_on, counts, remember)


def _remember(auditor, targets: list[tuple[str, str | None]], texts: dict[str, str],
              files: list[str]) -> Callable[[int], None]:
    """What remembers this run whole (``rerun.py``), given its exit status."""
    return lambda code: rerun.finish(str(auditor.cache.directory), targets, texts, files, code)


def _exit_with(auditor, level: str, counts: dict[str, int], remember: Callable[[int], None] | None = None) -> None:
    """Exit 3 after an internal error; else 1 if a finding is at or above ``level`` (by
    ``counts``: findings by severity), else 0 (first telling ``remember`` the status)."""
    _exit_if_internal_errors(auditor)
    if level == "never":
        code = 0
    else:
        from .findings import SEVERITY_RANK

        threshold = SEVERITY_RANK[level]
        code = 1 if any(n and SEVERITY_RANK[severity] >= threshold for severity, n in counts.items()) else 0
    if remember is not None:
        remember(code)
    sys.exit(code)


def _write_reports(report, targets: list[tuple[str, str | None]], color: bool, memo=None) -> None:
    """Write each format of ``report`` (``_write_texts``), recording each for ``memo`` (a
    ``ReportMemo``) when given."""
    from .reports import render_chunks

    def pieces(fmt: str, color: bool):
        return render_chunks(fmt, report, color=color)

    _write_texts(targets, pieces, color, memo)


def _write_texts(targets: list[tuple[str, str | None]], pieces: Callable, color: bool = False, memo=None) -> None:
    """Write each format, piece by piece (``pieces(fmt, color)``), to its file or to stdout;
    none is written unless all are whole.

    Files go through temporary files moved into place at the end (``AtomicFile``); the stdout
    format goes to a temporary file first (in memory while small) and is copied out at the end.
    """
    import contextlib
    import tempfile

    from .atomic import AtomicFile

    files: list[AtomicFile] = []
    with contextlib.ExitStack() as stack:
        stack.callback(lambda: [target.discard() for target in files])
        screen = None
        for number, (fmt, dest) in enumerate(targets):
            if dest is None:
                screen = stack.enter_context(tempfile.SpooledTemporaryFile(
                    8 << 20, mode="w+", encoding="utf-8", errors="surrogatepass", newline=""))
                sink = screen
            else:
                sink = AtomicFile(dest)
                files.append(sink)
            for piece in pieces(fmt, color and dest is None and fmt == "text"):
                sink.write(piece)
                if memo is not None:
                    memo.record(number, fmt, piece)
        while files:
            files.pop(0).commit()
        if screen is not None:
            screen.seek(0)
            last = ""
            while block := screen.read(1 << 20):
                block += screen.readline()  # an escape sequence never spans a line break
                click.echo(block, nl=False)
                last = block[-1]
            if last != "\n":
                click.echo("")


def _exit_if_internal_errors(auditor) -> None:
    """Exit 3 after the reports of a run in which a bug in auditor left files unaudited."""
    if auditor.internal_errors:
        count = len(auditor.internal_errors)
        _fail(f"internal error in {count} file{'s' if count > 1 else ''} (named above); "
              "the other files were audited and reported (please report it)", 3)


def _parse_formats(formats: tuple[str, ...], output: str | None, known: dict) -> list[tuple[str, str | None]]:
    targets: list[tuple[str, str | None]] = []
    for item in formats or ("text",):
        fmt, _, dest = item.partition("=")
        fmt = fmt.strip().lower()
        if fmt not in known:
            raise click.UsageError(f"unknown format {fmt!r}; choose from {', '.join(known)}")
        targets.append((fmt, dest or None))
    to_stdout = [t for t in targets if t[1] is None]
    if len(to_stdout) > 1:
        raise click.UsageError("only one --format can go to stdout; give the others a file: --format sarif=out.sarif")
    if output:
        if not to_stdout:
            raise click.UsageError("--output names the file of the stdout format, but every format has a file")
        targets = [(f, output if d is None else d) for f, d in targets]
    return targets


# -- claims ---------------------------------------------------------------------------
@main.command()
@_input_options
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "json"]), default="table", show_default=True,
              help="table for people; jsonl: one CLAIMS.md record per line.")
@click.option("--explain", is_flag=True, help="Show which pattern or cue set each field.")
@_run_options
def claims(paths, rules, config_path, include, exclude, fmt, explain, no_cache, cache_dir, jobs):
    """Print every claim extracted from the articles."""
    from .runner import Selection

    _config, auditor = _load(config_path, rules, run=(no_cache, cache_dir, jobs))
    records = []
    for result in auditor.results(Selection(list(paths), list(include), list(exclude)), _warn):
        for claim in result.claims:
            record = claim.to_record(explain=explain)
            if fmt == "jsonl":
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                records.append((claim, record))
    if fmt == "json":
        click.echo(json.dumps([r for _, r in records], ensure_ascii=False, indent=2))
    elif fmt == "table":
        from .reports.claims_table import render_claims

        click.echo(render_claims([c for c, _ in records], explain=explain), nl=False)
    _exit_if_internal_errors(auditor)


# -- rules ----------------------------------------------------------------------------
@main.group()
def rules() -> None:
    """List, validate, test and explain rules."""


@rules.command("list")
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(), metavar="DIR", help="Add a rules directory.")
@click.option("--config", "config_path", type=click.Path(), metavar="FILE", help="Config file.")
def rules_list(rules_dirs, config_path):
    """List every rule: id, type, severity, and whether it is enabled."""
    from .config import find_config, load_config
    from .engine import load_rules
    from .paths import bundled_rules_dir

    config = load_config(Path(config_path) if config_path else find_config())
    dirs = ([bundled_rules_dir()] if config.default_rules else []) + config.rules + [Path(d) for d in rules_dirs]
    ruleset = load_rules(dirs)
    for message in ruleset.warnings:  # unreviewed drafts: left out, as `check` says
        _warn(message)
    ruleset.configure(config.enable, config.disable, config.severity)
    width = max((len(r.id) for r in ruleset.rules), default=10)
    for rule in ruleset.rules:
        state = "" if rule.enabled else "  (disabled)"
        section = f"  [{rule.source.get('section')}]" if rule.source and rule.source.get("section") else ""
        click.echo(f"{rule.id:<{width}}  {rule.type:<11} {rule.severity:<7}{section}{state}")
    click.echo(f"{len(ruleset.rules)} rules in {len(ruleset.packs)} packs")


@rules.command("validate")
@click.argument("dirs", nargs=-1, type=click.Path())
def rules_validate(dirs):
    """Validate rule packs and lexicons (default: the bundled rules)."""
    from .engine import load_rules
    from .lexicon import load_lexicon
    from .paths import bundled_rules_dir

    folders = [Path(d) for d in dirs] or [bundled_rules_dir()]
    for folder in folders:
        if not folder.is_dir():
            raise AuditorError(f"{folder}: rules directory not found")
    load_lexicon([bundled_rules_dir(), *folders])
    ruleset = load_rules(folders, drafts="refuse")
    click.echo(f"{len(ruleset.rules)} rules in {len(ruleset.packs)} packs: valid")


@rules.command("test")
@click.argument("dirs", nargs=-1, type=click.Path())
def rules_test(dirs):
    """Run the rule tests (fixtures with ruleid/ok markers) of rules directories."""
    from .config import Config
    from .engine.ruletest import evaluate, fixture_files, parse_expectations
    from .paths import bundled_rules_dir
    from .runner import Auditor, Selection

    folders = [Path(d) for d in dirs] or [bundled_rules_dir()]
    failed = False
    for folder in folders:
        if not folder.is_dir():
            raise AuditorError(f"{folder}: rules directory not found")
        bundled = folder.resolve() == bundled_rules_dir().resolve()
        auditor = Auditor(Config(), [] if bundled else [folder], default_rules=bundled)
        files = fixture_files(folder)
        if not files:
            raise AuditorError(f"{folder}: no rule tests (expected fixture articles under {folder / 'tests'})")
        expectations = []
        for path in files:
            expectations.extend(parse_expectations(path, path.read_text(encoding="utf-8")))
        documents = auditor.read(Selection([str(p) for p in files]), _warn)
        report = auditor.check(documents)
        own = [r.id for r in auditor.ruleset.rules if Path(r.path).resolve().is_relative_to(folder.resolve())]
        result = evaluate(expectations, report.findings, own)
        for exp in result.missing:
            click.echo(f"{exp.path}:{exp.line or 1}: missing finding: {exp.rule} (ruleid at line {exp.marker_line})")
        for exp, f in result.unexpected:
            why = f"ok at line {exp.marker_line}" if exp else "no ruleid marker for this line"
            click.echo(f"{f.path}:{f.line}: unexpected finding: {f.rule} ({why}): {f.message}")
        for line in result.uncovered:
            click.echo(f"{folder}: {line}")
        passed = len(result.expectations) - len(result.missing) - len({id(e) for e, _ in result.unexpected if e})
        status = "ok" if result.ok else "FAILED"
        click.echo(f"{folder}: {len(files)} fixture files, {len(result.expectations)} expectations: "
                   f"{passed} passed, {len(result.expectations) - passed} failed; {len(own)} rules "
                   f"({len(result.uncovered)} without both cases): {status}")
        failed |= not result.ok
    sys.exit(1 if failed else 0)


@rules.command("draft")
@click.argument("label", type=click.Path())
@click.option("--output", "-o", type=click.Path(), metavar="FILE", help="Write the draft pack to FILE (atomically).")
@click.option("--compare", "compare_pack", type=click.Path(), metavar="PACK",
              help="Also say on stderr which facts of this reviewed pack the draft found.")
def rules_draft(label, output, compare_pack):
    """Draft a rule pack from a drug label: an openFDA label record (JSON) or DailyMed SPL XML.

    Every start, usual, target, maximum, increment, half-life and peak the pipeline finds in the
    Dosage and Administration and Clinical Pharmacology sections becomes a rule with
    `reviewed: null` and `draft: true`, which `rules validate` refuses and `check` leaves out
    until a person has checked it against the label.
    """
    from .engine.draft import compare_with_pack, draft_from_label
    from .engine.loader import load_pack
    from .reports import write_atomic

    content, record, facts = draft_from_label(label)
    if output:
        write_atomic(output, content)
        click.echo(f"{output}: {len(facts)} draft rules from {len(record.sections)} label sections", err=True)
    else:
        click.echo(content, nl=False)
    if compare_pack:
        pack = load_pack(Path(compare_pack))
        found, missed = compare_with_pack(facts, pack.rules)
        total = len(found) + len(missed)
        click.echo(f"{compare_pack}: the draft finds {len(found)} of {total} label facts", err=True)
        for rule in missed:
            click.echo(f"  not found: {rule.id}", err=True)


@rules.command("explain")
@click.argument("rule_id")
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(), metavar="DIR", help="Add a rules directory.")
def rules_explain(rule_id, rules_dirs):
    """Explain one rule: what it checks, why, an example, and its source."""
    from .engine import load_rules
    from .paths import bundled_rules_dir
    from .units import fmt_range

    ruleset = load_rules([bundled_rules_dir(), *(Path(d) for d in rules_dirs)])
    rule = ruleset.by_id(rule_id)
    if rule is None:
        close = [r.id for r in ruleset.rules if rule_id.split(".")[0] in r.id][:5]
        hint = f"; did you mean: {', '.join(close)}" if close else ""
        raise AuditorError(f"no rule with id '{rule_id}'{hint}")
    click.echo(f"# {rule.id} ({rule.type}, {rule.severity})\n")
    click.echo("## What it does\n")
    click.echo(_what_it_does(rule, fmt_range) + "\n")
    click.echo("## Why it matters\n")
    click.echo(rule.description + "\n")
    if rule.example:
        click.echo("## Example\n")
        if rule.example.get("bad"):
            click.echo(f"Flagged:  {rule.example['bad']}")
        if rule.example.get("good"):
            click.echo(f"Fine:     {rule.example['good']}")
        click.echo()
    if rule.source:
        click.echo("## Source\n")
        src = rule.source
        click.echo(", ".join(str(x) for x in (src.get("title"), src.get("version"), src.get("section")) if x))
        if src.get("quote"):
            click.echo(f'"{src["quote"]}"')
        if src.get("url"):
            click.echo(src["url"])
        click.echo()
    click.echo(f"Pack: {rule.pack} ({rule.path}:{rule.line})" + (f"; reviewed {rule.reviewed}" if rule.reviewed else ""))


def _what_it_does(rule, fmt_range) -> str:
    sel = ", ".join(f"{k}: {v}" for k, v in (rule.select or rule.when).items())
    ref = rule.reference
    if rule.type == "limit" and ref:
        per = f"/{ref.per}" if ref.per else ""
        return f"Flags claims ({sel}) whose value{' per day' if ref.per == 'day' else ''} is not {rule.compare} {fmt_range(ref.value)} {ref.unit}{per}."
    if rule.type == "expect" and ref:
        tol = f" (tolerance {rule.tolerance})" if rule.tolerance not in (None, 0, "0") else ""
        return f"Flags claims ({sel}) that differ from the reference {fmt_range(ref.value)} {ref.unit}{' per ' + ref.per if ref.per else ''}{tol}."
    if rule.type == "require":
        return f"Flags a document that names ({sel}) but contains none of the required statements."
    if rule.type == "forbid":
        return "Flags each place where one of the forbidden phrases appears."
    if rule.type == "cite":
        return f"Flags claims ({sel}) that carry no citation, attribution or link."
    if rule.type == "scope":
        kind = "above every labelled maximum" if rule.judges == "maximum" else "outside every labelled value"
        return (f"Flags claims that name no indication or population, or a broader one than the label's facts, "
                f"when their value is {kind} of the facts that fall under them.")
    return f"Groups claims ({sel}) by {', '.join(rule.group_by)} and flags groups whose values disagree ({rule.scope} documents)."


# -- compare, baseline, pipeline ------------------------------------------------------
@main.command()
@click.argument("drug")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rules", "rules", multiple=True, type=click.Path(), metavar="DIR", help="Add a rules directory.")
@click.option("--config", "config_path", type=click.Path(), metavar="FILE", help="Config file.")
@_run_options
def compare(drug, paths, rules, config_path, no_cache, cache_dir, jobs):
    """For editors: what each document says about DRUG, per attribute, against the label."""
    from .compare import compare_table
    from .runner import Selection

    _config, auditor = _load(config_path, rules, run=(no_cache, cache_dir, jobs))
    generic = auditor.lexicon.drug_terms.get(drug.lower())
    if generic is None:
        raise AuditorError(f"unknown drug '{drug}' (not in the drug lexicon)")
    results = list(auditor.results(Selection(list(paths) or ["."]), _warn))
    click.echo(compare_table(auditor, results, generic), nl=False)
    _exit_if_internal_errors(auditor)


@main.group()
def baseline() -> None:
    """Record findings so that later runs report only new ones."""


@baseline.command("write")
@click.argument("file", type=click.Path())
@_input_options
@_run_options
def baseline_write(file, paths, rules, config_path, include, exclude, no_cache, cache_dir, jobs):
    """Write today's findings for PATHS to FILE."""
    from .baseline import baseline_json
    from .reports import write_atomic
    from .runner import Selection

    _config, auditor = _load(config_path, rules, run=(no_cache, cache_dir, jobs))
    report = auditor.finish(auditor.results(Selection(list(paths), list(include), list(exclude)), _warn))
    if auditor.internal_errors:  # a baseline without some files' findings would hide them later
        _exit_if_internal_errors(auditor)
    write_atomic(file, baseline_json(report.findings))
    click.echo(f"{file}: {len(report.findings)} findings recorded", err=True)


@main.command()
@click.option("--stdio", is_flag=True, help="Speak LSP on stdin/stdout (the default; editors often pass it).")
@click.option("--no-cache", is_flag=True, help="Parse every saved file; neither read nor write the claim cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR", envvar="AUDITOR_CACHE_DIR",
              help="Claim cache directory (default: .auditor-cache beside the config file, or in the workspace folder).")
def lsp(stdio, no_cache, cache_dir):
    """Run the language server (LSP over stdio) for editors: findings as you type."""
    from .lsp import serve

    serve(cache=not no_cache, cache_dir=cache_dir)


@main.command()
def pipeline():
    """Print the spaCy pipeline configuration."""
    from .pipeline import build_pipeline

    nlp = build_pipeline()
    click.echo(nlp.config.to_str())
