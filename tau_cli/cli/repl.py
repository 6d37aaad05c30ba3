"""``tau chat --plain``: the conversation as plain scrolling text.

For terminals and screen readers where a full-screen app is unwanted. The
answer streams as it arrives; tool calls show as one line each; permission
questions are asked inline. Ctrl-C stops the running turn (a second press at the
prompt leaves), Ctrl-D leaves.

Commands: ``/help``, ``/mode default|accept_edits|plan|bypass``, ``/plan``, ``/memory``,
``/skills``, ``/undo``, ``/exit``. A
prompt that starts with ``#`` is remembered in the project's memory file instead
of being sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path

from prompt_toolkit import PromptSession

from tau_cli.cli.debug_trace import traced
from tau_cli.cli.display import progress_line
from tau_cli.cli.memory_skills import list_skills, show_memory
from tau_cli.cli.terminal_interaction import TerminalInteraction
from tau_cli.core import Event, TextDelta
from tau_cli.memory import memory_targets, parse_memory_shortcut, remember
from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.checkpoints import CheckpointError
from tau_cli.runtime.events import Notice, ToolFinished, ToolProgress, ToolStarted, TurnFinished
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.settings_loader import ResolvedSettings

HELP = """\
/help          this text
/mode MODE     default, accept_edits, plan or bypass
/plan          plan mode: read-only exploration, then a plan to approve
/memory        the memory files loaded here and what they cost
/skills        the skills available here
/undo          put the files back as they were before the last turn
/exit          leave (Ctrl-D works too)
# NOTE         remember NOTE in the project's TAU.md
Ctrl-C stops the running turn."""
_MODES = ("default", "accept_edits", "plan", "bypass")


def chat_plain(resolved: ResolvedSettings, cwd: Path, *, continue_latest: bool = False) -> int:
    return asyncio.run(_chat(resolved, cwd, continue_latest))


async def _chat(resolved: ResolvedSettings, cwd: Path, continue_latest: bool) -> int:
    runtime = await open_runtime(
        resolved,
        Launch(cwd=cwd, interaction=TerminalInteraction(), continue_latest=continue_latest),
    )
    prompt: PromptSession[str] = PromptSession()
    out = sys.stdout
    out.write(
        f"tau · {resolved.settings.model} · {cwd} · {runtime.environment} · /help for commands\n"
    )
    try:
        while True:
            try:
                text = (await prompt.prompt_async("> ")).strip()
            except KeyboardInterrupt:
                continue
            except EOFError:
                return 0
            if not text:
                continue
            if text in ("/exit", "/quit"):
                return 0
            if text == "/help":
                out.write(HELP + "\n")
                continue
            if text == "/memory":
                show_memory(cwd, resolved)
                continue
            if text == "/skills":
                list_skills(resolved)
                continue
            if text == "/plan":
                text = "/mode plan"
            if text == "/undo":
                await _undo(runtime)
                continue
            if text.startswith("/mode"):
                await _set_mode(runtime, text)
                continue
            note = parse_memory_shortcut(text)
            if note is not None:
                target = memory_targets(cwd, tau_home())["project"]
                remember(target, note)
                out.write(f"remembered in {target.name}\n")
                continue
            await _turn(runtime, text)
    finally:
        await runtime.aclose()


async def _set_mode(runtime: Runtime, text: str) -> None:
    parts = text.split()
    if len(parts) != 2 or parts[1] not in _MODES:
        sys.stdout.write(f"usage: /mode {'|'.join(_MODES)}\n")
        return
    await runtime.set_mode(parts[1])  # type: ignore[arg-type]
    sys.stdout.write(f"mode: {parts[1]}\n")


async def _undo(runtime: Runtime) -> None:
    try:
        rewound = await runtime.undo()
    except CheckpointError as exc:
        sys.stdout.write(f"  cannot undo: {exc}\n")
        return
    changed = [f"restored {n}" for n in rewound.restored] + [
        f"deleted {n}" for n in rewound.deleted
    ]
    sys.stdout.write("  undone: " + (", ".join(changed) or "nothing had changed") + "\n")


async def _turn(runtime: Runtime, text: str) -> None:
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, runtime.cancel)
    streaming = False
    try:
        async for event in traced(runtime.submit(text)):
            streaming = _show(event, streaming)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)


def _show(event: Event, streaming: bool) -> bool:
    """Print one event; returns whether answer text is mid-line."""
    out = sys.stdout
    if isinstance(event, TextDelta):
        out.write(event.text)
        out.flush()
        return True
    if isinstance(event, ToolProgress):
        line = progress_line(event)
        if line is None:
            return streaming
        out.write(("\n" if streaming else "") + line)
        out.flush()
        return False
    if streaming:
        out.write("\n")
    if isinstance(event, ToolStarted):
        out.write(f"  → {event.summary}\n")
    elif isinstance(event, ToolFinished) and event.result.is_error:
        first = event.result.text.strip().splitlines()[:1]
        out.write(f"    ✗ {first[0] if first else 'failed'}\n")
    elif isinstance(event, Notice):
        out.write(f"  {event.level}: {event.message}\n")
    elif isinstance(event, TurnFinished):
        if event.error is not None:
            out.write(f"  error: {event.error.message}\n")
        elif event.reason != "completed":
            out.write(f"  stopped: {event.reason.replace('_', ' ')}\n")
    out.flush()
    return False
