"""The fast schema check agrees with jsonschema: it accepts every bundled pack and the default
config, and passes anything invalid on to jsonschema (whose errors users see)."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from auditor.config import config_schema
from auditor.engine.loader import _normalize, pack_files, rules_schema
from auditor.paths import bundled_rules_dir
from auditor.validation import surely_valid
from auditor.yamlio import load_yaml

pytest.importorskip("jsonschema_rs")

PACKS = pack_files(bundled_rules_dir())


@pytest.mark.parametrize("path", PACKS, ids=[p.stem for p in PACKS])
def test_every_bundled_pack_is_surely_valid(path):
    data = _normalize(load_yaml(path).data)
    assert surely_valid(rules_schema(), data)
    assert not list(jsonschema.Draft202012Validator(rules_schema()).iter_errors(data))


def _broken(data: dict) -> list[dict]:
    rule = data["rules"][0]
    out = []
    for change in (
        lambda r: r.update(severity="fatal"),
        lambda r: r.update(unknown_key=1),
        lambda r: r.pop("id"),
        lambda r: r.update(id="Not An Id"),
        lambda r: r.update(type=3),
        lambda r: r.update(reviewed="yesterday"),
    ):
        bad = copy.deepcopy(data)
        change(bad["rules"][0])
        out.append(bad)
    assert rule == data["rules"][0]
    return out


def test_an_invalid_pack_is_left_to_jsonschema():
    data = _normalize(load_yaml(PACKS[0]).data)
    validator = jsonschema.Draft202012Validator(rules_schema())
    for bad in _broken(data):
        assert not surely_valid(rules_schema(), bad)
        assert list(validator.iter_errors(bad))


def test_config_values_are_checked_the_same_way():
    schema = config_schema()
    assert surely_valid(schema, {"fail_on": "warning", "disable": ["general.*"]})
    assert not surely_valid(schema, {"fail_on": "sometimes"})
    assert not surely_valid(schema, {"no_such_key": 1})
    assert not surely_valid(schema, {"fail_on": object()})  # not JSON at all: jsonschema decides
