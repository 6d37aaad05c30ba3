"""``tau`` in a terminal: the full-screen chat, wired to a runtime built from settings.

The TUI package draws and asks; building the runtime it drives (provider, tools,
session, MCP servers) is the composition root's job, so it happens here — behind the
first frame: the app is on screen and takes input while the runtime is built, and a
project's MCP server can be approved right there.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from tau_cli.runtime.input_history import InputHistory
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.settings_loader import ResolvedSettings

if TYPE_CHECKING:
    from tau_cli.runtime.runtime import Runtime
    from tau_cli.tui import Started, TuiInteraction


def chat_tui(
    resolved: ResolvedSettings,
    cwd: Path,
    *,
    continue_latest: bool = False,
    resume: str | None = None,
    pick_session: bool = False,
    first_prompt: str | None = None,
) -> int:
    """The full-screen chat; ``resume`` continues that session, ``pick_session`` opens
    the session picker first (``tau --resume`` without an id), ``first_prompt`` is sent
    as soon as the chat is on screen (``tau "prompt"``)."""
    return asyncio.run(_chat(resolved, cwd, continue_latest, resume, pick_session, first_prompt))


async def _chat(
    resolved: ResolvedSettings,
    cwd: Path,
    continue_latest: bool,
    resume: str | None = None,
    pick_session: bool = False,
    first_prompt: str | None = None,
) -> int:
    from tau_cli.tui import TauApp, TuiInteraction

    interaction = TuiInteraction()
    building: asyncio.Task[Runtime] | None = None

    async def start() -> Started:
        nonlocal building
        building = asyncio.ensure_future(
            _build(resolved, cwd, interaction, continue_latest, resume)
        )
        # Shielded: quitting while it starts must not cancel a half-built runtime (MCP
        # servers may be starting); it is finished, then closed, below.
        runtime = await asyncio.shield(building)
        return _started(runtime, cwd, continue_latest or resume is not None)

    app = TauApp(
        None,
        interaction,
        start=start,
        model=resolved.settings.model or "",
        location=_location(cwd),
        mode=resolved.settings.permissions.default_mode,
        root=str(cwd),
        input_history=InputHistory.for_project(resolved.project_root, tau_home()),
        pick_session=pick_session,
        first_prompt=first_prompt,
    )
    try:
        await app.run_async()
    finally:
        try:
            interaction.detach()  # a question the start-up still asks gets "nobody is here"
        finally:
            if building is not None:
                with contextlib.suppress(Exception):  # a failed start is app.start_error
                    await (await building).aclose()
    if app.start_error is not None:
        raise app.start_error
    return app.return_code or 0


async def _build(
    resolved: ResolvedSettings,
    cwd: Path,
    interaction: TuiInteraction,
    continue_latest: bool,
    resume: str | None,
) -> Runtime:
    from tau_cli.runtime.builder import Launch, open_runtime

    return await open_runtime(
        resolved,
        Launch(cwd=cwd, interaction=interaction, continue_latest=continue_latest, resume=resume),
    )


def _started(runtime: Runtime, cwd: Path, resumed: bool) -> Started:
    from tau_cli.cli.debug_trace import TracedClient, tracing
    from tau_cli.tui import Started

    return Started(
        TracedClient(runtime) if tracing() else runtime,
        location=with_environment(_location(cwd), runtime.environment),
        context_window=runtime.capabilities.context_window,
        history=runtime.loop.session.messages if resumed else (),
    )


def with_environment(location: str, environment: str) -> str:
    """The status bar's place, naming where tools run unless that is plainly here:
    ``~/repo (main) · bubblewrap sandbox``, ``~/repo · podman container IMAGE``."""
    if environment.startswith("local"):
        return location
    return f"{location} · {environment.split(' (')[0]}"


def _location(cwd: Path) -> str:
    """The folder as people write it (``~`` for home), and its git branch if there is one."""
    try:
        where = "~/" + str(cwd.relative_to(Path.home()))
    except ValueError:
        where = str(cwd)
    branch = _git_branch(cwd)
    return f"{where} ({branch})" if branch else where


def _git_branch(cwd: Path) -> str | None:
    """The checked-out branch, read from ``.git/HEAD`` (no git process for a status bar)."""
    for folder in (cwd, *cwd.parents):
        head = folder / ".git" / "HEAD"
        if head.is_file():
            ref = head.read_text(encoding="utf-8", errors="replace").strip()
            prefix = "ref: refs/heads/"
            return ref[len(prefix) :] if ref.startswith(prefix) else ref[:8] or None
        if (folder / ".git").exists():
            return None
    return None
