"""TUI launch: from running ``tau`` in a real terminal until its input prompt is on screen.

The terminal is tmux (a private server on its own socket, 100x30). Each sample starts
``tau`` in a new tmux session and reads the screen (``tmux capture-pane``) every few
milliseconds until the input box's placeholder shows; the model is the scripted server
on 127.0.0.1, which the launch itself does not call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._harness import Figure

_TAU = str(Path(sys.executable).with_name("tau"))
_READY = "Shift+Tab mode"
"""Part of the input box's placeholder: once it is drawn, the user can type."""


def _launch_times(runs: int, warmup: int = 1) -> list[float]:
    from tau_cli.testing import ScriptedModelServer

    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is not installed (apt-get install tmux)")
    with tempfile.TemporaryDirectory() as home, ScriptedModelServer([]) as server:
        repo = Path(home) / "repo"
        (repo / ".git").mkdir(parents=True)
        socket = str(Path(home) / "tmux.sock")  # gone with the folder, never left behind
        env = {
            "HOME": home,
            "TAU_HOME": str(Path(home) / ".tau"),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            "TAU_MODEL": "openai:scripted-model",
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-bench-0000",
        }
        tmux = ["tmux", "-S", socket, "-f", "/dev/null"]
        samples = []
        # A session that outlives the samples, so the server never exits between them.
        subprocess.run([*tmux, "new-session", "-d", "-s", "keep", "cat"], check=True, env=env)
        try:
            for i in range(warmup + runs):
                name = f"launch{i}"
                started = time.perf_counter()
                subprocess.run(
                    [*tmux, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", _TAU],
                    check=True,
                    env=env,
                    cwd=repo,
                )
                while _READY not in _screen(tmux, name, env):
                    if time.perf_counter() - started > 20:
                        raise RuntimeError(
                            f"tau did not show its prompt: {_screen(tmux, name, env)}"
                        )
                    time.sleep(0.005)
                elapsed = time.perf_counter() - started
                subprocess.run([*tmux, "kill-session", "-t", name], env=env, capture_output=True)
                if i >= warmup:
                    samples.append(elapsed)
        finally:
            subprocess.run([*tmux, "kill-server"], env=env, capture_output=True)
        return samples


def _screen(tmux: list[str], name: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [*tmux, "capture-pane", "-p", "-t", name], env=env, capture_output=True, text=True
    )
    return out.stdout


FIGURES = [
    Figure(
        "tui-launch",
        "TUI: launch to the input prompt on screen (real terminal, tmux)",
        "s",
        0.6,
        _launch_times,
        runs=7,
        quick_runs=3,
    ),
]
