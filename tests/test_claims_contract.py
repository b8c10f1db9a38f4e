"""`auditor claims --format jsonl` prints exactly the record of CLAIMS.md."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_cli

from auditor.claims import ATTRIBUTES, UNITS

REQUIRED = {
    "path": str, "line": int, "column": int, "end_line": int, "end_column": int, "quote": str, "sentence": str,
    "drug": (str, type(None)), "attribute": str, "value": dict, "unit": str, "per": (str, type(None)),
    "frequency": (int, float, dict, type(None)), "daily": (dict, type(None)), "indication": (str, type(None)),
    "population": (str, type(None)), "negated": bool, "hypothetical": bool, "cited": bool,
}


def _records(*paths: str) -> list[dict]:
    result = run_cli("claims", *paths, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_every_record_has_the_contract_keys_and_types(tmp_path):
    article = tmp_path / "a.md"
    article.write_text(
        "# Clonazepam for panic disorder\n\n"
        "Adults **start at 0.25 mg twice daily**; the maximum is 4 mg/day.\n\n"
        "- About 30% of people report drowsiness.\n- It lasts 6-12 hours.\n",
        encoding="utf-8",
    )
    records = _records(str(article))
    assert len(records) == 4
    for record in records:
        for key, kind in REQUIRED.items():
            assert key in record, key
            assert isinstance(record[key], kind), (key, record[key])
        assert record["attribute"] in ATTRIBUTES
        assert record["unit"] in UNITS
        assert set(record["value"]) == {"low", "high"}
        assert record["per"] in (None, "dose", "day")
        assert record["population"] in (None, "adult", "pediatric", "elderly")


def test_positions_map_back_through_markup(tmp_path):
    source = "# Clonazepam\n\nAdults **start at 0.25 mg twice daily**.\n"
    article = tmp_path / "a.md"
    article.write_text(source, encoding="utf-8")
    (record,) = _records(str(article))
    line = source.splitlines()[record["line"] - 1]
    assert line[record["column"] - 1:record["end_column"] - 1] == record["quote"] == "0.25 mg"
    assert record["frequency"] == 2
    assert record["daily"] == {"low": 0.5, "high": 0.5}


def test_files_in_given_order_directories_sorted(tmp_path):
    (tmp_path / "b.txt").write_text("Clonazepam lasts 6-12 hours.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Clonazepam lasts 8-12 hours.\n", encoding="utf-8")
    single = tmp_path / "z.txt"
    single.write_text("Clonazepam peaks in 1-4 hours.\n", encoding="utf-8")
    records = _records(str(single), str(tmp_path))
    # a file named on its own comes first; the directory's files follow sorted, without repeating it
    assert [Path(r["path"]).name for r in records] == ["z.txt", "a.txt", "b.txt"]


def test_columns_count_code_points(tmp_path):
    article = tmp_path / "u.txt"
    article.write_text("😀 Ünïcode: clonazepam lasts 6-12 hours.\n", encoding="utf-8")
    (record,) = _records(str(article))
    assert record["column"] == "😀 Ünïcode: clonazepam lasts ".__len__() + 1
