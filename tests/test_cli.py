"""The command line end to end: SEEDS, the corpus demo, exit codes, formats, suppressions,
baselines, changed files, and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


def _json(result) -> dict:
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _places(finding: dict) -> set[tuple[str, int]]:
    return {(Path(finding["path"]).name[:3], finding["line"])} | {
        (Path(r["path"]).name[:3], r["line"]) for r in finding["related"]}


# -- SEEDS.md on the two real articles -------------------------------------------------
def test_seeds_on_the_shared_articles(shared_articles):
    report = _json(run_cli("check", str(shared_articles), "--format", "json"))
    findings = report["findings"]
    # 1: durations of effect differ between the articles: one finding, both places
    duration = [f for f in findings if _places(f) == {("000", 47), ("003", 96)}]
    assert len(duration) == 1 and duration[0]["severity"] in ("warning", "error")
    assert {duration[0]["quote"], duration[0]["related"][0]["quote"]} == {"8-12 hours", "6-12 hours"}
    # 2: two daily ranges in one article: one finding, both places
    ranges = [f for f in findings if _places(f) == {("003", 2), ("003", 4)}]
    assert len(ranges) == 1
    # 3, 4: uncited statistics
    uncited = {(Path(f["path"]).name[:3], f["line"]) for f in findings if f["rule"] == "general.uncited-statistic"}
    assert {("000", 18), ("000", 65)} <= uncited
    # and nothing on the lines SEEDS lists as fine
    fine = {("000", 30), ("003", 13), ("003", 11), ("003", 12), ("003", 43), ("003", 146)}
    fine |= {("003", n) for n in range(147, 156)}
    for f in findings:
        assert not ({(Path(f["path"]).name[:3], f["line"])} & fine), f
    onset = [f for f in findings if f["rule"].startswith("consistency.onset")]
    assert onset == []


# -- the corpus demo ---------------------------------------------------------------------
def test_corpus_demo_reports_the_planted_problems():
    result = run_cli("check", str(CORPUS), "--format", "json")
    assert result.exit_code == 1  # a label maximum is exceeded: an error
    findings = _json(result)["findings"]

    def has(rule: str, name: str, line: int) -> bool:
        return any(f["rule"] == rule and any(p == name[:3] and n == line for p, n in _places(f))
                   and name in {Path(f["path"]).name, *(Path(r["path"]).name for r in f["related"])}
                   for f in findings)

    assert has("clonazepam.panic.max-daily", "clonazepam-prescribing-update-news.html", 43)
    assert has("clonazepam.panic.start", "clonazepam-panic-faq.md", 24)
    assert has("lorazepam.elderly.start", "lorazepam-flight-anxiety.html", 44)
    assert has("zolpidem.insomnia.max-daily", "zolpidem-next-morning.html", 42)
    assert has("sertraline.panic.start", "sertraline-faq.html", 33)
    # contradictions between articles (docs/corpus.md X1-X8) and inside one (D1), with every place
    assert has("consistency.duration-of-effect", "clonazepam-panic-faq.md", 39)
    assert has("consistency.duration-of-effect", "clonazepam-key-takeaways.md", 10)
    for name, line in [("clonazepam-panic-faq.md", 24), ("clonazepam-dosage-guide.html", 50),
                       ("clonazepam-dosage-guide.html", 70), ("clonazepam-key-takeaways.md", 25)]:
        assert has("consistency.starting-dose", name, line), name
    assert has("consistency.maximum-dose", "clonazepam-prescribing-update-news.html", 43)
    assert has("consistency.maximum-dose", "clonazepam-dosage-guide.html", 75)
    assert has("consistency.maximum-below-usual", "lorazepam-flight-anxiety.html", 43)
    assert has("consistency.maximum-below-usual", "lorazepam-dosage-table.md", 20)
    assert has("consistency.starting-dose", "lorazepam-flight-anxiety.html", 44)
    assert has("consistency.starting-dose", "lorazepam-dosage-table.md", 22)
    assert has("consistency.half-life", "zolpidem-sleep-guide.md", 47)
    assert has("consistency.half-life", "zolpidem-next-morning.html", 32)
    assert has("consistency.starting-dose", "sertraline-starting-treatment.md", 28)
    assert has("consistency.maximum-dose", "zolpidem-sleep-guide.md", 28)
    assert has("consistency.usual-daily-range", "clonazepam-key-takeaways.md", 9)
    assert has("consistency.usual-daily-range", "clonazepam-key-takeaways.md", 31)
    for name in ("clonazepam-panic-faq.md", "lorazepam-flight-anxiety.html"):
        assert any(f["rule"] == "benzodiazepines.opioids" and f["path"].endswith(name) for f in findings)
    for name in ("clonazepam-key-takeaways.md", "clonazepam-prescribing-update-news.html"):
        assert any(f["rule"] == "benzodiazepines.alcohol" and f["path"].endswith(name) for f in findings)
    # near-misses stay quiet: another indication, hypotheticals, negation, agreeing statements
    quiet = {("clonazepam-key-takeaways.md", 39), ("clonazepam-key-takeaways.md", 28),
             ("clonazepam-dosage-guide.html", 58), ("clonazepam-dosage-guide.html", 81),
             ("clonazepam-panic-faq.md", 45), ("sertraline-faq.html", 37), ("clonazepam-panic-faq.md", 32),
             ("lorazepam-dosage-table.md", 21), ("lorazepam-dosage-table.md", 25)}
    for f in findings:
        assert (Path(f["path"]).name, f["line"]) not in quiet, f
    for name, line in [("clonazepam-panic-faq.md", 52), ("clonazepam-key-takeaways.md", 45),
                       ("zolpidem-next-morning.html", 35), ("sertraline-faq.html", 46),
                       ("lorazepam-flight-anxiety.html", 54)]:
        assert has("general.uncited-statistic", name, line), name
    # the two clean articles say nothing wrong
    clean = run_cli("check", str(CORPUS / "clonazepam-dosage-guide.html"), str(CORPUS / "lorazepam-dosage-table.md"),
                    "--format", "json")
    assert clean.exit_code == 0
    assert [f for f in _json(clean)["findings"] if not f["rule"].startswith("consistency.")] == []


# -- exit codes and formats -----------------------------------------------------------
def _article(tmp_path: Path, text: str, name: str = "a.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_exit_codes(tmp_path):
    warn = _article(tmp_path, "About 40% of people report nausea.\n")
    assert run_cli("check", str(warn)).exit_code == 0  # warnings only: below the default fail level
    assert run_cli("check", str(warn), "--fail-on", "warning").exit_code == 1
    err = _article(tmp_path, "For panic disorder, adults can take 8 mg of clonazepam a day.\n", "b.md")
    assert run_cli("check", str(err)).exit_code == 1
    assert run_cli("check", str(err), "--fail-on", "never").exit_code == 0
    assert run_cli("check", str(err), "--format", "nope").exit_code == 2
    assert run_cli("check", str(err), "--rules", str(tmp_path / "missing")).exit_code == 2


def test_several_formats_at_once_written_atomically(tmp_path):
    article = _article(tmp_path, "About 40% of people report nausea.\n")
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    result = run_cli("check", str(article), "--format", f"sarif={sarif}", "--format", f"junit={junit}",
                     "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["findings"] == 1
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith("<?xml")
    assert not list(tmp_path.glob("*.tmp*"))


def test_output_file_and_usage_errors(tmp_path):
    article = _article(tmp_path, "About 40% of people report nausea.\n")
    out = tmp_path / "report.md"
    assert run_cli("check", str(article), "--format", "markdown", "--output", str(out)).exit_code == 0
    assert "uncited-statistic" in out.read_text()
    assert run_cli("check", str(article), "--format", "json", "--format", "text").exit_code == 2


# -- suppressions ---------------------------------------------------------------------
def test_suppression_with_reason_counts_and_unused_suppression_warns(tmp_path):
    article = _article(tmp_path, (
        "<!-- auditor-ignore general.uncited-statistic: figure from our own 2024 reader survey -->\n"
        "About 40% of people report nausea.\n\n"
        "About 20% of people report headache. <!-- auditor-ignore general.uncited-statistic: survey -->\n\n"
        "<!-- auditor-ignore consistency.onset: nothing here -->\n"
        "Nothing to see.\n\n"
        "<!-- auditor-ignore general.uncited-statistic -->\n"
        "About 10% of people report dizziness.\n"))
    report = _json(run_cli("check", str(article), "--format", "json"))
    rules = sorted(f["rule"] for f in report["findings"])
    assert rules == ["auditor.suppression-without-reason", "auditor.unused-suppression", "general.uncited-statistic"]
    assert report["summary"]["suppressed"] == 2
    sarif = json.loads(run_cli("check", str(article), "--format", "sarif").stdout)
    assert sum(1 for r in sarif["runs"][0]["results"] if r.get("suppressions")) == 2


# -- baseline ---------------------------------------------------------------------------
def test_baseline_reports_only_new_findings_even_after_lines_move(tmp_path):
    article = _article(tmp_path, "About 40% of people report nausea.\n")
    baseline = tmp_path / "baseline.json"
    assert run_cli("baseline", "write", str(baseline), str(article)).exit_code == 0
    assert len(json.loads(baseline.read_text())["findings"]) == 1
    article.write_text("# A new heading\n\nA new paragraph above.\n\nAbout 40% of people report nausea.\n\n"
                       "About 25% of people report headache.\n", encoding="utf-8")
    report = _json(run_cli("check", str(article), "--baseline", str(baseline), "--format", "json"))
    assert [f["quote"] for f in report["findings"]] == ["25%"]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run_cli("check", str(article), "--baseline", str(bad))
    assert result.exit_code == 2 and "bad.json:1:" in result.output


# -- changed files ------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_keeps_findings_of_changed_files_and_their_contradictions(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "ci@example.org")
    git("config", "user.name", "CI")
    _article(tmp_path, "Buspirone lasts 8-12 hours.\n", "old.md")
    _article(tmp_path, "About 40% of people on buspirone report dizziness.\n", "stats.md")
    git("add", ".")
    git("commit", "-qm", "articles")
    _article(tmp_path, "Buspirone lasts 6-12 hours.\n", "new.md")
    report = _json(run_cli("check", ".", "--changed-since", "HEAD", "--format", "json", cwd=tmp_path))
    assert [f["rule"] for f in report["findings"]] == ["consistency.duration-of-effect"]
    assert run_cli("check", ".", "--changed-since", "no-such-ref", cwd=tmp_path).exit_code == 2


# -- other commands ---------------------------------------------------------------------
def test_version_names_rule_packs():
    result = run_cli("--version")
    assert result.exit_code == 0
    assert "rule packs:" in result.output and "clonazepam" in result.output


def test_rules_list_explain_and_pipeline():
    listing = run_cli("rules", "list")
    assert "clonazepam.panic.max-daily" in listing.output
    explain = run_cli("rules", "explain", "clonazepam.panic.max-daily")
    assert explain.exit_code == 0
    for part in ("What it does", "Why it matters", "Example", "Source", "4 mg"):
        assert part in explain.output
    assert run_cli("rules", "explain", "clonazepam.nope").exit_code == 2
    pipeline = run_cli("pipeline")
    assert "quantity_recognizer" in pipeline.output and "claim_builder" in pipeline.output


def test_compare_table_against_the_label():
    result = run_cli("compare", "Klonopin", str(CORPUS))
    assert result.exit_code == 0
    assert "starting dose (dose.start)" in result.output
    assert "DIFFERS" in result.output and "ABOVE MAX" in result.output


def test_rules_test_passes_on_bundled_rules():
    result = run_cli("rules", "test")
    assert result.exit_code == 0, result.output
    assert ": ok" in result.output


def test_rules_test_reports_missing_and_unexpected(tmp_path):
    rules = tmp_path / "house"
    (rules / "tests").mkdir(parents=True)
    (rules / "house.yaml").write_text(
        "pack: house\nrules:\n  - id: house.safe\n    type: forbid\n    severity: warning\n"
        "    message: m\n    description: d\n    any: [{phrase: completely safe}]\n", encoding="utf-8")
    (rules / "tests" / "house.md").write_text(
        "<!-- ruleid: house.safe -->\nThis is perfectly fine.\n\n<!-- ok: house.safe -->\nIt is completely safe.\n",
        encoding="utf-8")
    result = run_cli("rules", "test", str(rules))
    assert result.exit_code == 1
    assert "missing finding: house.safe" in result.output and "unexpected finding: house.safe" in result.output


# -- bad input -----------------------------------------------------------------------------
def test_bad_input_gets_one_line_each_and_the_run_goes_on(tmp_path):
    good = _article(tmp_path, "About 40% of people report nausea.\n", "good.md")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin1.txt").write_bytes("Clonazepam lasts 6-12 hours. Caf\xe9.\n".encode("latin-1"))
    result = run_cli("check", str(good), str(tmp_path / "missing.md"), str(tmp_path / "empty.md"),
                     str(tmp_path / "binary.txt"), str(tmp_path / "latin1.txt"), "--format", "json")
    assert result.exit_code == 0
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert any("missing.md" in e for e in errors)
    assert any("empty.md" in e for e in errors)
    assert any("binary.txt" in e for e in errors)
    assert any("latin1.txt" in e and "byte" in e for e in errors)
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 2


def test_directory_with_nothing_to_audit(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"PK")
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 0
    assert "nothing" in result.stderr.lower() or "no " in result.stderr.lower()


def test_consistency_compares_a_formulation_only_with_itself(tmp_path):
    """Two articles giving different Xanax XR maxima disagree; an XR maximum never disagrees
    with the tablets' maximum."""
    (tmp_path / "a.md").write_text("For panic disorder, the maximum dose of Xanax XR is 10 mg a day.\n",
                                   encoding="utf-8")
    (tmp_path / "b.md").write_text("For panic disorder, the maximum dose of Xanax XR is 6 mg a day.\n",
                                   encoding="utf-8")
    (tmp_path / "c.md").write_text("For panic disorder, the maximum dose of Xanax tablets is 10 mg a day.\n",
                                   encoding="utf-8")

    def contradictions(*names: str) -> list[dict]:
        report = _json(run_cli("check", *(str(tmp_path / n) for n in names), "--format", "json"))
        return [f for f in report["findings"] if f["rule"] == "consistency.maximum-dose"]

    xr = contradictions("a.md", "b.md")
    assert len(xr) == 1 and {Path(p["path"]).name for p in xr[0]["related"]} | {Path(xr[0]["path"]).name} == {"a.md", "b.md"}
    assert contradictions("b.md", "c.md") == []
