"""The two kinds of user-facing error.

Errors that stop a run (usage, configuration, rules) raise ``AuditorError`` with exit status
2 and one line naming file:line:column where there is one. Problems with a single input file
are ``InputWarning``s: reported on one line naming the file, after which the run goes on with
the other files; their wording is kept together in ``auditor/ingest/messages.py``.
"""

from __future__ import annotations


class AuditorError(Exception):
    """A usage, configuration or rule error: one line for stderr, exit status 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputWarning(Exception):
    """A problem with one input file; the run goes on without (or with part of) it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
