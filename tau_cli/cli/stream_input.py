"""``tau run --input-format stream-json``: a conversation scripted over stdin.

Each stdin line is one JSON user message; each runs as a turn of the same session,
its events written to stdout as NDJSON (``--output-format stream-json``), so a
script can read a turn's ``turn_finished`` before it writes the next message. Two
shapes are read::

    {"type": "user", "text": "fix the failing test"}
    {"type": "user", "message": {"role": "user", "content": "now run it"}}

(the second is Claude Code's, whose ``content`` may also be a list of text parts).
Blank lines are skipped. A line that is not a user message stops the run with exit
code 2 and a message naming the line; the turns before it are kept in the session.
Nobody is at a terminal, so permissions follow the mode and rules and never wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import IO, Any

from tau_cli.cli.debug_trace import traced
from tau_cli.cli.exit_codes import ExitCode
from tau_cli.cli.run_command import EXIT_FOR
from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.events import TurnFinished
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.settings_loader import ResolvedSettings


class InputLineError(ValueError):
    """A stdin line that is not a user message; the message says what is wrong."""


def parse_user_line(line: str) -> str | None:
    """The text of one stdin line's user message; None for a blank line.

    Raises:
        InputLineError: the line is not JSON or not a user message.
    """
    if not line.strip():
        return None
    try:
        data: Any = json.loads(line)
    except ValueError as exc:
        raise InputLineError(f"not JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("type") != "user":
        raise InputLineError('expected an object with "type": "user"')
    if isinstance(data.get("text"), str):
        return str(data["text"])
    message = data.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            p["text"]
            for p in content
            if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
        ]
        if texts:
            return "\n".join(texts)
    raise InputLineError('a user message needs "text", or "message" with text "content"')


def run_stream(
    resolved: ResolvedSettings,
    cwd: Path,
    *,
    max_iterations: int | None,
    resume: str | None = None,
    continue_latest: bool = False,
    stdin: IO[str] | None = None,
) -> int:
    launch = Launch(
        cwd=cwd,
        interaction=NonInteractive(),
        max_iterations=max_iterations,
        resume=resume,
        continue_latest=continue_latest,
    )
    return asyncio.run(_run(resolved, launch, stdin or sys.stdin))


async def _run(resolved: ResolvedSettings, launch: Launch, stdin: IO[str]) -> int:
    runtime = await open_runtime(resolved, launch)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, runtime.cancel)
    code = int(ExitCode.OK)
    number = 0
    try:
        while True:
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                return code
            number += 1
            try:
                text = parse_user_line(line)
            except InputLineError as exc:
                sys.stderr.write(f"tau: error: stdin line {number}: {exc}\n")
                return int(ExitCode.USAGE)
            if text is None:
                continue
            finished: TurnFinished | None = None
            async for event in traced(runtime.submit(text)):
                sys.stdout.write(event.model_dump_json() + "\n")
                sys.stdout.flush()
                if isinstance(event, TurnFinished):
                    finished = event
            assert finished is not None
            code = int(EXIT_FOR[finished.reason])
            if finished.reason == "cancelled":
                return code
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        await runtime.aclose()
