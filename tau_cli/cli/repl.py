"""``tau chat --plain``: the conversation as plain scrolling text.

For terminals and screen readers where a full-screen app is unwanted. The
answer streams as it arrives; tool calls show as one line each; permission
questions are asked inline. Ctrl-C stops the running turn (a second press at the
prompt leaves), Ctrl-D leaves.

The commands are the TUI's (one table, ``tau_cli.runtime.commands``): ``/help``,
``/mode``, ``/model``, ``/compact``, ``/resume N``, ``!command``, ``#note`` and the
rest; Tab completes commands and ``@`` file names. What was typed is remembered
per project, shared with the TUI (Up brings it back).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import History

from tau_cli.cli.debug_trace import traced
from tau_cli.cli.display import progress_line
from tau_cli.cli.terminal_interaction import TerminalInteraction
from tau_cli.core import Event, TextDelta
from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.client import Completions
from tau_cli.runtime.commands import COMMANDS, Outcome, interpret
from tau_cli.runtime.events import Notice, ToolFinished, ToolProgress, ToolStarted, TurnFinished
from tau_cli.runtime.fuzzy import fuzzy_filter
from tau_cli.runtime.input_history import InputHistory
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.settings import PermissionMode
from tau_cli.runtime.settings_loader import ResolvedSettings

_MODES: tuple[PermissionMode, ...] = ("default", "accept_edits", "plan", "bypass")
_KEYS = "Ctrl-C stops the running turn · Ctrl-D leaves · Tab completes"


def chat_plain(resolved: ResolvedSettings, cwd: Path, *, continue_latest: bool = False) -> int:
    return asyncio.run(_chat(resolved, cwd, continue_latest))


async def _chat(resolved: ResolvedSettings, cwd: Path, continue_latest: bool) -> int:
    runtime = await open_runtime(
        resolved,
        Launch(cwd=cwd, interaction=TerminalInteraction(), continue_latest=continue_latest),
    )
    completer = _Completer()
    prompt: PromptSession[str] = PromptSession(
        history=_SharedHistory(InputHistory.for_project(resolved.project_root, tau_home())),
        completer=completer,
        complete_while_typing=False,
    )
    loading = asyncio.ensure_future(_completions(runtime))
    loading.add_done_callback(lambda done: setattr(completer, "found", done.result()))
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
            if text.startswith("/"):
                await loading  # a skill or MCP prompt is not an unknown command
            extra = {c.name for c in completer.found.commands} if completer.found else set()
            outcome = await interpret(runtime, text, modes=_MODES, extra=extra, keys=_KEYS)
            if outcome is None:
                await _turn(runtime, text)
            elif outcome.action == "quit":
                return 0
            else:
                _print(outcome)
    finally:
        loading.cancel()
        await runtime.aclose()


def _print(outcome: Outcome) -> None:
    out = sys.stdout
    if outcome.action == "shell" and outcome.result is not None:
        out.write(f"$ {outcome.command}\n{outcome.result.text.rstrip()}\n")
    elif outcome.action == "pick_session":
        out.write(outcome.text + "\n/resume N continues one of them\n")
    elif outcome.level != "info":
        out.write(f"  {outcome.level}: {outcome.text}\n")
    else:
        out.write(outcome.text + "\n")
    out.flush()


async def _completions(runtime: Runtime) -> Completions:
    try:
        return await runtime.completions()
    except Exception:  # completion is a convenience; a failing MCP server must not end the chat
        return Completions()


class _SharedHistory(History):
    """prompt_toolkit's history over the project's ``InputHistory`` (the TUI's too)."""

    def __init__(self, history: InputHistory) -> None:
        self._shared = history
        super().__init__()

    def load_history_strings(self) -> Iterable[str]:
        return list(reversed(self._shared.entries))

    def store_string(self, string: str) -> None:
        self._shared.add(string)


class _Completer(Completer):
    """Tab: commands after ``/``, files (fuzzy) and MCP resources after ``@``."""

    def __init__(self) -> None:
        self.found: Completions | None = None

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        word = document.get_word_before_cursor(WORD=True)
        if word.startswith("/") and document.text_before_cursor == word:
            names = [c.name for c in COMMANDS]
            names += [c.name for c in self.found.commands] if self.found else []
            for name in names:
                if name.startswith(word):
                    yield Completion(name, start_position=-len(word))
        elif word.startswith("@") and self.found is not None:
            for resource in self.found.resources:
                if resource.startswith(word):
                    yield Completion(resource, start_position=-len(word))
            for path in fuzzy_filter(word[1:], self.found.files, 20):
                yield Completion(f"@{path}", start_position=-len(word))


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
