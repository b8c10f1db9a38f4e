"""Configuration: ``auditor.yaml`` (or ``.auditor.yaml``), or ``[tool.auditor]`` in pyproject.toml.

The first of these found in the working directory or one of its parents is used; ``--config``
names one explicitly. Paths in it are relative to the file. Errors name file:line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config_search import config_search
from .errors import AuditorError
from .validation import surely_valid
from .yamlio import load_yaml, read_small_text

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "config.schema.json"


@dataclass
class Config:
    """Settings of a run; command-line options override them."""

    path: str | None = None
    rules: list[Path] = field(default_factory=list)
    default_rules: bool = True
    enable: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str = "error"
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    lexicon: list[Path] = field(default_factory=list)
    max_file_size_mb: float = 10.0


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def find_config(start: Path | None = None) -> Path | None:
    """The nearest config file at or above ``start`` (pyproject.toml only with a [tool.auditor] table)."""
    found, _looked = config_search(str(start or Path.cwd()))
    return Path(found) if found else None


def load_config(path: Path | None) -> Config:
    """Read and validate a config file; no file gives the defaults."""
    if path is None:
        return Config()
    if not path.is_file():
        raise AuditorError(f"{path}: config file not found")
    if path.name == "pyproject.toml":
        data, locate = _from_pyproject(path)
    else:
        doc = load_yaml(path)
        data = doc.data or {}
        if not isinstance(data, dict):
            raise doc.error((), "the config must be a mapping")

        def locate(keys):
            return doc.locate(keys)[0]

    schema = config_schema()
    errors = []
    if not surely_valid(schema, data):
        import jsonschema

        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if errors:
        error = min(errors, key=lambda e: len(e.absolute_path))
        keys = list(error.absolute_path)
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            keys = [*keys, extra[0]] if extra else keys
            message = f"unknown key '{extra[0] if extra else '?'}' (allowed: {', '.join(sorted(schema['properties']))})"
        else:
            name = ".".join(str(k) for k in keys) or "(top level)"
            message = f"'{name}': {error.message}"
        raise AuditorError(f"{path}:{locate(keys)}: {message}")
    base = path.parent
    return Config(
        path=str(path),
        rules=[(base / p) for p in data.get("rules", [])],
        default_rules=data.get("default_rules", True),
        enable=list(data.get("enable", [])),
        disable=list(data.get("disable", [])),
        severity=dict(data.get("severity", {})),
        fail_on=data.get("fail_on", "error"),
        include=list(data.get("include", [])),
        exclude=list(data.get("exclude", [])),
        lexicon=[(base / p) for p in data.get("lexicon", [])],
        max_file_size_mb=float(data.get("max_file_size_mb", 10.0)),
    )


def _from_pyproject(path: Path) -> tuple[dict[str, Any], Any]:
    import tomllib

    text = read_small_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise AuditorError(f"{path}:{m.group(1) if m else 1}: invalid TOML: {exc}") from None
    section = data.get("tool", {}).get("auditor", {})
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "[tool.auditor]"), 0)

    def locate(keys: list) -> int:
        if keys:
            pattern = re.compile(rf"^\s*{re.escape(str(keys[0]))}\s*=")
            for i in range(start, len(lines)):
                if pattern.match(lines[i]):
                    return i + 1
        return start + 1

    return section, locate
