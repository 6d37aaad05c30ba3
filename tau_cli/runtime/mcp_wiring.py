"""MCP servers in a session: approval of project servers, start-up, and their tools.

Servers from the user's files and settings start as configured; servers a
project declares (``.mcp.json``, ``.tau/mcp.json``) run only in trusted folders and
only after the user approves each one once (remembered per project). With the
sandbox on, stdio servers start inside it, like the tools' commands. The
servers start together, before the system prompt is written, so their
``instructions`` are part of it. Each MCP tool joins the registry as
``mcp__<server>__<tool>`` and passes the same permission gate as built-ins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import JsonValue

from tau_cli.core import (
    Interaction,
    QuestionOption,
    QuestionRequest,
    ToolDefinition,
    ToolResult,
)
from tau_cli.runtime.environments import process_sandbox
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.sandbox import SANDBOX_ENV, SandboxEnvironment
from tau_cli.runtime.settings import McpServerSandbox
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.tools import Tool, ToolContext

if TYPE_CHECKING:
    from tau_cli.mcp import McpManager, ServerConfig, StdioServer


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
    startable, outside = confine_servers(resolved, startable, environ)
    notices += [
        f"MCP server {name!r} runs outside the sandbox (sandbox.mcp_servers.{name}.enabled "
        "is false)"
        for name in outside
    ]
    manager = McpManager(startable, interaction=interaction, environ=environ, roots=[root])
    await manager.start()
    for status in manager.statuses():
        if status.state != "connected":
            notices.append(_failure(status.name, status.state, status.error, status.stderr_tail))
    return manager, notices


def _failure(name: str, state: str, error: str | None, stderr: str | None) -> str:
    """Why a server is not connected, with the last line it (or bwrap) wrote to stderr:
    "Connection closed" alone does not say that a program was missing in the sandbox."""
    notice = f"MCP server {name!r} is {state}: {error or ''}".rstrip(": ")
    last = (stderr or "").strip().splitlines()[-1:]
    return f"{notice} ({last[0]})" if last else notice


def confine_servers(
    resolved: ResolvedSettings, servers: Sequence[ServerConfig], environ: Mapping[str, str]
) -> tuple[list[ServerConfig], list[str]]:
    """``servers`` as they must start: inside the sandbox when it is on.

    A stdio server is a command tau runs, from a file a project may have written, so
    with the sandbox on it starts under the same bubblewrap rule as the tools'
    commands (``sandbox.network`` included) unless ``sandbox.mcp_servers`` says
    otherwise for it. Remote servers run elsewhere and are returned as they are.

    Returns:
        The servers to start, and the names of stdio servers left outside the sandbox
        by a ``sandbox.mcp_servers.NAME.enabled: false`` exception.

    Raises:
        SandboxUnavailableError: the sandbox is enabled but bubblewrap cannot run.
        ConfigError: both the sandbox and a container are asked for.
    """
    from tau_cli.mcp import StdioServer

    settings = resolved.settings
    sandbox = process_sandbox(
        settings, project_root=resolved.project_root, tau_home=tau_home(dict(environ))
    )
    if sandbox is None:
        return list(servers), []
    confined: list[ServerConfig] = []
    outside: list[str] = []
    for server in servers:
        exception = settings.sandbox.mcp_servers.get(server.name, McpServerSandbox())
        if not isinstance(server, StdioServer):
            confined.append(server)
        elif not exception.enabled:
            confined.append(server)
            outside.append(server.name)
        else:
            confined.append(_sandboxed(server, sandbox, exception.network))
    return confined, outside


def _sandboxed(
    server: StdioServer, sandbox: SandboxEnvironment, network: bool | None
) -> StdioServer:
    """The server's command wrapped in the sandbox's, starting where it would have started.

    A configured ``cwd`` the sandbox hides stays as it is: bwrap then refuses to start
    the server and says why. Without one, a server starts in tau's own folder, which
    may be one the sandbox hides (in ``/tmp``, say); the project is the next best.
    """
    if server.cwd is not None:
        workdir = os.path.realpath(server.cwd)
    else:
        workdir = os.path.realpath(os.getcwd())
        if sandbox.confinement.access(workdir) == "hidden":
            workdir = sandbox.cwd
    argv = sandbox.command([server.command, *server.args], cwd=workdir, network=network)
    # The configured environment wins, as it does for the tools' commands.
    env = {**SANDBOX_ENV, **server.env}
    return server.model_copy(update={"command": argv[0], "args": argv[1:], "env": env})


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
