"""The ``auditor`` command: a remembered run answers at once (``rerun.py``), any other goes to ``cli.main``."""

from __future__ import annotations

import sys


def main() -> None:
    from . import rerun

    argv = sys.argv[1:]
    try:
        rerun.replay(argv)  # exits when this very run is remembered and nothing it read has changed
    except KeyboardInterrupt:
        sys.stderr.write("auditor: error: interrupted\n")
        sys.exit(130)
    rerun.start(argv)
    from .cli import main as cli_main

    cli_main()
