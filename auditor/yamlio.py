"""YAML reading with positions: every error names file:line:column.

``load_yaml`` uses ``yaml.safe_load`` semantics (safe constructors only) on a composed node
tree, parsed once (with libyaml when PyYAML has it), so that duplicate keys are caught and any
key path of the result can be mapped back to the line and column where it is written. Rules
and config are data: no tag constructs an object or runs code, and YAML has no include
directive (nor does auditor add one), so a rule file cannot read other files. A file over
``MAX_BYTES``, an alias bomb (aliases expanding to more than ``MAX_NODES`` values), a recursive
alias or nesting too deep for the parser is refused with one line naming the file (exit 2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import AuditorError

MAX_BYTES = 5 * 1024 * 1024  # a rules, lexicon or config file; the bundled ones are under 100 KB
MAX_NODES = 100_000  # values in one YAML file once its aliases are expanded

if TYPE_CHECKING:  # PyYAML loads when a file is parsed (a run that remembers every file need not)
    import yaml


class Memo(Protocol):
    """Remembers what was read from a YAML file, by the file's bytes (the claim cache is one)."""

    def key(self, path: str | Path) -> str | None:
        """The key of the file's current bytes (None: unreadable, not remembered)."""

    def get(self, kind: str, key: str) -> Any:
        """What was stored for ``key``, or None."""

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a JSON-serializable ``value`` (values that do not survive JSON are not stored)."""


@dataclass
class YamlDocument:
    """Parsed YAML data with the node tree it came from."""

    path: str
    data: Any
    root: yaml.Node | None

    def locate(self, keys: tuple | list) -> tuple[int, int]:
        """1-based (line, column) of the value at ``keys`` (dict keys / list indices).

        For a missing key, the position of the closest existing parent.
        """
        import yaml

        if self.root is None and self.data is not None:
            self.root = load_yaml(self.path).root  # remembered data: parse again only to point at an error
        node = self.root
        line, col = (1, 1) if node is None else (node.start_mark.line + 1, node.start_mark.column + 1)
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for k, v in node.value:
                    if k.value == str(key):
                        line, col = k.start_mark.line + 1, k.start_mark.column + 1
                        nxt = v
                        break
                if nxt is None:
                    break
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line, col = node.start_mark.line + 1, node.start_mark.column + 1
            else:
                break
        return line, col

    def error(self, keys: tuple | list, message: str) -> AuditorError:
        line, col = self.locate(keys)
        return AuditorError(f"{self.path}:{line}:{col}: {message}")


def _check_duplicates(path: str, node: yaml.Node | None) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                if k.value in seen:
                    raise AuditorError(
                        f"{path}:{k.start_mark.line + 1}:{k.start_mark.column + 1}: duplicate key '{k.value}'"
                    )
                seen[k.value] = k
            _check_duplicates(path, v)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicates(path, item)


def _check_size(path: str, node: yaml.Node | None) -> None:
    """Refuse a node tree that aliases expand beyond ``MAX_NODES`` nodes, or that contains itself."""
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            mark = n.start_mark
            raise AuditorError(f"{path}:{mark.line + 1}:{mark.column + 1}: a YAML alias refers to a node that "
                               "contains it (a recursive structure); refused")
        open_nodes.add(key)
        total = 1
        if isinstance(n, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total += sum(size(item) for item in n.value)
        if total > MAX_NODES:
            raise AuditorError(f"{path}:1:1: YAML aliases expand to more than {MAX_NODES:,} values "
                               "(an alias bomb?); refused")
        open_nodes.discard(key)
        sizes[key] = total
        return total

    if node is not None:
        size(node)


def parse_yaml(text: str, path: str) -> YamlDocument:
    """Parse YAML text; raise AuditorError naming path:line:column on any syntax problem.

    Aliases are allowed as long as the data they expand to stays small (``MAX_NODES``): a
    "billion laughs" file is refused before anything walks it.
    """
    import yaml

    # libyaml's parser when PyYAML was built with it (the same safe constructors, several times
    # faster); on an error the pure-Python parser parses again, because it words the problem
    # (it names the offending character).
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _parse_with(fast, text, path)
        except AuditorError:
            pass
    return _parse_with(yaml.SafeLoader, text, path)


def _parse_with(loader_class: Any, text: str, path: str) -> YamlDocument:
    import yaml

    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        _check_size(path, root)
        _check_duplicates(path, root)
        data = None if root is None else loader.construct_document(root)
    except RecursionError:
        raise AuditorError(f"{path}:1:1: YAML nested too deeply; refused") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        problem = exc.problem or exc.context or "invalid YAML"
        raise AuditorError(f"{path}:{where}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise AuditorError(f"{path}:1:1: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return YamlDocument(path, data, root)


def read_small_text(path: str | Path) -> str:
    """The UTF-8 text of a rules, lexicon or config file; AuditorError if it is unreadable or
    larger than ``MAX_BYTES`` (checked before reading)."""
    from .ingest.messages import human_size

    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise AuditorError(f"{path}: {human_size(size)} is larger than the {human_size(MAX_BYTES)} "
                               "a rules or config file may be; refused")
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:  # a file that grew, or a device
            raise AuditorError(f"{path}: larger than the {human_size(MAX_BYTES)} a rules or config file may be; refused")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise AuditorError(f"{path}: cannot read: {reason}") from None


def load_yaml(path: str | Path) -> YamlDocument:
    """Read and parse a YAML file (see :func:`read_small_text` and :func:`parse_yaml`)."""
    return parse_yaml(read_small_text(path), str(path))
