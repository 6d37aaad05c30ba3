"""``tau run``: one task, start to finish, for scripts and quick questions.

The final answer goes to stdout; progress goes to stderr when stderr is a
terminal. With a terminal on stdin, permission questions are asked inline;
without one, the mode and rules decide and tau never waits for input.
``--output-format stream-json`` prints every runtime event as one JSON line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from typing import Literal

from tau_cli.cli.debug_trace import traced
from tau_cli.cli.display import progress_line
from tau_cli.cli.exit_codes import ExitCode
from tau_cli.core import Event, Interaction, TextDelta
from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.events import (
    AssistantMessage,
    Notice,
    PermissionResolved,
    ToolFinished,
    ToolProgress,
    ToolStarted,
    TurnFinished,
)
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.settings_loader import ResolvedSettings

OutputFormat = Literal["text", "json", "stream-json"]

EXIT_FOR = {
    "completed": ExitCode.OK,
    "error": ExitCode.ERROR,
    "cancelled": ExitCode.ABORTED,
    "stopped_by_hook": ExitCode.ABORTED,
    "max_iterations": ExitCode.LIMIT,
    "repeated_failure": ExitCode.LIMIT,
}


def run_once(
    resolved: ResolvedSettings,
    launch_cwd: object,
    prompt: str,
    *,
    output: OutputFormat,
    max_iterations: int | None,
    interactive: bool,
    resume: str | None = None,
    continue_latest: bool = False,
) -> int:
    from pathlib import Path

    interaction: Interaction
    if interactive:
        from tau_cli.cli.terminal_interaction import TerminalInteraction

        interaction = TerminalInteraction()
    else:
        interaction = NonInteractive()
    launch = Launch(
        cwd=Path(str(launch_cwd)),
        interaction=interaction,
        max_iterations=max_iterations,
        resume=resume,
        continue_latest=continue_latest,
    )
    return asyncio.run(_run(resolved, launch, prompt, output))


async def _run(
    resolved: ResolvedSettings, launch: Launch, prompt: str, output: OutputFormat
) -> int:
    runtime = await open_runtime(resolved, launch)
    loop = asyncio.get_running_loop()
    interrupts = 0

    def on_interrupt() -> None:
        nonlocal interrupts
        interrupts += 1
        runtime.cancel()
        if interrupts > 1:
            raise KeyboardInterrupt

    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, on_interrupt)
    progress = sys.stderr.isatty() and output == "text"
    if progress:
        sys.stderr.write(f"  environment: {runtime.environment}\n")
    answer = ""
    finished: TurnFinished | None = None
    try:
        async for event in traced(runtime.submit(prompt)):
            if output == "stream-json":
                sys.stdout.write(event.model_dump_json() + "\n")
                sys.stdout.flush()
            if isinstance(event, AssistantMessage):
                answer = event.message.text
            elif isinstance(event, TurnFinished):
                finished = event
            if progress:
                _show_progress(event)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        await runtime.aclose()
    assert finished is not None
    if output == "text":
        if answer:
            sys.stdout.write(answer if answer.endswith("\n") else answer + "\n")
        if finished.error is not None:
            sys.stderr.write(f"tau: error: {finished.error.message}\n")
        elif finished.reason != "completed":
            sys.stderr.write(f"tau: stopped: {finished.reason.replace('_', ' ')}\n")
    elif output == "json":
        payload = {
            "result": answer,
            "session_id": runtime.session_id,
            "environment": runtime.environment,
            "reason": finished.reason,
            "iterations": finished.iterations,
            "usage": finished.usage.model_dump(mode="json"),
            "error": finished.error.model_dump(mode="json") if finished.error else None,
        }
        sys.stdout.write(json.dumps(payload) + "\n")
    return int(EXIT_FOR[finished.reason])


def _show_progress(event: Event) -> None:
    if isinstance(event, ToolStarted):
        sys.stderr.write(f"  → {event.summary}\n")
    elif isinstance(event, ToolFinished) and event.result.is_error:
        first = event.result.text.strip().splitlines()[:1]
        sys.stderr.write(f"    ✗ {first[0] if first else 'failed'}\n")
    elif isinstance(event, PermissionResolved) and not event.decision.allowed:
        sys.stderr.write(f"    denied ({event.by})\n")
    elif isinstance(event, ToolProgress):
        sys.stderr.write(progress_line(event) or "")
    elif isinstance(event, Notice):
        sys.stderr.write(f"  {event.level}: {event.message}\n")
    elif isinstance(event, TextDelta):
        return
    sys.stderr.flush()
