"""A run killed with SIGKILL loses nothing: the previous report and baseline stay whole and the
claim cache serves the next run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import wait_for_pause

from auditor.config import Config
from auditor.runner import Auditor, Selection

RUN = "import sys; from auditor.cli import main; sys.argv[0] = 'auditor'; main()"
FILES = 90  # more than one chunk of files (runner.CHUNK_FILES), so some results reach the cache first


def corpus(folder: Path, dose: int) -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(FILES):
        (folder / f"a{i:03}.md").write_text(
            f"# Clonazepam note {i}\n\nAdults with panic disorder take {dose + i % 3} mg of clonazepam a day.\n", encoding="utf-8")
    return folder


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env})


def kill_when_paused(args: list[str], cwd: Path, after: int) -> str:
    """Start a run that pauses after ``after`` files, SIGKILL it there; returns its stderr so far."""
    proc = subprocess.Popen([sys.executable, "-c", RUN, *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "AUDITOR_TEST_PAUSE_AFTER": str(after),
                                 "AUDITOR_TEST_RESUME": str(cwd / "never")})
    seen = wait_for_pause(proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return "".join(seen)


@pytest.mark.parametrize("jobs", ["1", None], ids=["one-process", "default-jobs"])
def test_a_killed_run_leaves_the_report_baseline_and_cache_usable(tmp_path, monkeypatch, jobs):
    articles = corpus(tmp_path / "articles", dose=6)
    outputs = ["--format", "json=report.json", "--format", "sarif=report.sarif", "--cache-dir", "cache",
               *(["--jobs", jobs] if jobs else [])]
    first = run(["check", "articles", *outputs], tmp_path)
    assert first.returncode == 1, first.stderr
    assert run(["baseline", "write", "baseline.json", "articles", "--cache-dir", "cache"], tmp_path).returncode == 0
    saved = {name: (tmp_path / name).read_bytes() for name in ("report.json", "report.sarif", "baseline.json")}

    corpus(articles, dose=5)  # every file changes: the next run parses them and writes the cache as it goes
    kill_when_paused(["check", "articles", *outputs], tmp_path, after=FILES - 5)
    kill_when_paused(["baseline", "write", "baseline.json", "articles", "--cache-dir", "cache"], tmp_path, after=3)
    for name, data in saved.items():
        assert (tmp_path / name).read_bytes() == data, name
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no half-written file beside them

    # the cache the killed run wrote to serves the next run, which reports as a run without it does
    monkeypatch.chdir(tmp_path)  # the cache knows files by the path the run gives
    auditor = Auditor(Config(), cache_dir=tmp_path / "cache", warn=lambda m: pytest.fail(f"cache warning: {m}"))
    warm = auditor.finish(auditor.results(Selection(["articles"]), lambda m: None)).to_record()
    # in one process, the first chunk's results were committed before the kill; with workers the
    # files a run reads ahead while its pipeline is built may all be read before any is parsed
    assert auditor.cache.hits >= (16 if jobs == "1" else 0)
    auditor.cache.close()
    cold = Auditor(Config())
    assert warm == cold.finish(cold.results(Selection(["articles"]), lambda m: None)).to_record()
    again = run(["check", "articles", *outputs], tmp_path)
    assert again.returncode == 1 and "warning" not in again.stderr, again.stderr
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["files"] == FILES


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a process that still runs (a zombie waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers end with their parent on Linux (prctl)")
@pytest.mark.parametrize("read_ahead, children", [(None, 1), (1, 2)], ids=["early-ingest", "workers"])
def test_the_workers_of_a_killed_run_end_with_it(tmp_path, read_ahead, children):
    import time

    # paused while the files are read ahead, the run has its early ingest process; reading ahead
    # one chunk only, it has its workers by then
    run_code = RUN if read_ahead is None else f"import auditor.runner as r; r.EARLY_BYTES = {read_ahead}; {RUN}"
    articles = corpus(tmp_path / "articles", dose=6)
    proc = subprocess.Popen([sys.executable, "-c", run_code, "check", "articles", "--no-cache", "--jobs", "2"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "AUDITOR_TEST_PAUSE_AFTER": str(FILES - 5),
                                 "AUDITOR_TEST_RESUME": str(tmp_path / "never")})
    wait_for_pause(proc)
    workers = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    assert len(workers) == children and all(_alive(pid) for pid in workers), articles
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers end with their parent on Linux (prctl)")
def test_a_worker_whose_parent_died_before_it_started_ends_at_once():
    code = ("import os, signal, time; from auditor.runner import _end_with_parent; "
            "_end_with_parent(signal.SIGTERM, os.getppid() + 1_000_000); time.sleep(30)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=25)
    assert proc.returncode == -signal.SIGTERM
    alive = subprocess.run([sys.executable, "-c", "import os, signal; from auditor.runner import _end_with_parent; "
                            "_end_with_parent(signal.SIGTERM, os.getppid()); print('on')"],
                           capture_output=True, text=True, timeout=25)
    assert alive.returncode == 0 and alive.stdout == "on\n"
