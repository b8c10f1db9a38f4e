"""Importing spaCy without its command line.

``import spacy`` runs ``from .cli.info import info`` only to offer ``spacy.info()``; that one
line imports spaCy's whole command line (typer, weasel, requests, httpx and the project
commands): about 360 modules and 0.3 s of CPU, a quarter of the import, in every run that
parses, in the parent and in every spawned worker. auditor never uses spaCy's command line.
spaCy's own maintainers made ``spacy.info`` load the command line lazily
(explosion/spaCy#12962); the releases installed here still import it eagerly.

``SpacyWithoutCli`` (installed by ``install``, from ``auditor/__init__.py``) does the same from
outside: while spaCy's ``__init__`` runs, ``spacy.cli`` and ``spacy.cli.info`` are stand-ins,
and ``spacy.info`` is a function that imports the real one when called. When spaCy's import
ends, the stand-ins are removed, so a later ``import spacy.cli`` gets the real package. It
applies only when ``spacy/__init__.py`` names the command line on that one line (``cli_for_info_only``);
any other spaCy is imported as it is.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType

CLI_LINE = "from .cli.info import info  # noqa: F401"
STAND_INS = ("spacy.cli", "spacy.cli.info")


def cli_for_info_only(source: str) -> bool:
    """True when the only mention of ``cli`` in spaCy's ``__init__`` source is ``CLI_LINE``."""
    lines = [line.strip() for line in source.splitlines() if "cli" in line]
    return lines == [CLI_LINE]


def info(*args, **kwargs):
    """``spacy.info``: spaCy's own, imported when first called."""
    from spacy.cli.info import info as real

    return real(*args, **kwargs)


class _StandIns:
    """Loader of the stand-in ``spacy.cli`` package and its ``info`` module."""

    def create_module(self, spec: ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        if module.__name__ == "spacy.cli":
            module.__path__ = []
        else:
            module.info = info


class _SpacyLoader:
    """spaCy's own loader, with the stand-ins offered while it runs and removed after."""

    def __init__(self, real, finder: SpacyWithoutCli) -> None:
        self.real = real
        self.finder = finder

    def __getattr__(self, name: str):
        return getattr(self.real, name)

    def create_module(self, spec: ModuleSpec):
        return self.real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.finder.loading = True
        try:
            self.real.exec_module(module)
        finally:
            self.finder.loading = False
            for name in STAND_INS:
                stand_in = sys.modules.get(name)
                if stand_in is not None and isinstance(getattr(stand_in, "__loader__", None), _StandIns):
                    del sys.modules[name]
            if isinstance(getattr(module.__dict__.get("cli"), "__loader__", None), _StandIns):
                del module.cli
            module.__loader__ = self.real
            if module.__spec__ is not None:
                module.__spec__.loader = self.real


class SpacyWithoutCli:
    """A meta path finder: spaCy's package with stand-ins for its command line (module docstring)."""

    def __init__(self) -> None:
        self.loading = False
        self.stand_ins = _StandIns()

    def find_spec(self, name: str, path=None, target=None) -> ModuleSpec | None:
        if self.loading:
            if name in STAND_INS:
                return ModuleSpec(name, self.stand_ins, is_package=name == "spacy.cli")
            return None
        if name != "spacy":
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not spec.origin:
            return None
        try:
            with open(spec.origin, encoding="utf-8") as f:
                source = f.read()
        except (OSError, UnicodeDecodeError):
            return None
        if not cli_for_info_only(source):
            return None
        spec.loader = _SpacyLoader(spec.loader, self)
        return spec


def install() -> None:
    """Put ``SpacyWithoutCli`` first on ``sys.meta_path`` (once), unless spaCy is imported already."""
    if "spacy" in sys.modules or any(isinstance(f, SpacyWithoutCli) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, SpacyWithoutCli())
