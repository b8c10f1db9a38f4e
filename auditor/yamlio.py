"""YAML reading with positions: every error names file:line:column.

``load_yaml`` uses ``yaml.safe_load`` semantics (safe constructors only) on a composed node
tree, parsed once (with libyaml when PyYAML has it), so that duplicate keys are caught and any key path of the result can be mapped back to
the line and column where it is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import AuditorError

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


def parse_yaml(text: str, path: str) -> YamlDocument:
    """Parse YAML text; raise AuditorError naming path:line:column on any syntax problem."""
    import yaml

    # libyaml's parser when PyYAML was built with it (the same safe constructors, several times faster)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        _check_duplicates(path, root)
        data = None if root is None else loader.construct_document(root)
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


def load_yaml(path: str | Path) -> YamlDocument:
    """Read and parse a YAML file (see :func:`parse_yaml`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise AuditorError(f"{path}: cannot read: {reason}") from None
    return parse_yaml(text, str(path))
