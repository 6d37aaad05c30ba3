"""Child processes that append to a session until they are killed.

Usage: ``python crash_writer.py ROOT``, then one session id per line on stdin. For
each id this process forks a writer (so the interpreter starts once, not fifty
times) and reports ``pid <n>``; the writer resumes the session (creating it the
first time), prints ``ready`` and appends user messages ``m<k>:<padding>``
numbered on from what is stored, printing ``ack <k>`` only after ``append``
returned. When the writer dies this process reports ``exit <code>``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tau_cli.core import Message
from tau_cli.session import SessionNotFound, SessionStore


def padding(k: int) -> str:
    # From a few bytes to ~100 KB, so kills also land inside large writes.
    return "x" * ((k * 7919) % 100_000)


def _append_forever(root: Path, session_id: str) -> None:
    store = SessionStore(root, ids=lambda: session_id)
    try:
        session = store.resume(session_id).session
    except SessionNotFound:
        session = store.create("/crash/project")
    print("ready", flush=True)
    k = len(session)
    while True:
        session.append(Message.user(f"m{k}:{padding(k)}"))
        print(f"ack {k}", flush=True)
        k += 1


def main() -> None:
    root = Path(sys.argv[1])
    for line in sys.stdin:
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _append_forever(root, line.strip())
            finally:
                os._exit(1)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
