"""spaCy imported without its command line (auditor/spacy_import.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from auditor.spacy_import import CLI_LINE, cli_for_info_only

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, path: Path | None = None) -> str:
    """Run ``code`` in a fresh interpreter (with ``path`` first on sys.path); its stdout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (path, ROOT) if p)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_installed_spacy_is_imported_without_its_command_line():
    out = _python("""
        import sys
        import auditor.pipeline
        import spacy
        print(sorted(m for m in ("spacy.cli", "spacy.cli.info", "typer", "weasel", "requests") if m in sys.modules))
        print(spacy.info.__module__, type(spacy.__loader__).__name__, hasattr(spacy, "cli"))
        import spacy.cli.info
        print(sys.modules["spacy.cli.info"].__file__.endswith("info.py"), "typer" in sys.modules)
    """)
    assert out.splitlines() == ["[]", "auditor.spacy_import SourceFileLoader False", "True True"]


def test_the_pipeline_built_this_way_extracts_claims():
    out = _python("""
        from auditor.pipeline import build_pipeline
        from tests.helpers import claims_of
        nlp = build_pipeline()
        print([(c.attribute, c.value.high) for c in claims_of(nlp, "Clonazepam: the maximum dose is 4 mg per day.")])
    """)
    assert out == "[('dose.max', 4.0)]"


def _fake_spacy(tmp_path: Path, init: str) -> Path:
    package = tmp_path / "spacy"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text(init, encoding="utf-8")
    (package / "cli" / "__init__.py").write_text("import marker\nmarker.seen.append('cli')\n", encoding="utf-8")
    (package / "cli" / "info.py").write_text("def info():\n    return 'the real info'\n", encoding="utf-8")
    (tmp_path / "marker.py").write_text("seen = []\n", encoding="utf-8")
    return tmp_path


def test_a_spacy_naming_its_command_line_on_that_line_only_gets_the_stand_ins(tmp_path):
    path = _fake_spacy(tmp_path, f"{CLI_LINE}\nblank = 'built'\n")
    out = _python("""
        import auditor, marker, spacy
        print(marker.seen, spacy.blank, spacy.info.__module__)
        print(spacy.info(), marker.seen)
    """, path)
    assert out.splitlines() == ["[] built auditor.spacy_import", "the real info ['cli']"]


def test_any_other_spacy_is_imported_as_it_is(tmp_path):
    path = _fake_spacy(tmp_path, f"{CLI_LINE}\nfrom .cli import info as other\n")
    out = _python("""
        import auditor, marker, spacy
        print(marker.seen, spacy.info.__module__)
    """, path)
    assert out == "['cli'] spacy.cli.info"


def test_cli_for_info_only_reads_the_source():
    assert cli_for_info_only(f"import sys\n{CLI_LINE}\nfrom .errors import Errors\n")
    assert cli_for_info_only(f"    {CLI_LINE}   \n")
    assert not cli_for_info_only("import sys\n")
    assert not cli_for_info_only(f"{CLI_LINE}\nfrom .cli import app\n")
    assert not cli_for_info_only("from .cli.info import info\n")
