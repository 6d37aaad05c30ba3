"""Crash safety: a writer killed with SIGKILL never loses an acknowledged message.

A real child process appends to a transcript and acknowledges each message only
after ``append`` returned; the test kills it at random moments, reloads, and
resumes it again, 50 times over a few sessions.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tau_cli.session import SessionStore

WRITER = Path(__file__).with_name("crash_writer.py")
CHAINS = 5
KILLS_PER_CHAIN = 10


def _run_and_kill(root: Path, session_id: str, rng: random.Random) -> list[int]:
    """Start the writer, kill it after a random delay, return the acknowledged indexes."""
    with subprocess.Popen(
        [sys.executable, str(WRITER), str(root), session_id],
        stdout=subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ["HOME"]},
        text=True,
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.03))
        child.send_signal(signal.SIGKILL)
        output = child.stdout.read()
    assert child.returncode == -signal.SIGKILL
    # A line cut by the kill was never a complete acknowledgement.
    return [
        int(line.split()[1]) for line in output.splitlines(keepends=True) if line.endswith("\n")
    ]


def _chain(root: Path, session_id: str, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    store = SessionStore(root)
    acknowledged: set[int] = set()
    torn = 0
    for _ in range(KILLS_PER_CHAIN):
        acknowledged.update(_run_and_kill(root, session_id, rng))
        loaded = store.load(session_id)
        torn += len(loaded.warnings)
        numbers = [int(m.text.split(":")[0][1:]) for m in loaded.session.messages]
        assert numbers == list(range(len(numbers))), "messages are whole and in order"
        assert acknowledged <= set(numbers), "every acknowledged message survived"
        for message in loaded.session.messages:
            k = int(message.text.split(":")[0][1:])
            assert len(message.text) == len(f"m{k}:") + (k * 7919) % 100_000
    return len(acknowledged), torn


def test_sigkill_at_random_points_never_loses_an_acknowledged_message(tmp_path: Path) -> None:
    with ThreadPoolExecutor(CHAINS) as pool:
        results = list(
            pool.map(lambda n: _chain(tmp_path / "sessions", f"crash{n}", seed=n), range(CHAINS))
        )

    acknowledged = sum(count for count, _ in results)
    assert acknowledged > 0, "the writers got to acknowledge something before being killed"
