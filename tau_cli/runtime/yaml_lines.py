"""Where each key of a YAML document is, so errors can name the line a user must fix.

Settings files and workflow files both report problems as ``file:line: key``; both
read their documents' node trees through here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tau_cli.core import ConfigError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it: several times faster."""

KeyPath = tuple[str | int, ...]
"""A key's place in a document: ``("nodes", "writer", "edges", 0)``."""


def read_yaml(path: Path, what: str) -> tuple[Any, dict[KeyPath, int]]:
    """``path``'s document and the line of each key; unreadable text or bad YAML is one
    ``ConfigError`` naming the file and line. ``what`` names the file for messages
    ("settings", "the workflow")."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} must be UTF-8 text", path=str(path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", path=str(path)) from exc
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"this is not valid YAML: {problem}", path=str(path), line=line) from exc
    return data, key_lines(node)


def key_lines(node: yaml.Node | None) -> dict[KeyPath, int]:
    """The 1-based line of every mapping key and sequence item under ``node``."""
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _collect(node, (), lines)
    return lines


def line_for(lines: dict[KeyPath, int], key: KeyPath) -> int | None:
    """The line of ``key``, or of its nearest parent that has one."""
    for end in range(len(key), 0, -1):
        if key[:end] in lines:
            return lines[key[:end]]
    return None


def _collect(node: yaml.Node, prefix: KeyPath, out: dict[KeyPath, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            out[key] = key_node.start_mark.line + 1
            _collect(value_node, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*prefix, i)
            out[key] = item.start_mark.line + 1
            _collect(item, key, out)
