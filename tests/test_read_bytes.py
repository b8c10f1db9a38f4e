"""``read_bytes``: a file's bytes, read by the size it has, never past the limit."""

from __future__ import annotations

import os
import sys

import pytest

from auditor.errors import InputWarning
from auditor.ingest import files
from auditor.ingest.files import read_bytes


@pytest.mark.parametrize(("size", "limit", "kept"), [(1, 10, True), (10, 10, True), (11, 10, False), (5000, 4999, False),
                                                     (5000, 100_000, True)])
def test_a_file_is_read_whole_up_to_the_limit(tmp_path, size, limit, kept):
    path = tmp_path / "a.md"
    path.write_bytes(b"x" * size)
    if kept:
        assert read_bytes(str(path), limit) == b"x" * size
    else:
        with pytest.raises(InputWarning, match="larger than"):
            read_bytes(str(path), limit)


@pytest.mark.parametrize(("size", "limit", "kept"), [(300, 1000, True), (1001, 1000, False)])
def test_a_file_that_grew_since_its_size_was_read_is_read_to_its_end_or_refused(tmp_path, monkeypatch, size, limit, kept):
    path = tmp_path / "a.md"
    path.write_bytes(b"y" * size)
    real = os.stat

    def smaller(p, *args, **kwargs):
        st = real(p, *args, **kwargs)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10,
                               st.st_atime, st.st_mtime, st.st_ctime))

    monkeypatch.setattr(files.os, "stat", smaller)
    if kept:
        assert read_bytes(str(path), limit) == b"y" * size
    else:
        with pytest.raises(InputWarning, match="larger than"):
            read_bytes(str(path), limit)


@pytest.mark.skipif(not os.path.exists("/dev/zero") or sys.platform == "win32", reason="needs /dev/zero")
def test_a_device_without_a_size_is_read_only_up_to_the_limit():
    with pytest.raises(InputWarning, match="larger than"):
        read_bytes("/dev/zero", 4096)


def test_an_empty_file_is_refused(tmp_path):
    (tmp_path / "e.md").write_bytes(b"")
    with pytest.raises(InputWarning, match="empty"):
        read_bytes(str(tmp_path / "e.md"), 100)
