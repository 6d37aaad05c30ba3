"""``tau`` in a terminal: the full-screen chat, wired to a runtime built from settings.

The TUI package draws and asks; building the runtime it drives (provider, tools,
session) is the composition root's job, so it happens here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tau_cli.runtime.builder import Launch, build_runtime
from tau_cli.runtime.settings_loader import ResolvedSettings


def chat_tui(resolved: ResolvedSettings, cwd: Path, *, continue_latest: bool = False) -> int:
    return asyncio.run(_chat(resolved, cwd, continue_latest))


async def _chat(resolved: ResolvedSettings, cwd: Path, continue_latest: bool) -> int:
    from tau_cli.tui import TauApp, TuiInteraction

    interaction = TuiInteraction()
    runtime = build_runtime(
        resolved, Launch(cwd=cwd, interaction=interaction, continue_latest=continue_latest)
    )
    try:
        app = TauApp(
            runtime,
            interaction,
            model=resolved.settings.model or "",
            location=_location(cwd),
            mode=resolved.settings.permissions.default_mode,
            root=str(cwd),
        )
        await app.run_async()
    finally:
        await runtime.aclose()
    return app.return_code or 0


def _location(cwd: Path) -> str:
    """The folder as people write it: under the home folder, with ``~``."""
    try:
        return "~/" + str(cwd.relative_to(Path.home()))
    except ValueError:
        return str(cwd)
