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
from tau_cli.runtime.settings_loader import ResolvedSettings


def start(resolved: ResolvedSettings, cwd: Path, prompt: str | None) -> int:
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
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

        return chat_tui(resolved, cwd, first_prompt=prompt)
    from tau_cli.cli.run_command import run_once

    assert prompt is not None
    return run_once(resolved, cwd, prompt, output="text", max_iterations=None, interactive=False)
