"""Where the config file is (the first found in the working directory or one of its parents),
and so where the claim cache is by default.

Kept apart from ``config.py`` (which validates what it reads) and ``cache.py`` so that
``rerun.py`` can tell where a run's cache is without importing anything else.
"""

from __future__ import annotations

import os

CONFIG_NAMES = ("auditor.yaml", ".auditor.yaml", "auditor.yml")
CACHE_DIRNAME = ".auditor-cache"


def default_cache_dir(config_path: str | None) -> str:
    """``.auditor-cache`` beside the config file, or in the working directory."""
    folder = os.path.dirname(os.path.realpath(config_path)) if config_path else os.getcwd()
    return os.path.join(folder, CACHE_DIRNAME)


def config_search(start: str) -> tuple[str | None, list[str]]:
    """The config file found at or above ``start`` (``config.find_config``), and every path looked at."""
    looked: list[str] = []
    folder = os.path.realpath(start)
    while True:
        for name in CONFIG_NAMES:
            path = os.path.join(folder, name)
            looked.append(path)
            if os.path.isfile(path):
                return path, looked
        pyproject = os.path.join(folder, "pyproject.toml")
        looked.append(pyproject)
        if os.path.isfile(pyproject):
            try:
                with open(pyproject, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                text = ""
            if any(line.startswith("[tool.auditor]") for line in text.split("\n")):
                return pyproject, looked
        parent = os.path.dirname(folder)
        if parent == folder:
            return None, looked
        folder = parent
