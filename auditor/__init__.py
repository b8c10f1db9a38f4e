"""auditor: a claim-audit linter for health content."""

__version__ = "0.1.0"
