"""The report registry, determinism across formats and the atomic file writer."""

from __future__ import annotations

import os
import random
import stat

import pytest
from fixtures.reports.sample_report import build_report

from auditor import atomic
from auditor.errors import AuditorError
from auditor.reports import FORMATS, render, write_atomic


def test_registry_names_every_format():
    assert list(FORMATS) == ["text", "json", "sarif", "junit", "github", "markdown", "html"]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_render_is_deterministic_and_independent_of_input_order(fmt):
    first = render(fmt, build_report())
    shuffled = build_report()
    random.Random(7).shuffle(shuffled.findings)
    assert render(fmt, build_report()) == first
    assert render(fmt, shuffled) == first
    assert first.endswith("\n")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_color_changes_nothing_but_text(fmt):
    assert render(fmt, build_report(), color=True) == render(fmt, build_report())


def test_unknown_format_is_a_usage_error():
    with pytest.raises(AuditorError) as err:
        render("pdf", build_report())
    assert err.value.exit_code == 2
    assert "pdf" in err.value.message and "sarif" in err.value.message


def test_write_atomic_writes_utf8_and_keeps_line_endings(tmp_path):
    target = tmp_path / "report.md"
    write_atomic(str(target), "a ≤ 4 mg\r\nb\n")
    assert target.read_bytes() == "a ≤ 4 mg\r\nb\n".encode()
    assert os.listdir(tmp_path) == ["report.md"]


def test_write_atomic_keeps_the_mode_of_a_replaced_file(tmp_path):
    target = tmp_path / "report.sarif"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(str(target), "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_atomic_leaves_the_old_file_whole_on_error(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("previous report")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(str(target), "new report")
    assert target.read_text() == "previous report"
    assert os.listdir(tmp_path) == ["report.json"]


def test_write_atomic_cleans_up_when_content_cannot_be_encoded(tmp_path):
    target = tmp_path / "report.txt"
    with pytest.raises(UnicodeEncodeError):
        write_atomic(str(target), "lone surrogate \ud800")
    assert os.listdir(tmp_path) == []
