"""A real runtime talking HTTP to a scripted model, with the TUI as its user."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from textual.app import App
from textual.pilot import Pilot

from tau_cli.runtime.builder import Launch, build_runtime
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.settings import PermissionMode
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.testing import ScriptedModelServer
from tau_cli.tui import TauApp, TuiInteraction
from tests.runtime.loop_helpers import make_repo, turns

_NOW = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
"""Every runtime in these tests lives at this moment: plan files and snapshots keep their names."""

__all__ = ["app_runtime", "make_repo", "running_app", "screen_text", "turns", "wait_for"]


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], object], seconds: float = 20.0
) -> None:
    """Let the app run until ``condition()`` holds; fail the test if it never does."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the app never reached the expected state")
        await pilot.pause(0.02)


def screen_text(app: App[Any]) -> str:
    """What the terminal shows right now, as plain text (one line per row)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@asynccontextmanager
async def running_app(
    repo: Path,
    script: list[dict[str, Any]],
    *,
    mode: PermissionMode = "default",
    size: tuple[int, int] = (100, 36),
    context_window: int | None = None,
    continue_latest: bool = False,
    **options: Any,
) -> AsyncIterator[tuple[TauApp, Pilot[None], ScriptedModelServer]]:
    """``TauApp`` over a runtime as ``tau`` builds it, against ``script``; ``options`` go
    to ``TauApp`` as they are."""
    interaction = TuiInteraction()
    with ScriptedModelServer(turns(*script)) as server:
        runtime = app_runtime(repo, server, interaction, mode, continue_latest)
        app = TauApp(
            runtime,
            interaction,
            model="openai:scripted-model",
            location="~/repo",
            mode=mode,
            root=str(repo),
            context_window=context_window,
            history=runtime.loop.session.messages if continue_latest else (),
            **options,
        )
        try:
            async with app.run_test(size=size) as pilot:
                yield app, pilot, server
        finally:
            await runtime.aclose()


def app_runtime(
    repo: Path,
    server: ScriptedModelServer,
    interaction: TuiInteraction,
    mode: PermissionMode,
    continue_latest: bool,
) -> Runtime:
    """A runtime as ``tau`` builds it for the chat, against ``server``."""
    config = {
        "model": "openai:scripted-model",
        "client": {"backoff_initial": "5ms", "backoff_max": "20ms"},
        "permissions": {"default_mode": mode},
    }
    (repo / ".tau").mkdir(exist_ok=True)
    (repo / ".tau" / "settings.yaml").write_text(yaml.safe_dump(config))
    env = {
        "HOME": os.environ["HOME"],
        "TAU_HOME": os.environ["TAU_HOME"],
        "PATH": os.environ["PATH"],
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-not-a-real-key-0000",
    }
    resolved = load_settings(repo, environ=env, trust=True)
    return build_runtime(
        resolved,
        Launch(cwd=repo, interaction=interaction, continue_latest=continue_latest),
        environ=env,
        clock=lambda: _NOW,
    )
