"""Hostile rules and config: no user regex can hang a run; YAML bombs, huge files and code are refused."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

RULE = """\
pack: house
rules:
  - id: house.{id}
    type: forbid
    severity: warning
    message: "A forbidden word."
    description: A house rule.
    any:
      - pattern: [{pattern}]
"""


def run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """The CLI as a process, so that a hang fails the test (timeout) instead of stalling it."""
    return subprocess.run([sys.executable, "-c", "import sys; from auditor.cli import main; sys.argv[0] = 'auditor'; main()",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def house(tmp_path: Path, text: str) -> Path:
    rules = tmp_path / "house"
    rules.mkdir(exist_ok=True)
    (rules / "house.yaml").write_text(text, encoding="utf-8")
    return rules


def test_a_backtracking_regex_runs_in_linear_time(tmp_path):
    # With Python's re, (a+)+$ against 'aaa...ab' takes 2^n steps: 40 a's would take hours.
    rules = house(tmp_path, RULE.format(id="aaa", pattern='{"LOWER": {"REGEX": "^(a+)+$"}}'))
    (tmp_path / "a.md").write_text("Clonazepam " + "a" * 40 + "b and " + "a" * 5000 + " again.\n", encoding="utf-8")
    started = time.monotonic()
    proc = run(["check", "a.md", "--rules", str(rules), "--format", "json"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    hits = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "house.aaa"]
    assert [h["quote"] for h in hits] == ["a" * 5000]  # the token of a's only, not the one ending in b
    assert time.monotonic() - started < 250


def test_regex_predicates_keep_their_meaning(tmp_path):
    pattern = '{"LOWER": {"REGEX": "^benzo", "NOT_IN": ["benzodiazepine"]}}, {"TEXT": {"REGEX": "^[A-Z]"}}'
    rules = house(tmp_path, RULE.format(id="benzo", pattern=pattern))
    (tmp_path / "b.md").write_text("Benzos Help. A benzodiazepine Helps. benzo helps. Benzoates Work.\n", encoding="utf-8")
    proc = run(["check", "b.md", "--rules", str(rules), "--format", "json"], tmp_path)
    hits = [f["quote"] for f in json.loads(proc.stdout)["findings"] if f["rule"] == "house.benzo"]
    assert hits == ["Benzos Help", "Benzoates Work"]


@pytest.mark.parametrize("expression", [r"(a)\\1", "(?=a)b", "(?<!x)y"])
def test_a_regex_re2_cannot_run_is_a_rule_error(tmp_path, expression):
    rules = house(tmp_path, RULE.format(id="bad", pattern=f'{{"TEXT": {{"REGEX": "{expression}"}}}}'))
    (tmp_path / "a.md").write_text("Some text.\n", encoding="utf-8")
    proc = run(["check", "a.md", "--rules", str(rules)], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr  # one line: no RE2 log output
    assert "house.yaml" in proc.stderr and "house.bad" in proc.stderr and "RE2" in proc.stderr


BOMB = textwrap.dedent("""\
    pack: house
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
    rules: []
    """)


@pytest.mark.parametrize("text, words", [
    (BOMB, "alias bomb"),
    ("pack: house\nrules: &r [*r]\n", "recursive"),
    ("pack: house\nrules: " + "[" * 50_000 + "]" * 50_000 + "\n", "nest"),  # libyaml: "nesting depth"
    ("pack: house\nrules: !!python/object/apply:os.system ['touch pwned']\n", "invalid YAML"),
])
def test_hostile_yaml_in_a_rules_file_is_refused(tmp_path, text, words):
    rules = house(tmp_path, text)
    (tmp_path / "a.md").write_text("Some text.\n", encoding="utf-8")
    started = time.monotonic()
    proc = run(["check", "a.md", "--rules", str(rules)], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("auditor: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "house.yaml" in proc.stderr and words in proc.stderr
    assert not (tmp_path / "pwned").exists()
    assert time.monotonic() - started < 120


def test_an_alias_bomb_in_the_config_is_refused(tmp_path):
    (tmp_path / "auditor.yaml").write_text(BOMB.replace("pack: house\n", "").replace("rules: []\n", ""), encoding="utf-8")
    (tmp_path / "a.md").write_text("Some text.\n", encoding="utf-8")
    proc = run(["check", "a.md"], tmp_path)
    assert proc.returncode == 2
    assert "auditor.yaml" in proc.stderr and "alias bomb" in proc.stderr


def test_a_100_mb_rules_file_is_refused_before_it_is_read(tmp_path):
    rules = tmp_path / "house"
    rules.mkdir()
    with open(rules / "huge.yaml", "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing written
    (tmp_path / "a.md").write_text("Some text.\n", encoding="utf-8")
    started = time.monotonic()
    proc = run(["check", "a.md", "--rules", str(rules)], tmp_path)
    assert proc.returncode == 2
    assert "huge.yaml: 100 MB is larger than the 5 MB a rules or config file may be" in proc.stderr
    assert time.monotonic() - started < 120


def test_anchors_and_aliases_of_ordinary_size_still_work(tmp_path):
    rules = house(tmp_path, textwrap.dedent("""\
        pack: house
        rules:
          - &base
            id: house.one
            type: forbid
            severity: warning
            message: "Avoid it."
            description: A house rule.
            any: [{phrase: completely safe}]
          - <<: *base
            id: house.two
        """))
    (tmp_path / "a.md").write_text("It is completely safe.\n", encoding="utf-8")
    proc = run(["check", "a.md", "--rules", str(rules), "--format", "json"], tmp_path)
    assert {f["rule"] for f in json.loads(proc.stdout)["findings"]} >= {"house.one", "house.two"}
