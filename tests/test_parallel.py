"""--jobs: the findings and every report are the same bytes with one process, several, the
default, and from a warm cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from helpers import run_cli

from auditor.runner import Auditor

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
FORMATS = {"json": "out.json", "sarif": "out.sarif", "junit": "out.xml", "markdown": "out.md",
           "github": "out.txt", "html": "out.html"}


def _corpus(folder: Path, shared: Path | None) -> Path:
    folder.mkdir()
    sources = [p for p in sorted(CORPUS.iterdir()) if p.suffix in (".md", ".html")]
    if shared is not None:
        sources += sorted(shared.glob("*.txt"))
    for n in range(4):
        for source in sources:
            shutil.copy(source, folder / f"{n}-{source.name}")
    return folder


def _reports(tmp_path: Path, articles: Path, name: str, *options: str) -> dict[str, bytes]:
    out = tmp_path / name
    out.mkdir()
    args = ["check", str(articles), "--cache-dir", str(tmp_path / "cache"), "--format", "text",
            *(f"--format={fmt}={out / f}" for fmt, f in FORMATS.items()), *options]
    result = run_cli(*args)
    assert result.exit_code == 1, result.output
    files = {f: (out / f).read_bytes() for f in FORMATS.values()}
    files["stdout"] = result.stdout.encode()
    files["stderr"] = result.stderr.encode()
    return files


def test_every_report_is_the_same_with_any_number_of_jobs(tmp_path, monkeypatch):
    shared = REPO.parent / "shared" / "articles"
    articles = _corpus(tmp_path / "articles", shared if shared.is_dir() else None)
    pools = []
    make_pool = Auditor._pool

    def counting_pool(self):
        pools.append(self.jobs)
        return make_pool(self)

    monkeypatch.setattr(Auditor, "_pool", counting_pool)
    one = _reports(tmp_path, articles, "one", "--jobs", "1", "--no-cache")
    assert pools == []
    two = _reports(tmp_path, articles, "two", "--jobs", "2", "--no-cache")
    assert pools == [2]
    default = _reports(tmp_path, articles, "default")  # default jobs, writes the cache
    warm = _reports(tmp_path, articles, "warm", "--jobs", "2")  # every file from the cache
    cores = os.cpu_count() or 1
    assert pools == [2] + ([cores] if cores > 1 else [])  # the warm run has nothing to parse: no pool
    for name in one:
        assert two[name] == one[name], name
        assert default[name] == one[name], name
        assert warm[name] == one[name], name
    assert b"auditor" in one["out.html"] and one["out.json"].count(b'"rule"') > 10


def test_stored_findings_give_the_same_reports_and_a_config_change_checks_again(tmp_path, monkeypatch):
    from auditor.cache import ClaimCache

    articles = _corpus(tmp_path / "articles", None)
    config = tmp_path / "auditor.yaml"
    config.write_text('severity:\n  "consistency.*": error\n', encoding="utf-8")
    served: list[bool] = []  # per document: were its findings read from the cache
    stored_findings = ClaimCache.stored_findings

    def counting(self, result):
        found = stored_findings(self, result)
        served.append(found is not None)
        return found

    monkeypatch.setattr(ClaimCache, "stored_findings", counting)
    fill = _reports(tmp_path, articles, "fill", "--jobs", "1")
    assert served and not any(served)
    served.clear()
    warm = _reports(tmp_path, articles, "warm", "--jobs", "1")
    assert served and all(served)
    served.clear()
    changed = _reports(tmp_path, articles, "changed", "--jobs", "1", "--config", str(config))
    assert served and not any(served)  # other severities: every document checked again
    fresh = _reports(tmp_path, articles, "fresh", "--jobs", "1", "--config", str(config), "--no-cache")
    for name in fill:
        assert warm[name] == fill[name], name
        assert changed[name] == fresh[name], name
    assert changed["out.json"] != fill["out.json"]


def _early_offers(monkeypatch) -> list[tuple[bool, int]]:
    """For each chunk read ahead while the pipeline was built: (whether the early ingest process
    had read it when it went to a worker, its files)."""
    from auditor import runner

    offers: list[tuple[bool, int]] = []
    submit = runner._submit

    def watching(pool, todo, ingested):
        future = submit(pool, todo, ingested)  # waits for a chunk the early process is reading
        if ingested is not None:  # a chunk read ahead
            offers.append((ingested.done() and not ingested.cancelled() and ingested.exception() is None, len(todo)))
        return future

    monkeypatch.setattr(runner, "_submit", watching)
    return offers


def test_files_read_early_while_the_pipeline_is_built_give_the_same_reports(tmp_path, monkeypatch):
    from auditor import runner

    articles = _corpus(tmp_path / "articles", None)
    (articles / "2-zz-binary.md").write_bytes(b"\x00\x01\x02\xff" * 64)  # warnings in their places too
    (articles / "2-zz-latin1.txt").write_bytes("Clonazepam 0.5 mg twice a day, caf\xe9.\n".encode("latin-1"))
    (articles / "2-zz-empty.md").write_bytes(b"")
    monkeypatch.setattr(runner, "EARLY_INGEST", False)
    plain = _reports(tmp_path, articles, "plain", "--jobs", "2", "--no-cache")
    monkeypatch.setattr(runner, "EARLY_INGEST", True)
    offers = _early_offers(monkeypatch)
    early = _reports(tmp_path, articles, "early", "--jobs", "2", "--no-cache")
    # the first chunk at least was read by the early process (in a test process that has imported
    # spaCy already, the pipeline may be ready before it has read the others)
    assert offers and offers[0][0]
    assert sum(n for _, n in offers) == len([p for p in articles.iterdir() if p.stat().st_size])  # an empty one is not read
    for name in plain:
        assert early[name] == plain[name], name
    assert early["stderr"].count(b"2-zz-") == 3


def test_reading_ahead_stops_at_its_bytes(tmp_path, monkeypatch):
    from auditor import runner

    articles = _corpus(tmp_path / "articles", None)
    plain = _reports(tmp_path, articles, "plain", "--jobs", "1", "--no-cache")
    monkeypatch.setattr(runner, "EARLY_BYTES", 1)  # the first chunk, and one more, read early
    monkeypatch.setattr(runner, "CHUNK_FILES_PARALLEL", 4)
    offers = _early_offers(monkeypatch)
    early = _reports(tmp_path, articles, "early", "--jobs", "2", "--no-cache")
    assert len(offers) == 2 and sum(n for _, n in offers) == 8
    for name in plain:
        assert early[name] == plain[name], name


def test_an_early_ingest_process_that_dies_leaves_the_files_to_the_workers(tmp_path, monkeypatch):
    from auditor import runner

    articles = _corpus(tmp_path / "articles", None)
    plain = _reports(tmp_path, articles, "plain", "--jobs", "1", "--no-cache")

    def die(parent: int) -> None:
        os._exit(7)

    monkeypatch.setattr(runner, "_init_ingester", die)
    offers = _early_offers(monkeypatch)
    early = _reports(tmp_path, articles, "early", "--jobs", "2", "--no-cache")
    assert offers and not any(read for read, _ in offers)
    for name in plain:
        assert early[name] == plain[name], name


def test_reading_ahead_stops_at_its_chunks_and_the_workers_get_them_as_they_free(tmp_path, monkeypatch):
    from auditor import runner

    articles = _corpus(tmp_path / "articles", None)
    plain = _reports(tmp_path, articles, "plain", "--jobs", "1", "--no-cache")
    monkeypatch.setattr(runner, "EARLY_CHUNKS", 8)
    monkeypatch.setattr(runner, "CHUNK_FILES_PARALLEL", 2)
    monkeypatch.setattr(runner, "MIN_PARALLEL", 2)
    in_flight: list[int] = []
    submit = runner._submit

    def watching(pool, todo, ingested):  # chunks given to the workers and not yet read back
        in_flight.append(len(pool._pending_work_items))
        return submit(pool, todo, ingested)

    monkeypatch.setattr(runner, "_submit", watching)
    offers = _early_offers(monkeypatch)
    early = _reports(tmp_path, articles, "early", "--jobs", "2", "--no-cache")
    assert len(offers) == 9 and sum(n for _, n in offers) == 18  # the first chunk and eight more
    assert len(in_flight) > 9 and max(in_flight) <= 2 * 2 + 1  # as many in flight as without reading ahead
    for name in plain:
        assert early[name] == plain[name], name
