"""MCP servers in a session: approval of project servers, start-up, and their tools.

Servers from the user's files and settings start as configured; servers a
project declares (``.mcp.json``, ``.tau/mcp.json``) run only in trusted folders and
only after the user approves each one once (remembered per project). The
servers start together, before the system prompt is written, so their
``instructions`` are part of it. Each MCP tool joins the registry as
``mcp__<server>__<tool>`` and passes the same permission gate as built-ins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import JsonValue

from tau_cli.core import (
    Interaction,
    QuestionOption,
    QuestionRequest,
    ToolDefinition,
    ToolResult,
)
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.tools import Tool, ToolContext

if TYPE_CHECKING:
    from tau_cli.mcp import McpManager


class McpToolAdapter:
    """An MCP tool (or the resource tools) as a tau ``Tool``."""

    def __init__(self, tool: Any) -> None:
        self._tool = tool

    @property
    def name(self) -> str:
        return str(self._tool.name)

    @property
    def definition(self) -> ToolDefinition:
        definition: ToolDefinition = self._tool.definition
        return definition

    @property
    def read_only(self) -> bool:
        return bool(self._tool.read_only)

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        async def progress(done: float, total: float | None, message: str | None) -> None:
            context.report(message or "", done, total)

        result: ToolResult = await self._tool.call(arguments, on_progress=progress)
        return result


async def start_mcp(
    resolved: ResolvedSettings,
    interaction: Interaction,
    environ: Mapping[str, str],
    *,
    approvals: Interaction | None = None,
) -> tuple[McpManager | None, list[str]]:
    """The started servers (None when none is configured) and notices for the user."""
    from tau_cli.mcp import ApprovalStore, McpManager, load_mcp_config, split_by_approval

    home = tau_home(dict(environ))
    root = resolved.project_root
    config = load_mcp_config(
        tau_home=home,
        project_root=root,
        project_trusted=resolved.trusted,
        settings_servers=resolved.settings.mcp_servers,
        environ=environ,
    )
    notices = [f"MCP configuration: {error}" for error in config.errors]
    if not config.servers:
        return None, notices
    store = ApprovalStore(home)
    startable, waiting = split_by_approval(config.servers.values(), root, store)
    for server in waiting:
        if await _approve(approvals or interaction, server):
            store.decide(root, server, True)
            startable.append(server)
        else:
            notices.append(
                f"MCP server {server.name!r} from this project was not started: it has not "
                f"been approved (tau mcp approve {server.name}, or answer when asked)"
            )
    if not startable:
        return None, notices
    manager = McpManager(startable, interaction=interaction, environ=environ, roots=[root])
    await manager.start()
    for status in manager.statuses():
        if status.state != "connected":
            notices.append(
                f"MCP server {status.name!r} is {status.state}: {status.error or ''}".rstrip(": ")
            )
    return manager, notices


def mcp_tools(manager: McpManager) -> list[Tool]:
    return [McpToolAdapter(t) for t in [*manager.tools(), *manager.resource_tools()]]


def mcp_instructions(manager: McpManager) -> str:
    parts = [
        f'<mcp-server name="{name}">\n{text.strip()}\n</mcp-server>'
        for name, text in sorted(manager.instructions().items())
        if text.strip()
    ]
    return "\n".join(parts)


async def _approve(interaction: Interaction, server: Any) -> bool:
    what = getattr(server, "command", None) or getattr(server, "url", "")
    args = " ".join(getattr(server, "args", []) or [])
    answer = await interaction.ask(
        QuestionRequest(
            question=f"This project wants to start the MCP server {server.name!r} "
            f"({what} {args}".rstrip()
            + "). Allow it?",
            options=[QuestionOption(label="Allow"), QuestionOption(label="Deny")],
            allow_free_text=False,
        )
    )
    if answer.cancelled:
        return False
    return "Allow" in answer.selected
