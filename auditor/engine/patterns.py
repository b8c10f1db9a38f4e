"""Regular expressions in rule token patterns run on RE2, in time linear in the text.

A ``require``/``forbid`` rule may match tokens with spaCy's ``REGEX`` operator
(``{"LOWER": {"REGEX": "^benzo"}}``). spaCy would run it with Python's ``re``, which
backtracks: ``(a+)+$`` against a long token takes longer than any CI job lasts. ``re2_pattern``
rewrites each such predicate into a token extension that runs the expression with RE2
(google-re2), which never backtracks. An expression RE2 does not accept (backreferences,
lookaround) is a rule error naming the rule, exit status 2.

``check_patterns`` checks every token pattern when rules are loaded: an attribute only a
trained pipeline sets (LEMMA, POS, ...) or an expression RE2 refuses is exit status 2 at once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from ..errors import AuditorError
from .model import Rule

# Pattern keys whose value is a token string, and the Token attribute holding it.
STRING_ATTRS = {"ORTH": "text", "TEXT": "text", "LOWER": "lower_", "NORM": "norm_", "SHAPE": "shape_",
                "PREFIX": "prefix_", "SUFFIX": "suffix_"}
MAX_PATTERN_CHARS = 1_000



# Token attributes a blank pipeline sets; others (LEMMA, POS, DEP, ENT_TYPE...) need trained components.
PATTERN_KEYS = {
    "ORTH", "TEXT", "LOWER", "NORM", "LENGTH", "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER",
    "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_CURRENCY", "LIKE_NUM",
    "LIKE_URL", "LIKE_EMAIL", "SHAPE", "PREFIX", "SUFFIX", "OP", "IS_SENT_START",
}


def check_patterns(rules: list[Rule]) -> None:
    """Raise AuditorError for a token pattern of a require/forbid rule that names an unknown attribute
    or holds a REGEX that RE2 cannot run."""
    for rule in rules:
        if rule.type in ("require", "forbid"):
            for p in rule.phrases:
                if "pattern" in p:
                    check_pattern(rule, p["pattern"])
                    check_regexes(rule, p["pattern"])


def check_pattern(rule: Rule, pattern: list[dict]) -> None:
    """Raise AuditorError for a token attribute of ``pattern`` that a blank pipeline does not set."""
    for token in pattern:
        for key in token:
            if key.upper() not in PATTERN_KEYS:
                raise AuditorError(
                    f"{rule.path}:{rule.line}:5: rule '{rule.id}': token attribute '{key}' needs a trained pipeline; "
                    f"use one of {', '.join(sorted(PATTERN_KEYS - {'OP'}))}"
                )


@lru_cache(maxsize=1)
def _re2() -> tuple[Any, Any]:
    """google-re2 and its options, imported when a rule has a REGEX (most runs have none)."""
    import re2

    options = re2.Options()
    options.log_errors = False  # errors become AuditorErrors, not log lines on stderr
    return re2, options


def re2_pattern(rule: Rule, pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``pattern`` with every ``REGEX`` predicate replaced by an RE2 token extension."""
    out = []
    for token in pattern:
        token = dict(token)
        extensions = {}
        for key in list(token):
            value = token[key]
            if not (isinstance(value, dict) and "REGEX" in value):
                continue
            attr = STRING_ATTRS.get(key.upper())
            if attr is None:
                raise AuditorError(f"{rule.path}:{rule.line}:5: rule '{rule.id}': REGEX works on "
                                   f"{', '.join(STRING_ATTRS)}, not on {key}")
            extensions[_extension(rule, attr, value["REGEX"])] = True
            rest = {k: v for k, v in value.items() if k != "REGEX"}
            if rest:
                token[key] = rest
            else:
                del token[key]
        if extensions:
            token["_"] = {**token.get("_", {}), **extensions}
        out.append(token)
    return out


def check_regexes(rule: Rule, pattern: list[dict[str, Any]]) -> None:
    """Raise AuditorError for a REGEX in ``pattern`` that RE2 cannot run (without building anything)."""
    for token in pattern:
        for value in token.values():
            if isinstance(value, dict) and "REGEX" in value:
                _compile(rule, value["REGEX"])


def _extension(rule: Rule, attr: str, expression: Any) -> str:
    """The name of a Token extension that is True where ``expression`` matches ``attr`` (made once)."""
    from spacy.tokens import Token

    compiled = _compile(rule, expression)
    name = "auditor_re_" + hashlib.sha1(f"{attr}\0{expression}".encode()).hexdigest()[:16]
    if not Token.has_extension(name):
        Token.set_extension(name, getter=lambda token: compiled.search(getattr(token, attr)) is not None)
    return name


def _compile(rule: Rule, expression: Any) -> Any:
    where = f"{rule.path}:{rule.line}:5: rule '{rule.id}'"
    if not isinstance(expression, str):
        raise AuditorError(f"{where}: REGEX must be a string")
    if len(expression) > MAX_PATTERN_CHARS:
        raise AuditorError(f"{where}: a REGEX of {len(expression)} characters is longer than the {MAX_PATTERN_CHARS} allowed")
    re2, options = _re2()
    try:
        compiled = re2.compile(expression, options=options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise AuditorError(f"{where}: REGEX {expression!r} is not a regular expression RE2 runs ({reason}); "
                           "backreferences and lookaround are not supported") from None
    return compiled
