"""Loading rule packs: schema validation with errors that name file:line:column and the key."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AuditorError
from ..validation import surely_valid
from ..yamlio import YamlDocument, load_yaml
from .model import Pack, Reference, Rule

if TYPE_CHECKING:
    import jsonschema

    from ..yamlio import Memo

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "rules.schema.json"
SKIPPED_DIRS = {"lexicon", "tests", "fixtures"}


@lru_cache(maxsize=1)
def rules_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass
class RuleSet:
    """Every rule loaded from the rules directories, in a stable order."""

    packs: list[Pack] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. unreviewed draft rules left out

    def by_id(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def active(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]

    def configure(self, enable: list[str], disable: list[str], severity: dict[str, str]) -> None:
        """Apply config: ids or globs to enable/disable, severity overrides by id or glob."""
        for rule in self.rules:
            if disable and any(fnmatch.fnmatchcase(rule.id, pat) for pat in disable):
                rule.enabled = False
            if enable and any(fnmatch.fnmatchcase(rule.id, pat) for pat in enable):
                rule.enabled = True
            for pattern, level in severity.items():
                if fnmatch.fnmatchcase(rule.id, pattern):
                    rule.severity = level


def pack_files(directory: Path) -> list[Path]:
    """The rule pack files under a rules directory (lexicons and rule tests excluded)."""
    files = []
    for path in sorted(directory.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        rel = path.relative_to(directory)
        if any(part in SKIPPED_DIRS for part in rel.parts[:-1]):
            continue
        files.append(path)
    return files


def load_rules(directories: list[Path], memo: Memo | None = None, drafts: str = "skip") -> RuleSet:
    """Load and validate every pack; raise AuditorError (exit 2) on the first invalid one.

    ``memo`` (the claim cache) remembers packs already validated, by their bytes, so that an
    unchanged pack is neither parsed nor validated again. Unreviewed draft rules
    (``draft: true``, ``reviewed: null``) are left out with one warning per file
    (``drafts="skip"``, what ``check`` does) or refused (``drafts="refuse"``, what
    ``rules validate`` does).
    """
    ruleset = RuleSet(directories=list(directories))
    seen: dict[str, str] = {}
    for directory in directories:
        if not directory.is_dir():
            raise AuditorError(f"{directory}: rules directory not found")
        for path in pack_files(directory):
            pack = load_pack(path, memo)
            unreviewed = [r for r in pack.rules if r.unreviewed_draft]
            if unreviewed:
                first = unreviewed[0]
                if drafts == "refuse":
                    raise AuditorError(
                        f"{first.path}:{first.line}:5: rule '{first.id}' is an unreviewed draft "
                        f"({len(unreviewed)} in this file): compare it with the label, correct it, and set "
                        "'reviewed: YYYY-MM-DD'")
                ruleset.warnings.append(
                    f"{path}: {len(unreviewed)} unreviewed draft rule{'s' if len(unreviewed) > 1 else ''} "
                    "left out (set 'reviewed' once checked against the label)")
                pack.rules = [r for r in pack.rules if not r.unreviewed_draft]
            for rule in pack.rules:
                if rule.id in seen:
                    raise AuditorError(f"{rule.path}:{rule.line}:5: duplicate rule id '{rule.id}' (first defined in {seen[rule.id]})")
                seen[rule.id] = f"{rule.path}:{rule.line}"
            ruleset.packs.append(pack)
            ruleset.rules.extend(pack.rules)
    return ruleset


def load_pack(path: Path, memo: Memo | None = None) -> Pack:
    """Load one pack file."""
    key = memo.key(path) if memo is not None else None
    found = memo.get("pack", key) if memo is not None and key else None
    if found is not None:
        return _build_pack(path, found["data"], found["lines"], None)
    doc = load_yaml(path)
    data = _normalize(doc.data)
    if not isinstance(data, dict):
        raise doc.error((), "a rule pack must be a mapping with 'pack' and 'rules'")
    if not surely_valid(rules_schema(), data):
        import jsonschema

        validator = jsonschema.Draft202012Validator(rules_schema())
        errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
        if errors:
            raise _schema_error(doc, _most_specific(errors))
    lines = [doc.locate(("rules", i))[0] for i in range(len(data["rules"]))]
    pack = _build_pack(path, data, lines, doc)
    if memo is not None and key:
        memo.put("pack", key, {"data": data, "lines": lines})
    return pack


def _build_pack(path: Path, data: dict[str, Any], lines: list[int], doc: YamlDocument | None) -> Pack:
    """A validated pack's rules (``lines``: the line of each rule)."""
    sources = data.get("sources") or {}
    pack_id = data["pack"]
    rules = []
    for i, item in enumerate(data["rules"]):
        line = lines[i]
        source = None
        if item.get("source"):
            src = dict(item["source"])
            ref = src.pop("ref", None)
            if ref is not None:
                if ref not in sources:
                    raise (doc or load_yaml(path)).error(("rules", i, "source", "ref"), f"source.ref '{ref}' is not defined under 'sources'")
                source = {**sources[ref], **src}
            else:
                source = src
        if item.get("reviewed") is None and "reviewed" in item and not item.get("draft"):
            raise (doc or load_yaml(path)).error(("rules", i, "reviewed"), f"rule '{item['id']}': 'reviewed' is empty; only a draft rule (draft: true) may be unreviewed")
        rules.append(
            Rule(
                id=item["id"], type=item["type"], severity=item["severity"], message=item["message"],
                description=" ".join(str(item["description"]).split()), pack=pack_id, path=str(path), line=line,
                select=item.get("select") or {}, when=item.get("when") or {},
                reference=Reference.from_yaml(item["reference"]) if item.get("reference") else None,
                compare=item.get("compare"), tolerance=item.get("tolerance"), phrases=item.get("any") or [],
                suggest=item.get("suggest"), scope=item.get("scope", "across"), group_by=item.get("group_by") or [],
                against=item.get("against"), values=item.get("values", "any"), judges=item.get("judges"), accept_sources_section=bool(item.get("accept_sources_section", False)),
                source=source, reviewed=item.get("reviewed"), example=item.get("example"),
                enabled=item.get("enabled", True), draft=bool(item.get("draft", False)),
            )
        )
    version = data.get("version")
    return Pack(pack_id, str(path), data.get("title"), None if version is None else str(version), data.get("drug"), rules)


