"""What the language server knows about the workspace: one unit per document, keyed by path.

An open document's unit comes from its buffer (the unsaved text counts, read with the file's
path and suffix); every other file of the workspace folders is read once (through
``Auditor.results_of``, so from the claim cache where there is one) and again only when its
modification time changes. Only buffers keep their Document; other files keep their results.

Each document is audited with the configuration found above it (``auditor.yaml`` and the
like, as ``auditor check`` finds it); an ``Auditor`` (rules, lexicon, spaCy pipeline) is built
once per configuration file and kept. Findings are computed per configuration: the documents
that share one are checked against each other.

Not thread-safe: the server calls it from one worker thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..cache import DIRNAME, default_cache_dir
from ..claims import Claim
from ..config import find_config, load_config
from ..errors import AuditorError
from ..findings import Finding
from ..ingest import READERS, discover, reader
from ..ingest.files import format_for
from ..runner import Auditor
from .analysis import DocumentUnit, finish, from_buffer, from_file

Warn = Callable[[str], None]  # one line about a file or config

# LSP language ids, for buffers whose name has no suffix auditor reads (an unsaved new file).
LANGUAGE_FORMATS = {"markdown": "markdown", "html": "html", "plaintext": "text"}


@dataclass
class _DiskEntry:
    mtime_ns: int
    unit: DocumentUnit | None  # None: the file could not be read (reported once)


class AuditState:
    """Units of open buffers and workspace files, the auditors that made them, their findings."""

    def __init__(self, warn: Warn, error: Warn, cache: bool = True, cache_dir: str | None = None) -> None:
        self.warn = warn  # a file that cannot be read: logged
        self.error = error  # a bad config: shown to the writer
        self.cache = cache  # saved files' results in the claim cache (``auditor.cache``)
        self.cache_dir = cache_dir  # None: beside the config file, else in the first workspace folder
        self.roots: list[str] = []
        self._auditors: dict[str | None, Auditor] = {}
        self._config_errors: dict[str | None, str] = {}
        self._config_of: dict[str, str | None] = {}  # directory -> config file
        self._buffers: dict[str, DocumentUnit] = {}
        self._disk: dict[str, _DiskEntry] = {}
        self.findings: dict[str, list[Finding]] = {}  # path -> findings, after the last ``check``
        self._reads = 0  # saved files read (from the cache or parsed), for the log

    # -- configuration ---------------------------------------------------------------
    def config_path(self, path: str) -> str | None:
        """The config file that applies to ``path`` (searched upward from its folder)."""
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._config_of:
            found = find_config(Path(folder))
            self._config_of[folder] = str(found) if found else None
        return self._config_of[folder]

    def auditor_for(self, path: str) -> Auditor | None:
        """The auditor for ``path``, built on first use; None (and one message) for a bad config."""
        key = self.config_path(path)
        if key in self._auditors:
            return self._auditors[key]
        if key in self._config_errors:
            return None
        try:
            auditor = Auditor(load_config(Path(key) if key else None))
            if self.cache:
                auditor.use_cache(self._cache_dir(key), self.warn)
        except AuditorError as exc:
            self._config_errors[key] = exc.message
            self.error(exc.message)
            return None
        self._auditors[key] = auditor
        return auditor

    def _cache_dir(self, config_path: str | None) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir)
        if config_path is None and self.roots:
            return Path(self.roots[0]) / DIRNAME
        return default_cache_dir(config_path)

    def forget_config(self, config_path: str) -> None:
        """A config file was saved: documents under it are audited again with what it says now.

        Its auditor (rules, lexicon, pipeline) is built again on next use; the others are kept.
        Which config applies to which folder is looked up again (the file may be new).
        """
        self._config_of.clear()
        self._config_errors.clear()
        dropped = self._auditors.pop(config_path, None)
        if dropped is not None:
            dropped.use_cache(None, self.warn)
        for path in list(self._disk):
            if self.config_path(path) == config_path:
                del self._disk[path]
        for path, unit in list(self._buffers.items()):
            if self.config_path(path) == config_path and unit.document is not None:
                self.set_buffer(path, unit.document.source, unit.document.format)

    # -- documents -------------------------------------------------------------------
    def set_buffer(self, path: str, text: str, language_id: str | None = None) -> None:
        """Audit the text of an open document (its unsaved content counts)."""
        fmt = format_for(path) or LANGUAGE_FORMATS.get(language_id or "") or (
            language_id if language_id in READERS else None)  # a Document's own format name
        auditor = self.auditor_for(path)
        if fmt is None or auditor is None or not text.strip():
            self._buffers.pop(path, None)
            return
        limit = int(auditor.config.max_file_size_mb * 1024 * 1024)
        if len(text.encode("utf-8", "surrogatepass")) > limit:
            self.warn(f"{path}: larger than the {auditor.config.max_file_size_mb:g} MB limit; not audited")
            self._buffers.pop(path, None)
            return
        document = reader(fmt)(path, text, [])
        self._buffers[path] = from_buffer(auditor, document)

    def close_buffer(self, path: str) -> None:
        """Forget a closed document's buffer; the saved file counts again if it is in the workspace."""
        self._buffers.pop(path, None)
        self.file_changed(path)

    def in_workspace(self, path: str) -> bool:
        """A file auditor reads under one of the workspace folders (not hidden)."""
        if format_for(path) is None:
            return False
        for root in self.roots:
            rel = os.path.relpath(path, root)
            if not rel.startswith(os.pardir) and not any(p.startswith(".") for p in Path(rel).parts):
                return True
        return False

    def file_changed(self, path: str) -> None:
        """A saved file was created, changed or deleted: read it again (or forget it)."""
        if path in self._buffers:
            return
        self._disk.pop(path, None)
        if os.path.isfile(path) and self.in_workspace(path):
            self._from_disk(path)

    def is_open(self, path: str) -> bool:
        return path in self._buffers

    def unit(self, path: str) -> DocumentUnit | None:
        """The buffer's unit for an open document, else the file's (read now if need be)."""
        if path in self._buffers:
            return self._buffers[path]
        return self._from_disk(path)

    def _from_disk(self, path: str) -> DocumentUnit | None:
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            self._disk.pop(path, None)
            return None
        entry = self._disk.get(path)
        if entry is not None and entry.mtime_ns == mtime:
            return entry.unit
        auditor = self.auditor_for(path)
        self._reads += 1
        unit = from_file(auditor, path, self.warn) if auditor is not None else None
        self._disk[path] = _DiskEntry(mtime, unit)
        return unit

    def workspace_files(self) -> list[str]:
        """Every file auditor reads under the workspace folders (the root config's include/exclude)."""
        files: list[str] = []
        for root in self.roots:
            if not os.path.isdir(root):
                continue
            auditor = self.auditor_for(os.path.join(root, "_"))
            config = auditor.config if auditor else None
            found, _ = discover([root], config.include if config else [], config.exclude if config else [])
            files.extend(os.path.abspath(f) for f in found)
        return list(dict.fromkeys(files))

    def scan(self) -> str:
        """Read the workspace files that are new or changed on disk; forget deleted ones.

        The pipeline of each workspace folder's config is built here too, before the first edit.
        Returns one line for the log: how many files, how many of those read now came from the cache.
        """
        before, reads = self._cache_hits(), self._reads
        for root in self.roots:
            auditor = self.auditor_for(os.path.join(root, "_"))
            if auditor is not None:
                auditor.phrases  # noqa: B018 (builds the pipeline and the phrase matchers)
        files = self.workspace_files()
        for path in files:
            if path not in self._buffers:
                self._from_disk(path)
        keep = set(files)
        for path in list(self._disk):
            if path not in keep:
                del self._disk[path]
        read, hits = self._reads - reads, self._cache_hits() - before
        how = f"{hits} from the claim cache, {read - hits} parsed" if self.cache else "claim cache off"
        return f"auditor: {len(files)} workspace files; read now: {read} ({how})"

    def _cache_hits(self) -> int:
        return sum(a.cache.hits for a in self._auditors.values() if a.cache is not None)

    # -- checking --------------------------------------------------------------------
    def check(self) -> dict[str, list[Finding]]:
        """Findings of every known document (buffers and workspace files), by path."""
        groups: dict[str | None, list[DocumentUnit]] = {}
        paths = list(dict.fromkeys([*self._disk, *self._buffers]))
        for path in paths:
            unit = self.unit(path)
            if unit is not None:
                groups.setdefault(self.config_path(path), []).append(unit)
        out: dict[str, list[Finding]] = {path: [] for path in paths}
        for key, units in groups.items():
            auditor = self._auditors.get(key)
            if auditor is None:
                continue
            for finding in finish(auditor, units):
                out.setdefault(finding.path, []).append(finding)
        self.findings = out
        return out

    def claim_at(self, path: str, line: int, column: int) -> tuple[Claim, Auditor] | None:
        """The claim whose value spans the 1-based ``line``/``column`` (code points), with its auditor."""
        unit = self.unit(path)
        auditor = self._auditors.get(self.config_path(path))
        if unit is None or auditor is None:
            return None
        for claim in unit.result.claims:
            loc = claim.location
            if (loc["line"], loc["column"]) <= (line, column) <= (loc["end_line"], loc["end_column"]):
                return claim, auditor
        return None

    def source_of(self, path: str) -> str | None:
        """An open document's text (None for other files: they are read from disk when needed)."""
        unit = self._buffers.get(path)
        return unit.document.source if unit and unit.document else None
