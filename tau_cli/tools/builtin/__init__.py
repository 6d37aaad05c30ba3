"""The built-in tools, each over the ``Environment`` only.

Their names and arguments follow what users of other coding agents already know
(``read``, ``write``, ``edit``, ``bash``, ``glob``, ``grep``), and their descriptions
are written like a UI: absolute paths, an example, the edge cases.
"""

from tau_cli.tools.base import Tool
from tau_cli.tools.builtin._base import Arguments, BuiltinTool
from tau_cli.tools.builtin.bash import BashOutputTool, BashTool
from tau_cli.tools.builtin.edit import EditTool
from tau_cli.tools.builtin.glob import GlobTool
from tau_cli.tools.builtin.grep import FILE_TYPES, GrepTool
from tau_cli.tools.builtin.read import ReadTool
from tau_cli.tools.builtin.todo import TodoItem, TodoTool
from tau_cli.tools.builtin.web_fetch import WebFetchTool
from tau_cli.tools.builtin.write import WriteTool, unified_diff


def builtin_tools() -> list[Tool]:
    """A fresh instance of every built-in tool, in the order they are offered."""
    return [
        ReadTool(),
        WriteTool(),
        EditTool(),
        BashTool(),
        BashOutputTool(),
        GlobTool(),
        GrepTool(),
        TodoTool(),
        WebFetchTool(),
    ]


__all__ = [
    "FILE_TYPES",
    "Arguments",
    "BashOutputTool",
    "BashTool",
    "BuiltinTool",
    "EditTool",
    "GlobTool",
    "GrepTool",
    "ReadTool",
    "TodoItem",
    "TodoTool",
    "WebFetchTool",
    "WriteTool",
    "builtin_tools",
    "unified_diff",
]