def _normalize(data: Any) -> Any:
    """YAML dates load as date objects; the schema speaks of strings."""
    if isinstance(data, dict):
        return {k: _normalize(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_normalize(v) for v in data]
    if isinstance(data, (_dt.date, _dt.datetime)):
        return data.isoformat()[:10]
    return data


def _most_specific(errors: list[jsonschema.ValidationError]) -> jsonschema.ValidationError:
    """The deepest error, descending into anyOf/oneOf/allOf branches."""
    best = errors[-1]
    for error in errors:
        if len(error.absolute_path) > len(best.absolute_path):
            best = error
    while best.context:
        deeper = max(best.context, key=lambda e: len(e.absolute_path))
        if len(deeper.absolute_path) < len(best.absolute_path):
            break
        best = deeper
    return best


def _schema_error(doc: YamlDocument, error: jsonschema.ValidationError) -> AuditorError:
    path = list(error.absolute_path)
    key = ".".join(str(p) for p in path) or "(top level)"
    validator = error.validator
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        name = extra[0] if extra else "?"
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return doc.error((*path, name), f"unknown key '{name}' in {key} (allowed: {allowed})")
    if validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = [k for k in error.validator_value if k not in instance]
        where = f"rule '{instance.get('id')}'" if instance.get("id") else key
        names = ", ".join(f"'{k}'" for k in missing)
        return doc.error(path, f"missing required key{'s' if len(missing) > 1 else ''} {names} in {where}")
    if validator == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return doc.error(path, f"'{key}' is {error.instance!r}; expected one of: {options}")
    if validator == "type":
        return doc.error(path, f"'{key}' must be of type {error.validator_value}, not {type(error.instance).__name__}")
    if validator == "pattern":
        return doc.error(path, f"'{key}' value {error.instance!r} does not match the expected form {error.validator_value}")
    return doc.error(path, f"'{key}': {error.message}")
