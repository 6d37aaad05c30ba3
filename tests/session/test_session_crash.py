"""Crash safety: a writer killed with SIGKILL never loses an acknowledged message.

Real writer processes append to transcripts and acknowledge each message only
after ``append`` returned; the test kills them with SIGKILL at random moments,
reloads, and lets the next writer resume the same file: 50 kills in all. That
resume also shows the killed writer's lock on the transcript died with it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
from crash_writer import padding

from tau_cli.session import SessionStore

WRITER = Path(__file__).with_name("crash_writer.py")
SESSIONS = 5
KILLS = 50


def _kill_one_writer(
    stdin: IO[str], stdout: IO[str], session_id: str, rng: random.Random
) -> list[int]:
    """Start a writer, SIGKILL it after a random delay, return what it acknowledged."""
    stdin.write(session_id + "\n")
    stdin.flush()
    pid = None
    acks: list[int] = []
    ready = False
    while pid is None or not ready:
        line = stdout.readline()
        assert line, "the writer process ended unexpectedly"
        kind, value = [*line.split(), ""][:2]
        if kind == "pid":
            pid = int(value)
        elif kind == "ready":
            ready = True
        elif kind == "ack":
            acks.append(int(value))
    time.sleep(rng.uniform(0.0, 0.04))
    os.kill(pid, signal.SIGKILL)
    while True:
        kind, value = stdout.readline().split()
        if kind == "exit":
            assert int(value) == -signal.SIGKILL
            return acks
        acks.append(int(value))


def test_sigkill_at_random_points_never_loses_an_acknowledged_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(20261126)
    root = tmp_path / "sessions"
    store = SessionStore(root)
    torn = 0
    acknowledged: dict[str, set[int]] = {f"crash{n}": set() for n in range(SESSIONS)}
    with subprocess.Popen(
        [sys.executable, str(WRITER), str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ["HOME"]},
        text=True,
    ) as writers:
        assert writers.stdin is not None and writers.stdout is not None
        for round_ in range(KILLS):
            session_id = f"crash{round_ % SESSIONS}"
            acks = _kill_one_writer(writers.stdin, writers.stdout, session_id, rng)
            acknowledged[session_id].update(acks)

            loaded = store.load(session_id)
            torn += len(loaded.warnings)
            messages = loaded.session.messages
            texts = [m.text for m in messages]
            assert texts == [f"m{k}:{padding(k)}" for k in range(len(texts))], "whole, in order"
            assert acknowledged[session_id] <= set(range(len(texts))), "no acked message lost"
        writers.stdin.close()

    acked = sum(map(len, acknowledged.values()))
    with capsys.disabled():
        print(f"\n[crash] {KILLS} kills, {acked} acknowledged appends, {torn} torn last lines")
    assert acked >= 5, "writers got real work done before being killed"
