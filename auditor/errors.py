"""The one catalog of user-facing errors and warnings.

Every message a user can see is built here, so wording stays consistent and tests can
match on it. Errors that stop a run (usage, configuration, rules) raise ``AuditorError``
with exit status 2; problems with a single input file are ``InputWarning``s: reported on
one line naming the file, after which the run goes on with the other files.
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
