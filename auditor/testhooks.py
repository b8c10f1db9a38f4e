"""A pause point for the fault tests: a run that waits where a test can kill it or change files.

With ``AUDITOR_TEST_PAUSE_AFTER=N`` in the environment, a run that has read N files
writes ``auditor: paused after N files`` to stderr and waits until the file named by
``AUDITOR_TEST_RESUME`` exists (at most a minute). Without the variable it does nothing.
"""

from __future__ import annotations

import os
import sys
import time


def pause_point(files: int) -> None:
    """Called after each file read; pauses there when the environment asks (see above)."""
    wanted = os.environ.get("AUDITOR_TEST_PAUSE_AFTER")
    if not wanted or wanted != str(files):
        return
    print(f"auditor: paused after {files} files", file=sys.stderr, flush=True)
    resume = os.environ.get("AUDITOR_TEST_RESUME", "")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (resume and os.path.exists(resume)):
        time.sleep(0.02)
