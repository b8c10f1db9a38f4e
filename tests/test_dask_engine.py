"""``check --engine dask`` on a 2-worker LocalCluster: the same reports as the local engine, byte
for byte (json, sarif, markdown, text, html); bad inputs told the same way; URL and listing inputs; the Parquet claims dataset;
the claim cache on the workers; and the one-line error without the dask extra."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers import run_cli

from auditor.consistency import ConsistencyChecker

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def scheduler():
    """A LocalCluster of two worker processes, one thread each, shared by the tests here."""
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def _both(scheduler: str, *args: str, cwd=None):
    local = run_cli("check", *args, cwd=cwd)
    dask = run_cli("check", *args, "--engine", "dask", "--scheduler", scheduler, cwd=cwd)
    return local, dask


def _same_reports(scheduler: str, tmp_path: Path, *paths: str, extra: tuple[str, ...] = ()) -> dict:
    outputs = {}
    for engine in ("local", "dask"):
        folder = tmp_path / engine
        folder.mkdir()
        args = ["check", *paths, "--format", "json", "--format", f"sarif={folder / 'report.sarif'}",
                "--format", f"markdown={folder / 'report.md'}", "--format", f"text={folder / 'report.txt'}",
                "--format", f"html={folder / 'report.html'}", *extra]
        if engine == "dask":
            args += ["--engine", "dask", "--scheduler", scheduler]
        result = run_cli(*args)
        assert result.exit_code in (0, 1), result.output
        outputs[engine] = (result.exit_code, result.stdout, result.stderr,
                           *((folder / f"report.{suffix}").read_bytes() for suffix in ("sarif", "md", "txt", "html")))
    assert outputs["dask"] == outputs["local"]
    return json.loads(outputs["local"][1])


def test_corpus_reports_are_byte_for_byte_the_local_ones(scheduler, tmp_path):
    report = _same_reports(scheduler, tmp_path, str(CORPUS))
    assert report["summary"]["files"] == 10 and report["findings"]


def test_shared_articles_reports_are_the_local_ones(scheduler, tmp_path, shared_articles):
    report = _same_reports(scheduler, tmp_path, str(shared_articles), extra=("--no-cache",))
    assert any(f["rule"].startswith("consistency.") for f in report["findings"])


def test_many_disagreements_keep_the_local_order(scheduler, tmp_path):
    """A generated corpus where articles disagree: many consistency groups, spread over batches."""
    from bench_consistency import generate

    folder = tmp_path / "articles"
    folder.mkdir()
    for i, text in enumerate(generate(120, seed=7)):
        (folder / f"a{i:03d}.txt").write_text(text, encoding="utf-8")
    report = _same_reports(scheduler, tmp_path, str(folder), extra=("--no-cache",))
    across = [f for f in report["findings"] if f["rule"].startswith("consistency.")]
    assert len(across) > 20 and len({f["fingerprint"] for f in report["findings"]}) == len(report["findings"])


def test_bad_inputs_are_told_as_the_local_engine_tells_them(scheduler, tmp_path):
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 2 mg")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "bad.md").write_bytes(b"Take 2 mg of clonazepam \xff\xfe daily.\n")
    (tmp_path / "good.md").write_bytes((CORPUS / "clonazepam-panic-faq.md").read_bytes())
    local, dask = _both(scheduler, str(tmp_path), str(tmp_path / "missing.md"), "--format", "json", "--no-cache")
    assert dask.exit_code == local.exit_code
    assert dask.stdout == local.stdout
    assert dask.stderr == local.stderr
    told = local.stderr
    assert "empty.md" in told and "binary.txt" in told and "missing.md" in told and "bad.md" in told


def test_listing_file_of_urls_and_globs(scheduler, tmp_path):
    """@FILE lists a file:// URL, a glob and a URL that cannot be opened; the run goes on."""
    names = sorted(p.name for p in CORPUS.glob("*.md"))
    missing = (tmp_path / "gone.md").as_uri()
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# corpus\n{(CORPUS / names[0]).as_uri()}\n\n{CORPUS}/*.html\n{missing}\n", encoding="utf-8")
    dask = run_cli("check", f"@{listing}", "--format", "json", "--engine", "dask", "--scheduler", scheduler)
    assert dask.exit_code in (0, 1), dask.output
    assert f"auditor: warning: {missing}: no such file or directory" in dask.stderr
    report = json.loads(dask.stdout)
    html = sorted(str(p) for p in CORPUS.glob("*.html"))
    local = json.loads(run_cli("check", str(CORPUS / names[0]), *html, "--format", "json").stdout)
    assert report["summary"] == local["summary"]

    def places(r):
        return sorted((Path(f["path"]).name, f["rule"], f["line"], f["column"], f["message"]) for f in r["findings"])

    assert places(report) == places(local)
    assert any(f["path"].startswith("file://") for f in report["findings"])


