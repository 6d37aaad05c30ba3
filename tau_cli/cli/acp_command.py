"""``tau acp``: tau as an ACP agent on stdin/stdout, for editors such as Zed.

Each session the editor opens gets the settings of its own folder, with this
command's flags (``--model``, ``--permission-mode``, ``--allow`` ...) on top.
Logs go to stderr; stdout carries only the protocol.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from tau_cli.runtime.settings_loader import ResolvedSettings


def serve_acp(load_settings: Callable[[Path], ResolvedSettings]) -> int:
    from tau_cli.api import AcpAgent, serve_stdio

    logging.basicConfig(level=logging.WARNING, format="tau acp: %(levelname)s %(message)s")
    try:
        asyncio.run(serve_stdio(AcpAgent(load_settings)))
    except KeyboardInterrupt:
        return 130
    return 0


def connect_tui(command: str, cwd: Path) -> int:
    """``tau --connect COMMAND``: the full-screen chat attached to an ACP agent."""
    import shlex

    from tau_cli.api import AgentGone

    argv = shlex.split(command)
    if not argv:
        print("tau: --connect needs a command, e.g. --connect 'tau acp'", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_attached(argv, cwd))
    except AgentGone as exc:
        print(f"tau: {exc}", file=sys.stderr)
        return 1


async def _attached(argv: list[str], cwd: Path) -> int:
    from tau_cli.api import AcpRuntimeClient
    from tau_cli.cli.tui_chat import _location
    from tau_cli.tui import TauApp, TuiInteraction

    interaction = TuiInteraction()
    client = await AcpRuntimeClient.start(argv, cwd=cwd, interaction=interaction)
    try:
        agent = client.agent
        name = f"{agent.name} {agent.version}" if agent is not None else argv[0]
        window = None
        if client.extensions:
            context = await client.call_extension("context")
            window = context.get("contextWindow")
        app = TauApp(
            client,
            interaction,
            model=f"{client.describe().model or name} via ACP",  # a tau agent names its model
            location=_location(cwd),
            mode=client.mode,
            root=str(cwd),
            context_window=window if isinstance(window, int) else None,
        )
        await app.run_async()
    finally:
        await client.aclose()
    return app.return_code or 0
