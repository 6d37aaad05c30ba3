"""``tau mcp list|tools|add|remove``: the MCP servers tau would start here."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from tau_cli.cli.display import home_relative
from tau_cli.core import ConfigError
from tau_cli.mcp import (
    ApprovalStore,
    McpConfig,
    McpManager,
    RemoteServer,
    ServerStatus,
    StdioServer,
    add_server,
    load_mcp_config,
    probe_server,
    remove_server,
    user_config_file,
)
from tau_cli.runtime.mcp_wiring import confine_servers
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.settings_loader import ResolvedSettings


def list_servers(resolved: ResolvedSettings) -> None:
    config = _config(resolved)
    console = Console()
    for error in config.errors:
        console.print(f"[red]error:[/] {error}", highlight=False)
    if not config.servers:
        console.print("No MCP servers configured. Add one with: tau mcp add NAME -- COMMAND ARGS")
        return
    store = ApprovalStore(tau_home())
    startable = [
        s
        for s in config.servers.values()
        if s.scope != "project" or store.status(resolved.project_root, s) == "approved"
    ]
    statuses = {s.name: s for s in asyncio.run(_statuses(resolved, startable))}
    table = Table(title_justify="left")
    for column in ("server", "scope", "transport", "state", "tools", "detail"):
        table.add_column(column)
    for server in config.servers.values():
        status = statuses.get(server.name)
        if status is None:
            table.add_row(
                server.name, server.scope, "", "not approved", "", "asks once in a session"
            )
            continue
        detail = status.error or status.server_info or ""
        table.add_row(
            status.name,
            status.scope,
            status.transport,
            status.state,
            str(status.tool_count),
            detail,
        )
        if status.stderr_tail and status.state != "connected":
            table.add_row("", "", "", "", "", f"stderr: {status.stderr_tail.strip()[-300:]}")
    console.print(table)


async def server_statuses(resolved: ResolvedSettings) -> tuple[list[ServerStatus], list[str]]:
    """Each startable server's state after a brief start, and the project servers
    still waiting for approval (they are not started)."""
    config = _config(resolved)
    if config.errors:
        raise ConfigError("; ".join(str(e) for e in config.errors))
    store = ApprovalStore(tau_home())
    startable, waiting = [], []
    for server in config.servers.values():
        approved = store.status(resolved.project_root, server) == "approved"
        if server.scope != "project" or approved:
            startable.append(server)
        else:
            waiting.append(server.name)
    return (await _statuses(resolved, startable) if startable else []), waiting


def show_tools(resolved: ResolvedSettings, name: str) -> None:
    server = _config(resolved).servers.get(name)
    if server is None:
        raise ConfigError(f"no MCP server named {name!r} is configured here; see 'tau mcp list'")
    [confined], _ = confine_servers(resolved, [server], os.environ)
    status, tools = asyncio.run(probe_server(confined))
    if status.state != "connected":
        raise ConfigError(f"MCP server {name!r} is {status.state}: {status.error or ''}")
    for tool in tools:
        flag = " (read-only)" if tool.read_only else ""
        typer.echo(f"{tool.name}{flag}\n  {tool.definition.description.strip()}")
        typer.echo("  " + json.dumps(tool.definition.parameters, indent=2).replace("\n", "\n  "))


def add(
    resolved: ResolvedSettings,
    name: str,
    command: list[str],
    *,
    url: str | None,
    transport: str,
    env: list[str],
    project: bool,
) -> None:
    if url:
        entry: dict[str, object] = {"type": transport, "url": url}
    elif command:
        entry = {"command": command[0], "args": command[1:]}
    else:
        raise ConfigError("give the server's command after --, or --url for a remote server")
    if env:
        pairs = [e.split("=", 1) for e in env]
        if any(len(p) != 2 for p in pairs):
            raise ConfigError("--env takes NAME=VALUE")
        entry["env"] = dict(pairs)
    path = _file(resolved, project)
    add_server(path, name, entry)  # type: ignore[arg-type]
    typer.echo(f"added MCP server {name!r} to {home_relative(str(path))}")


def remove(resolved: ResolvedSettings, name: str, *, project: bool) -> None:
    path = _file(resolved, project)
    if not remove_server(path, name):
        raise ConfigError(f"no MCP server named {name!r} in {home_relative(str(path))}")
    typer.echo(f"removed MCP server {name!r} from {home_relative(str(path))}")


def approve(resolved: ResolvedSettings, name: str, *, allow: bool) -> None:
    server = _config(resolved).servers.get(name)
    if server is None:
        raise ConfigError(f"no MCP server named {name!r} is configured here; see 'tau mcp list'")
    if server.scope != "project":
        typer.echo(f"{name!r} is not a project server; it starts without approval")
        return
    ApprovalStore(tau_home()).decide(resolved.project_root, server, allow)
    verb = "approved" if allow else "denied"
    typer.echo(f"{verb} MCP server {name!r} for {home_relative(str(resolved.project_root))}")


def _file(resolved: ResolvedSettings, project: bool) -> Path:
    return resolved.project_root / ".mcp.json" if project else user_config_file(tau_home())


def _config(resolved: ResolvedSettings) -> McpConfig:
    return load_mcp_config(
        tau_home=tau_home(),
        project_root=resolved.project_root,
        project_trusted=resolved.trusted,
        settings_servers=resolved.settings.mcp_servers,
        environ=os.environ,
    )


async def _statuses(
    resolved: ResolvedSettings, servers: Sequence[StdioServer | RemoteServer]
) -> list[ServerStatus]:
    # Started as a session would start them: inside the sandbox when it is on.
    confined, _ = confine_servers(resolved, servers, os.environ)
    async with McpManager(confined, startup_timeout=20.0) as manager:
        return manager.statuses()