def test_claims_out_writes_one_typed_row_per_claims_record(scheduler, tmp_path):
    out = tmp_path / "claims"
    result = run_cli("check", str(CORPUS), "--format", "json", "--engine", "dask", "--scheduler", scheduler,
                     "--claims-out", str(out))
    assert result.exit_code in (0, 1), result.output
    table = pq.read_table(out)
    types = {f.name: str(f.type) for f in table.schema}
    assert types["line"] == "int64" and types["value_low"] == "double" and types["negated"] == "bool"
    assert types["indications"] == "list<element: string>" and types["drug"] == "string"
    rows = table.to_pylist()
    records = [json.loads(line) for line in run_cli("claims", str(CORPUS), "--format", "jsonl").stdout.splitlines()]
    assert len(rows) == len(records) == json.loads(result.stdout)["summary"]["claims"]
    for row, record in zip(rows, records, strict=True):
        for key in ("path", "line", "column", "end_line", "end_column", "quote", "sentence", "drug", "attribute",
                    "unit", "per", "indication", "population", "negated", "hypothetical", "cited"):
            assert row[key] == record[key], key
        assert (row["value_low"], row["value_high"]) == (record["value"]["low"], record["value"]["high"])
        frequency = record["frequency"]
        if isinstance(frequency, (int, float)):
            frequency = {"low": frequency, "high": frequency}
        assert (row["frequency_low"], row["frequency_high"]) == ((frequency or {}).get("low"), (frequency or {}).get("high"))
    # a second run replaces the dataset; a folder holding other files is refused before any work
    again = run_cli("check", str(CORPUS), "--engine", "dask", "--scheduler", scheduler, "--claims-out", str(out))
    assert again.exit_code in (0, 1) and pq.read_table(out).num_rows == len(records)
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    refused = run_cli("check", str(CORPUS), "--engine", "dask", "--scheduler", scheduler, "--claims-out", str(out))
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1 and "keep.txt" in refused.stderr


def test_workers_fill_and_read_the_claim_cache(scheduler, tmp_path):
    cache = tmp_path / "cache"
    first = run_cli("check", str(CORPUS), "--format", "json", "--engine", "dask", "--scheduler", scheduler,
                    "--cache-dir", str(cache))
    assert (cache / "claims.sqlite3").is_file()
    import sqlite3

    with sqlite3.connect(cache / "claims.sqlite3") as db:
        assert db.execute("select count(*) from results").fetchone()[0] == 10
    second = run_cli("check", str(CORPUS), "--format", "json", "--engine", "dask", "--scheduler", scheduler,
                     "--cache-dir", str(cache))
    assert second.stdout == first.stdout and second.stderr == first.stderr


def test_local_cluster_sized_by_workers(tmp_path):
    """No --scheduler: a LocalCluster of its own (here one worker, to keep the test short)."""
    article = tmp_path / "a.md"
    article.write_bytes((CORPUS / "clonazepam-key-takeaways.md").read_bytes())
    local = run_cli("check", str(article), "--format", "json")
    dask = run_cli("check", str(article), "--format", "json", "--engine", "dask", "--workers", "1")
    assert dask.stdout == local.stdout and dask.exit_code == local.exit_code


def test_dask_options_need_the_dask_engine():
    result = run_cli("check", str(CORPUS), "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2 and "--engine dask" in result.stderr
    both = run_cli("check", str(CORPUS), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2")
    assert both.exit_code == 2 and "--workers" in both.stderr


def test_a_scheduler_without_workers_is_one_line_and_exit_2(monkeypatch):
    import logging

    from auditor import dask_engine

    monkeypatch.setattr(dask_engine, "WAIT_FOR_WORKERS", 1)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as empty:
        result = run_cli("check", str(CORPUS), "--engine", "dask", "--scheduler", empty.scheduler_address)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "no worker joined" in result.stderr


def test_without_the_extra_one_line_and_exit_2(monkeypatch):
    import auditor as package

    monkeypatch.delitem(sys.modules, "auditor.dask_engine", raising=False)
    monkeypatch.delattr(package, "dask_engine", raising=False)
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    result = run_cli("check", str(CORPUS), "--engine", "dask")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert 'pip install "auditor[dask]"' in result.stderr and "distributed" in result.stderr


def test_group_by_group_is_the_whole_check(auditor):
    """The engine's contract with the checker: group_keys + check_group, in rule order then
    first-claim order, give exactly ``check`` (the local engine)."""
    from bench_consistency import generate, ingest

    claims = [c for _d, _doc, cs in auditor.claims(ingest(generate(60, seed=3))) for c in cs]
    rules = auditor.ruleset.active()
    whole = ConsistencyChecker(rules, rules, auditor.lexicon).check(claims)
    groups: dict[tuple, list] = {}
    keyer = ConsistencyChecker(rules, rules, auditor.lexicon)
    for claim in claims:
        for number, key in keyer.group_keys(claim):
            groups.setdefault((number, key), []).append(claim)
    place = {id(c): i for i, c in enumerate(claims)}
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0], place[id(kv[1][0])]))
    by_group = [f for (number, _k), members in ordered
                for f in ConsistencyChecker(rules, rules, auditor.lexicon).check_group(number, members)]
    assert len(whole) > 10
    assert [f.to_record() for f in by_group] == [f.to_record() for f in whole]
