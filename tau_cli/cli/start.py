"""``tau`` and ``tau "prompt"``: what the bare command does where it is started.

In a terminal it opens the full-screen chat (sending the prompt first, when given).
Without one, a prompt runs like ``tau run`` (scripts get the answer on stdout), and
the bare command reports the status instead. Either way a missing or unreachable
model is explained before anything starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tau_cli.cli.exit_codes import ExitCode
from tau_cli.cli.first_run import model_problem
from tau_cli.cli.prompt_group import PICK
from tau_cli.runtime.settings_loader import ResolvedSettings


def start(
    resolved: ResolvedSettings,
    cwd: Path,
    prompt: str | None,
    *,
    continue_latest: bool = False,
    resume: str | None = None,
) -> int:
    """``resume`` is a session id, or ``PICK`` (``--resume`` alone) for the session picker."""
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    pick = resume == PICK
    if pick and not terminal:
        sys.stderr.write("tau: --resume without an id needs a terminal to pick in; give the id\n")
        return int(ExitCode.USAGE)
    if prompt is None and not terminal:
        from tau_cli.cli.status import show_status

        show_status(resolved)
        return int(ExitCode.OK)
    problem = model_problem(resolved)
    if problem is not None:
        sys.stderr.write(problem + "\n")
        return int(ExitCode.ERROR)
    if terminal:
        from tau_cli.cli.tui_chat import chat_tui

        return chat_tui(
            resolved,
            cwd,
            first_prompt=prompt,
            continue_latest=continue_latest,
            resume=None if pick else resume,
            pick_session=pick,
        )
    from tau_cli.cli.run_command import run_once

    assert prompt is not None
    return run_once(
        resolved,
        cwd,
        prompt,
        output="text",
        max_iterations=None,
        interactive=False,
        resume=resume,
        continue_latest=continue_latest,
    )
