"""The pre-commit hook definition and the GitHub Actions example are valid and consistent."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from auditor.reports import FORMATS

ROOT = Path(__file__).resolve().parent.parent


def test_pre_commit_hook_runs_auditor_check_on_articles_only():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["auditor"]
    hook = hooks[0]
    assert hook["entry"] == "auditor check"
    assert hook["language"] == "python"
    assert hook["require_serial"] is True
    pattern = re.compile(hook["files"])
    for name in ("guide.md", "a/b/page.html", "page.htm", "notes.txt", "x.markdown"):
        assert pattern.search(name), name
    for name in ("tool.py", "rules/clonazepam.yaml", "page.html.bak", "logo.png"):
        assert not pattern.search(name), name


def test_actions_example_uploads_sarif_and_keeps_the_exit_status():
    text = (ROOT / "docs" / "github-actions.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    workflow = yaml.safe_load(blocks[0])
    job = workflow["jobs"]["audit"]
    assert job["permissions"]["security-events"] == "write"
    steps = {s.get("name", s.get("uses")): s for s in job["steps"]}
    run = steps["Audit articles"]["run"]
    assert "--format sarif=auditor.sarif" in run and "set +e" in run
    assert "--format github" in run and '>> "$GITHUB_STEP_SUMMARY"' in run
    upload = steps["Upload to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "auditor.sarif"
    assert upload["if"].startswith("always()")
    assert steps["Fail on findings"]["if"] == "steps.audit.outputs.status != '0'"
    # every format the page names exists
    for fmt in re.findall(r"--format (\w+)", text):
        assert fmt in FORMATS
