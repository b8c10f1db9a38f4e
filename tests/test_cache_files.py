"""The claim cache and the files it knows: a long file hashed a chunk at a time and never stored
under a digest of other bytes, digests known by a trusted stat (device, inode, size, mtime,
ctime) without reading the file, racy rows read again, and a result of many claims written and
read back in parts."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from helpers import run_cli, small_sections

import auditor.ingest as ingest_module
from auditor import cache as cache_module
from auditor import claims as claims_module
from auditor.cache import ClaimCache, content_digest, file_digest, stat_key
from auditor.claims import ClaimSpool
from auditor.config import Config
from auditor.ingest import stream
from auditor.runner import Auditor

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
ARTICLES = {
    "a.md": "# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 4 mg a day.\n",
    "b.md": "# Clonazepam\n\nThe maximum dose of clonazepam for panic disorder is 20 mg a day.\n",
    "c.md": "# Sertraline\n\nThe usual sertraline dose is 50 mg once a day.\n",
}


@pytest.fixture
def long_files(monkeypatch):
    """Files over 20,000 bytes read a section at a time, spools past 10 claims, parts of 8 claims."""
    small_sections(monkeypatch)
    monkeypatch.setattr(claims_module, "SPOOL_CLAIMS", 10)
    monkeypatch.setattr(claims_module, "SPOOL_BATCH", 7)
    monkeypatch.setattr(cache_module, "PART_CLAIMS", 8)


@pytest.fixture
def no_margin(monkeypatch):
    """Stat rows trusted at once (the files of a test are written a moment before they are read)."""
    monkeypatch.setattr(cache_module, "STAT_MARGIN_NS", -60_000_000_000)


@pytest.fixture
def reads(monkeypatch):
    """The paths each run reads whole (``read_bytes``) or hashes a chunk at a time (``file_digest``)."""
    seen: dict[str, list[str]] = {"read": [], "hashed": []}
    read_bytes, digest = ingest_module.read_bytes, cache_module.file_digest

    def counted_read(path, max_bytes):
        seen["read"].append(Path(path).name)
        return read_bytes(path, max_bytes)

    def counted_digest(path):
        seen["hashed"].append(Path(path).name)
        return digest(path)

    monkeypatch.setattr(ingest_module, "read_bytes", counted_read)
    monkeypatch.setattr(cache_module, "file_digest", counted_digest)
    return seen


def _long_text() -> str:
    return "".join(p.read_text(encoding="utf-8").rstrip("\n") + "\n\n" for p in sorted(CORPUS.glob("*.md"))) * 3


def _articles(folder: Path) -> Path:
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _run(paths: list[Path], cache_dir: Path | None) -> tuple[str, Auditor]:
    """The json report of a run over ``paths``, and its Auditor (its cache closed)."""
    from auditor.reports import render

    auditor = Auditor(Config(), cache_dir=cache_dir, warn=lambda m: pytest.fail(f"cache warning: {m}"))
    report = auditor.finish(auditor.results_of([str(p) for p in paths], lambda m: None))
    out = render("json", report)
    if auditor.cache is not None:
        auditor.cache.close()
    return out, auditor


def _rows(cache_dir: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(cache_dir / cache_module.FILENAME)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _check(*args: str):
    return run_cli("check", *args, "--fail-on", "never", "--format", "json")


def test_a_file_hashed_a_chunk_at_a_time_has_the_digest_of_its_bytes(monkeypatch, tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(bytes(range(256)) * 41 + b"tail")
    monkeypatch.setattr(cache_module, "HASH_BYTES", 1000)
    assert file_digest(str(path)) == content_digest(path.read_bytes())


def test_a_long_file_is_hashed_without_being_read_whole(long_files, reads, tmp_path):
    path = tmp_path / "long.md"
    path.write_text(_long_text(), encoding="utf-8")
    auditor = Auditor(Config(), cache_dir=tmp_path / "cache")
    (entry,) = auditor._entries([str(path)])
    assert entry.data is None and entry.digest == content_digest(path.read_bytes())
    assert reads == {"read": [], "hashed": ["long.md"]}
    auditor.cache.close()


def test_a_long_file_changed_between_its_hash_and_its_parse_is_not_stored(long_files, monkeypatch, tmp_path):
    path = tmp_path / "long.md"
    text = _long_text()
    path.write_text(text, encoding="utf-8")
    old = content_digest(path.read_bytes())
    changed = text.replace("0.25 mg", "0.5 mg")
    assert changed != text
    digest = cache_module.file_digest

    def then_changed(name):
        found = digest(name)
        path.write_text(changed, encoding="utf-8")  # after the hash, before the parse
        return found

    monkeypatch.setattr(cache_module, "file_digest", then_changed)
    first, _ = _run([path], tmp_path / "cache")
    assert _rows(tmp_path / "cache", "SELECT digest FROM results") == []  # neither under the old digest nor any
    monkeypatch.setattr(cache_module, "file_digest", digest)
    again, auditor = _run([path], tmp_path / "cache")
    assert auditor.cache.misses == 1 and again == first == _run([path], None)[0]
    assert _rows(tmp_path / "cache", "SELECT digest FROM results") == [(content_digest(path.read_bytes()),)] != [(old,)]


def test_a_long_file_changed_between_two_passes_of_the_parser_is_not_stored(long_files, monkeypatch, tmp_path):
    path = tmp_path / "long.md"
    text = _long_text()
    path.write_text(text, encoding="utf-8")
    made = stream.StreamedDocument.__init__

    def then_changed(self, *args, **kwargs):
        made(self, *args, **kwargs)  # the first pass (binary, encoding, size) read the bytes hashed
        path.write_text(text.replace("0.25 mg", "0.5 mg"), encoding="utf-8")

    monkeypatch.setattr(stream.StreamedDocument, "__init__", then_changed)
    _run([path], tmp_path / "cache")
    assert _rows(tmp_path / "cache", "SELECT digest FROM results") == []


def test_a_long_file_gives_the_same_report_without_the_cache_cold_and_warm_and_is_stored_in_parts(
        long_files, no_margin, reads, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "long.md").write_text(_long_text(), encoding="utf-8")
    (articles / "short.md").write_text(ARTICLES["b.md"], encoding="utf-8")
    cache = tmp_path / "cache"
    plain = _check(str(articles), "--no-cache")
    claims = run_cli("claims", str(articles), "--format", "jsonl", "--no-cache").stdout
    cold = _check(str(articles), "--cache-dir", str(cache))
    assert reads["hashed"] == ["long.md"] and "long.md" not in reads["read"]

    count = sum(1 for line in claims.splitlines() if '"long.md' in line or "/long.md" in line)
    assert count > 40
    parts = _rows(cache, "SELECT n, length(data), length(explain) FROM parts WHERE path LIKE '%long.md' ORDER BY n")
    assert [n for n, _, _ in parts] == list(range(-(-count // 8)))  # parts of 8 claims, in order
    assert max(size for _, size, _ in parts) < 20_000
    head, data, explain = _rows(cache, "SELECT head, data, explain FROM results WHERE path LIKE '%long.md'")[0]
    assert (json.loads(head)[1], json.loads(head)[-1], data, explain) == (count, len(parts), "[]", "[]")
    assert _rows(cache, "SELECT count(*) FROM parts WHERE path LIKE '%short.md'") == [(0,)]

    reads["hashed"].clear()
    reads["read"].clear()
    warm = _check(str(articles), "--cache-dir", str(cache))
    warm_claims = run_cli("claims", str(articles), "--format", "jsonl", "--cache-dir", str(cache)).stdout
    assert reads == {"read": [], "hashed": []}  # both files known by their stat
    assert plain.stdout == cold.stdout == warm.stdout and warm.stderr == ""
    assert warm_claims == claims


def test_claims_stored_in_parts_read_back_as_a_spool(long_files, tmp_path):
    path = tmp_path / "long.md"
    path.write_text(_long_text(), encoding="utf-8")
    auditor = Auditor(Config(), cache_dir=tmp_path / "cache")
    (parsed,) = auditor.results_of([str(path)], lambda m: None)
    held = [c.to_dict() for c in parsed.claims]
    auditor.cache.close()
    again = Auditor(Config(), cache_dir=tmp_path / "cache")
    (found,) = again.results_of([str(path)], lambda m: None)
    assert again.cache.hits == 1 and isinstance(found.claims, ClaimSpool) and found.claims.spooled
    assert [c.to_dict() for c in found.claims] == held
    again.cache.close()


@pytest.mark.parametrize("damage", ["UPDATE parts SET data = '[1, 2' WHERE n = 1", "DELETE FROM parts WHERE n = 1",
                                    "UPDATE parts SET data = '[[1]]', explain = '[{}]' WHERE n = 1",
                                    f"UPDATE parts SET data = '{json.dumps([[1]] * 8)}', explain = '{json.dumps([{}] * 8)}' WHERE n = 1"])
def test_a_part_that_does_not_read_back_parses_the_file_again_with_one_warning(long_files, tmp_path, damage):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "long.md").write_text(_long_text(), encoding="utf-8")
    cache = tmp_path / "cache"
    _check(str(articles), "--cache-dir", str(cache))
    db = sqlite3.connect(cache / cache_module.FILENAME)
    with db:
        assert db.execute(damage).rowcount == 1
    db.close()
    (articles / "new.md").write_text(ARTICLES["a.md"], encoding="utf-8")  # the consistency step reads the claims
    warm = _check(str(articles), "--cache-dir", str(cache))
    lines = [line for line in warm.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "long.md" in lines[0] and "claim cache" in lines[0], lines
    assert warm.stdout == _check(str(articles), "--no-cache").stdout


def test_a_file_of_a_trusted_stat_is_neither_read_nor_hashed(no_margin, reads, tmp_path):
    articles = _articles(tmp_path / "articles")
    paths = sorted(articles.iterdir())
    cold, _ = _run(paths, tmp_path / "cache")
    assert sorted(reads["read"]) == sorted(ARTICLES)
    reads["read"].clear()
    warm, auditor = _run(paths, tmp_path / "cache")
    assert reads == {"read": [], "hashed": []} and auditor.cache.hits == len(ARTICLES) and warm == cold


def test_a_touched_file_is_hashed_again_and_still_found(no_margin, reads, tmp_path):
    articles = _articles(tmp_path / "articles")
    paths = sorted(articles.iterdir())
    cold, _ = _run(paths, tmp_path / "cache")
    reads["read"].clear()
    st = os.stat(articles / "b.md")
    os.utime(articles / "b.md", ns=(st.st_atime_ns, st.st_mtime_ns - 5_000_000_000))  # same bytes, another mtime
    warm, auditor = _run(paths, tmp_path / "cache")
    assert reads["read"] == ["b.md"] and auditor.cache.hits == len(ARTICLES) and auditor.cache.misses == 0
    assert warm == cold


def test_a_file_changed_with_its_size_and_mtime_put_back_is_seen_by_its_ctime(no_margin, tmp_path):
    articles = _articles(tmp_path / "articles")
    paths = sorted(articles.iterdir())
    _run(paths, tmp_path / "cache")
    path = articles / "b.md"
    before = os.stat(path)
    path.write_text(ARTICLES["b.md"].replace("20 mg", "10 mg"), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert after.st_ctime_ns != before.st_ctime_ns
    warm, auditor = _run(paths, tmp_path / "cache")
    assert auditor.cache.misses == 1 and warm == _run(paths, None)[0]
    assert "10 mg" in warm and "20 mg" not in warm


def test_a_racy_stat_row_is_not_trusted(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(ARTICLES["a.md"], encoding="utf-8")
    st = os.stat(path)
    newest = max(st.st_mtime_ns, st.st_ctime_ns)
    cache = ClaimCache(tmp_path / "cache", "env", lambda m: pytest.fail(m))
    margin = cache_module.STAT_MARGIN_NS
    for read_ns, trusted in ((newest + margin - 1, False), (newest + margin, False), (newest + margin + 1, True)):
        with cache._transaction():
            cache.db.execute("INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?)", (str(path), stat_key(st), read_ns, "d"))
        assert cache.known_digests({str(path): st}) == ({str(path): "d"} if trusted else {}), read_ns
    cache.note_digest(str(path), st, newest + margin - 1, "racy")  # a row that could never be trusted: not kept
    assert cache._stats == {}
    cache.close()


def test_files_read_just_after_they_were_written_are_read_again_next_time(reads, tmp_path):
    articles = _articles(tmp_path / "articles")
    paths = sorted(articles.iterdir())
    cold, _ = _run(paths, tmp_path / "cache")
    assert _rows(tmp_path / "cache", "SELECT count(*) FROM stats") == [(0,)]  # within the margin of their writing
    reads["read"].clear()
    warm, auditor = _run(paths, tmp_path / "cache")
    assert sorted(reads["read"]) == sorted(ARTICLES) and auditor.cache.hits == len(ARTICLES) and warm == cold


def test_a_warm_run_writes_nothing_even_when_it_hashes_a_touched_file(no_margin, tmp_path):
    articles = _articles(tmp_path / "articles")
    cache_dir = tmp_path / "cache"
    run_cli("check", str(articles), "--fail-on", "never", "--cache-dir", str(cache_dir))
    assert len(_rows(cache_dir, "SELECT path FROM stats")) == len(ARTICLES)
    st = os.stat(articles / "a.md")
    os.utime(articles / "a.md", ns=(st.st_atime_ns, st.st_mtime_ns - 5_000_000_000))
    before = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(cache_dir.iterdir())]
    warm = run_cli("check", str(articles), "--fail-on", "never", "--cache-dir", str(cache_dir))
    assert [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(cache_dir.iterdir())] == before
    assert warm.exit_code == 0


def test_a_long_file_parsed_in_a_worker_is_stored(long_files, tmp_path):
    articles = _articles(tmp_path / "articles")
    (articles / "d.md").write_text(ARTICLES["c.md"].replace("50 mg", "100 mg"), encoding="utf-8")
    (articles / "long.md").write_text(_long_text(), encoding="utf-8")
    paths = sorted(articles.iterdir())
    auditor = Auditor(Config(), cache_dir=tmp_path / "cache")
    auditor.jobs = 2
    from auditor.reports import render

    parallel = render("json", auditor.finish(auditor.results_of([str(p) for p in paths], lambda m: None)))
    auditor.cache.close()
    stored = dict(_rows(tmp_path / "cache", "SELECT path, digest FROM results"))
    assert stored[str(articles / "long.md")] == content_digest((articles / "long.md").read_bytes())
    assert len(stored) == len(paths) and parallel == _run(paths, None)[0]
