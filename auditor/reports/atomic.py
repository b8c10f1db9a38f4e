"""Writing a report file so that readers never see half of it (``auditor.atomic``)."""

from auditor.atomic import AtomicFile, write_atomic

__all__ = ["AtomicFile", "write_atomic"]
