"""JSON Schema checks of rule packs and config: a fast yes/no first, the precise errors after.

Most files are valid, and a run reads every rule pack. jsonschema-rs (compiled) says whether a
file is valid in well under a millisecond and imports in a fraction of the time jsonschema
takes; only a file it does not accept goes through jsonschema, whose errors (with their paths)
are what users see, and whose verdict is the one that counts. Without jsonschema-rs every file
goes through jsonschema.
"""

from __future__ import annotations

from typing import Any

_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}  # id(schema) -> (schema, validator): the entry keeps the schema alive


def surely_valid(schema: dict[str, Any], data: Any) -> bool:
    """True when ``data`` is valid against the Draft 2020-12 ``schema``; False when it may not
    be (or the fast validator is not installed): then ask jsonschema."""
    entry = _VALIDATORS.get(id(schema))
    if entry is None or entry[0] is not schema:
        try:
            import jsonschema_rs

            validator = jsonschema_rs.Draft202012Validator(schema)
        except Exception:  # not installed, or a schema it cannot compile: jsonschema decides
            validator = None
        entry = _VALIDATORS[id(schema)] = (schema, validator)
    if entry[1] is None:
        return False
    try:
        return bool(entry[1].is_valid(data))
    except Exception:  # data it cannot take (a value JSON has no type for): jsonschema decides
        return False
