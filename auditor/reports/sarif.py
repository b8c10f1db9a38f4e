"""The SARIF 2.1.0 report, for code scanning (GitHub, GitLab, IDE viewers).

One run; the driver lists every rule that appears (with its description and label source);
each finding is a result with a physical location relative to ``%SRCROOT%``, a partial
fingerprint (``auditor/v1``) so that alerts survive edits above them, and related locations
for the other sides of a contradiction. Suppressed findings (inline ``auditor-ignore``
comments) are kept as results with an ``inSource`` suppression, which viewers show as
dismissed.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import posixpath
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from auditor.findings import Finding, Related, Report
from auditor.reports._common import rule_source, safe_url, sorted_findings, source_citation
from auditor.reports._stream import LIST_HERE, json_chunks

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "auditor/v1"


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as a SARIF 2.1.0 log (``color`` is ignored)."""
    return "".join(chunks(report))


def chunks(report: Report, *, color: bool = False) -> Iterator[str]:
    """The text of ``render``, one result at a time."""
    log, results = _log(report)
    yield from json_chunks(log, results)
    yield "\n"


def to_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict."""
    log, results = _log(report)
    log["runs"][0]["results"] = list(results)
    return log


def _log(report: Report) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The log with ``LIST_HERE`` for its results, and the results (read when iterated)."""
    findings = sorted_findings(report.findings)
    suppressed = sorted_findings(report.suppressed)
    examples: dict[str, Finding] = {}  # the first finding of each rule, for rules without metadata
    for f in itertools.chain(findings, suppressed):
        examples.setdefault(f.rule, f)
    rule_ids = sorted({*report.rules, *examples})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    driver: dict[str, Any] = {"name": "auditor", "version": report.version}
    info_uri = information_uri()
    if info_uri:
        driver["informationUri"] = info_uri
    driver["rules"] = [_rule(report, rule_id, examples.get(rule_id)) for rule_id in rule_ids]
    results = itertools.chain((_result(report, f, index) for f in findings),
                              (_result(report, f, index, suppressed=True) for f in suppressed))
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": LIST_HERE,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, results


def information_uri() -> str | None:
    """The project's home page from the installed package metadata, if it names one."""
    try:
        meta = importlib.metadata.metadata("auditor")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "documentation", "source"} and safe_url(url):
            return safe_url(url)
    return safe_url(meta.get("Home-page"))


def artifact_uri(path: str) -> dict[str, str]:
    """An artifactLocation: a relative URI under ``%SRCROOT%``, or a file URI for absolute paths."""
    posix = path.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:/", posix):
        return {"uri": "file://" + ("" if posix.startswith("/") else "/") + quote(posix, safe="/:")}
    posix = posixpath.normpath(posix)
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _physical(path: str, line: int, column: int, end_line: int, end_column: int) -> dict[str, Any]:
    end_line = max(end_line, line)
    end_column = max(end_column, column + 1) if end_line == line else max(end_column, 1)
    return {
        "artifactLocation": artifact_uri(path),
        "region": {
            "startLine": max(line, 1),
            "startColumn": max(column, 1),
            "endLine": end_line,
            "endColumn": end_column,
        },
    }


def _rule(report: Report, rule_id: str, example: Finding | None) -> dict[str, Any]:
    """A rule of the driver; ``example``: the first finding of the rule, if any."""
    meta = report.rules.get(rule_id) or {}
    description = " ".join(str(meta.get("description") or (example.help if example and example.help else rule_id)).split())
    source = meta.get("source") if isinstance(meta.get("source"), dict) else None
    if source is None and example is not None:
        source = rule_source(report, example)
    citation = source_citation(source)
    help_text = " ".join(str(meta.get("help") or (example.help if example and example.help else description)).split())
    if citation:
        help_text += f"\n\nSource: {citation}"
        if source and source.get("quote"):
            help_text += f"\n\u201c{source['quote']}\u201d"
    sample = meta.get("example") if isinstance(meta.get("example"), dict) else {}
    if sample.get("bad") and sample.get("good"):
        help_text += f"\n\nFlagged: {sample['bad']}\nFine: {sample['good']}"
    severity = meta.get("severity") or (example.severity if example else "warning")
    rule: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": _first_sentence(description)},
        "fullDescription": {"text": description},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS.get(str(severity), "warning")},
    }
    url = safe_url(source.get("url")) if source else None
    if url:
        rule["helpUri"] = url
    props: dict[str, Any] = {}
    if source:
        props["source"] = {k: source[k] for k in ("title", "section", "url", "quote") if source.get(k)}
    if isinstance(meta.get("tags"), list):
        props["tags"] = sorted({str(t) for t in meta["tags"]})
    if props:
        rule["properties"] = props
    return rule


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), flags=re.S)
    return match.group(1) if match else text.strip()


def _related(rel: Related, i: int) -> dict[str, Any]:
    return {
        "id": i,
        "physicalLocation": _physical(rel.path, rel.line, rel.column, rel.end_line, rel.end_column),
        "message": {"text": rel.message or rel.quote or rel.path},
    }


def _result(report: Report, f: Finding, index: dict[str, int], *, suppressed: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": _physical(f.path, f.line, f.column, f.end_line, f.end_column)}],
    }
    if f.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    if f.related:
        result["relatedLocations"] = [_related(rel, i) for i, rel in enumerate(f.related, start=1)]
    if suppressed or f.suppressed:
        result["suppressions"] = [{"kind": "inSource", "status": "accepted"}]
    props: dict[str, Any] = {"quote": f.quote}
    if f.reference:
        props["reference"] = f.reference
    result["properties"] = props
    return result


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notes = []
    for path in sorted(report.documents):
        for warning in getattr(report.documents[path], "warnings", None) or []:
            notes.append({
                "level": "warning",
                "message": {"text": str(warning)},
                "locations": [{"physicalLocation": {"artifactLocation": artifact_uri(path)}}],
            })
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation
