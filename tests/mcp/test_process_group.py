"""Ending a stdio server's process group: a zombie is not a server still running."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from tau_cli.mcp._stdio import _group_alive


def test_a_group_of_only_zombies_has_ended() -> None:
    process = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        assert _group_alive(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not _group_alive(process.pid)
        os.killpg(process.pid, 0)  # the kernel still counts the unreaped zombie
    finally:
        process.wait()
