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
