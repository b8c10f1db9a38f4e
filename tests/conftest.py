"""Shared fixtures: one loaded Auditor per session (loading spaCy and the rules takes a second)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from auditor.config import Config
from auditor.runner import Auditor

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_ARTICLES = SHARED / "articles"
EVAL_TOOL = SHARED / "tools" / "eval_claims.py"


@pytest.fixture(scope="session", autouse=True)
def _claim_cache(tmp_path_factory):
    """CLI runs share one claim cache outside the checkout (so the tests also run warm)."""
    os.environ["AUDITOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("claim-cache"))
    yield
    os.environ.pop("AUDITOR_CACHE_DIR", None)


@pytest.fixture(scope="session")
def auditor() -> Auditor:
    return Auditor(Config())


@pytest.fixture(scope="session")
def nlp(auditor):
    return auditor.nlp


@pytest.fixture(scope="session")
def shared_articles() -> Path:
    if not SHARED_ARTICLES.is_dir():
        pytest.skip("../shared/articles is not beside this checkout")
    return SHARED_ARTICLES


@pytest.fixture(scope="session")
def eval_claims():
    """The team's scorer (../shared/tools/eval_claims.py), imported as a module."""
    if not EVAL_TOOL.is_file():
        pytest.skip("../shared/tools/eval_claims.py is not beside this checkout")
    spec = importlib.util.spec_from_file_location("eval_claims", EVAL_TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
