"""Long sessions in the TUI: resuming one, and the memory it takes to keep one open.

Each sample runs in a fresh process (``python -m benchmarks.tui_session``), so imports
and caches start cold and the peak memory is that of one ``tau`` showing one session:

- resume: a saved 5,000-message session is read the way ``tau --resume ID`` reads it
  and the app opens on its end; the time from the start of reading until the last
  entry is drawn (the runtime, the same for any session, is built before and not timed);
- memory: a 10,000-message session is opened the same way and scrolled from the top to
  the bottom, a page at a time for the first screens, then jumping through the middle;
  the process's peak resident memory (``VmHWM``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks._harness import Figure
from benchmarks._sessions import MODEL, save_session


async def _open(repo: Path, env: dict[str, str], session_id: str, scroll: bool) -> float:
    """Seconds from reading the session until its last entry is drawn.

    The runtime the app drives (provider, tools) is built first and not timed: it is
    the same for a new session, and the figure is about the session's size.
    """
    from tau_cli.runtime.builder import Launch, build_runtime
    from tau_cli.runtime.settings_loader import load_settings
    from tau_cli.session.store import SessionStore
    from tau_cli.tui import TauApp, TuiInteraction

    resolved = load_settings(repo, environ=env, flags={"model": MODEL}, trust=True)
    interaction = TuiInteraction()
    runtime = build_runtime(resolved, Launch(cwd=repo, interaction=interaction), environ=env)
    started = time.perf_counter()
    loaded = SessionStore().load(session_id)  # what `tau --resume ID` reads
    app = TauApp(
        runtime, interaction, model=MODEL, location="repo", history=loaded.session.messages
    )
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            history = app.conversation.history
            last = len(history.entries) - 1
            while last < 0 or not history.is_drawn(last):
                await asyncio.sleep(0.002)
            seconds = time.perf_counter() - started
            if scroll:
                conversation = app.conversation
                conversation.scroll_home(animate=False)
                for _ in range(20):
                    conversation.scroll_page_down(animate=False)
                    await pilot.pause()
                for index in range(0, len(history.entries), len(history.entries) // 20):
                    conversation.scroll_to_entry(index)
                    await pilot.pause()
                conversation.scroll_end(animate=False)
                await pilot.pause()
            return seconds
    finally:
        await runtime.aclose()


def _child(mode: str, home: str, repo: str, session_id: str) -> None:
    env = {
        "HOME": home,
        "TAU_HOME": str(Path(home) / ".tau"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        # never contacted: opening a session sends nothing to the model
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "OPENAI_API_KEY": "sk-bench-0000",
    }
    os.environ.update(env)
    seconds = asyncio.run(_open(Path(repo), env, session_id, scroll=mode == "memory"))
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb()}))


def _peak_mb() -> float:
    """This process's peak resident memory.

    ``getrusage`` would report the larger of this and the benchmark process that
    spawned it (Linux keeps ``ru_maxrss`` across exec); ``VmHWM`` is this process's own.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _samples(messages: int, key: str) -> Callable[[int], list[float]]:
    def measure(runs: int) -> list[float]:
        with tempfile.TemporaryDirectory() as home:
            repo = Path(home) / "repo"
            (repo / ".git").mkdir(parents=True)
            tau_home = Path(home) / ".tau"
            session_id = _write(repo, tau_home, messages)
            mode = "memory" if key == "peak_mb" else "resume"
            samples = []
            for _ in range(runs):
                out = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks.tui_session",
                        mode,
                        home,
                        str(repo),
                        session_id,
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "TAU_HOME": str(tau_home), "HOME": home},
                )
                samples.append(float(json.loads(out.stdout.splitlines()[-1])[key]))
            return samples

    return measure


def _write(repo: Path, tau_home: Path, messages: int) -> str:
    from tau_cli.session.store import SessionStore

    return save_session(repo, messages, SessionStore(tau_home / "sessions"))


FIGURES = [
    Figure(
        "tui-resume",
        "TUI: resume a 5,000-message session (load + first window drawn)",
        "s",
        0.5,
        _samples(5_000, "seconds"),
        runs=5,
        quick_runs=3,
    ),
    Figure(
        "tui-memory",
        "TUI: peak memory with a 10,000-message session open and scrolled through",
        "MB",
        250,
        _samples(10_000, "peak_mb"),
        runs=3,
        quick_runs=1,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tui_session", description=__doc__)
    parser.add_argument("mode", choices=["resume", "memory"])
    parser.add_argument("home")
    parser.add_argument("repo")
    parser.add_argument("session_id")
    args = parser.parse_args()
    _child(args.mode, args.home, args.repo, args.session_id)


if __name__ == "__main__":
    main()
