"""YAML reading: libyaml's parser builds the same data as PyYAML's safe loader, and errors keep
the pure-Python parser's wording with file:line:column."""

from __future__ import annotations

import pytest
import yaml

from auditor.errors import AuditorError
from auditor.paths import bundled_rules_dir
from auditor.yamlio import parse_yaml

RULE_FILES = sorted(bundled_rules_dir().rglob("*.yaml"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_bundled_files_parse_to_safe_load_data(path):
    text = path.read_text(encoding="utf-8")
    doc = parse_yaml(text, str(path))
    assert doc.data == yaml.safe_load(text)
    assert doc.root is not None and doc.locate(()) == (doc.root.start_mark.line + 1, doc.root.start_mark.column + 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a:\n\t- x\n", "f.yaml:2:1: invalid YAML: found character '\\t' that cannot start any token"),
        ("a: [1, 2\nb: 3\n", "f.yaml:2:2: invalid YAML: expected ',' or ']', but got ':'"),
        ("a: 1\na: 2\n", "f.yaml:2:1: duplicate key 'a'"),
    ],
)
def test_errors_name_file_line_and_column(text, message):
    with pytest.raises(AuditorError) as caught:
        parse_yaml(text, "f.yaml")
    assert str(caught.value) == message
