"""Where each key of a YAML document is, so errors can name the line a user must fix.

Settings files and workflow files both report problems as ``file:line: key``; both
read their documents' node trees through here.
"""

from __future__ import annotations

import yaml

KeyPath = tuple[str | int, ...]
"""A key's place in a document: ``("nodes", "writer", "edges", 0)``."""


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
