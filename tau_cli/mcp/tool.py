"""An MCP server's tool as a tau tool: ``mcp__<server>__<tool>`` with its schema passed through.

``McpTool`` carries what tau's tool protocol needs — a name, a core ``ToolDefinition``, a
read-only flag — and an async ``call``; wrapping it into the registry's protocol is one
line. The read-only flag comes from the tool's ``readOnlyHint`` annotation, which the
server asserts; permission rules still apply to MCP tools like to built-ins.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from tau_cli.core import ToolDefinition, ToolResult

if TYPE_CHECKING:
    from mcp import types

    from tau_cli.mcp._connection import ProgressCallback

_INVALID = re.compile(r"[^A-Za-z0-9_-]")
_MAX_NAME = 64


class _Caller(Protocol):
    async def call_tool(
        self,
        server: str,
        tool: str,
        arguments: Mapping[str, Any],
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ToolResult: ...


def tau_tool_name(server: str, tool: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """``mcp__<server>__<tool>``, made valid for every provider and unique among ``taken``.

    Characters providers refuse become ``_``; a name too long, or one that collides
    after that, is shortened and given a digest of the original so it stays stable.
    """
    name = _INVALID.sub("_", f"mcp__{server}__{tool}")
    if len(name) <= _MAX_NAME and name not in taken:
        return name
    digest = hashlib.sha256(f"{server}\0{tool}".encode()).hexdigest()[:8]
    return f"{name[: _MAX_NAME - 9]}_{digest}"


class McpTool:
    """One MCP tool, callable through the manager that owns its server's connection."""

    def __init__(
        self,
        caller: _Caller,
        *,
        server: str,
        mcp_name: str,
        definition: ToolDefinition,
        read_only: bool,
        title: str | None = None,
    ) -> None:
        self._caller = caller
        self.server = server
        self.mcp_name = mcp_name
        """The tool's name on its server, which is what ``tools/call`` sends."""
        self.definition = definition
        self.read_only = read_only
        self.title = title

    @property
    def name(self) -> str:
        return self.definition.name

    @classmethod
    def from_mcp(
        cls, caller: _Caller, server: str, tool: types.Tool, *, taken: set[str] | None = None
    ) -> McpTool:
        annotations = tool.annotations
        read_only = bool(annotations and annotations.readOnlyHint)
        title = tool.title or (annotations.title if annotations else None)
        description = tool.description or title or f"{tool.name} (from MCP server {server})"
        definition = ToolDefinition(
            name=tau_tool_name(server, tool.name, taken or set()),
            description=description,
            parameters=dict(tool.inputSchema),
        )
        return cls(
            caller,
            server=server,
            mcp_name=tool.name,
            definition=definition,
            read_only=read_only,
            title=title,
        )

    async def call(
        self,
        arguments: Mapping[str, Any],
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ToolResult:
        """Run the tool; failures come back as error results, never as exceptions."""
        return await self._caller.call_tool(
            self.server, self.mcp_name, arguments, timeout=timeout, on_progress=on_progress
        )

    def __repr__(self) -> str:
        return f"McpTool({self.name!r}, read_only={self.read_only})"
