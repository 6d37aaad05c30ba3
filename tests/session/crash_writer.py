"""A child process that appends to one session until it is killed.

Usage: ``python crash_writer.py ROOT SESSION_ID``. It resumes the session (creating
it the first time) and appends user messages ``m<k>:<padding>`` numbered on from
what is already stored, printing ``ack <k>`` only after ``append`` returned. The
crash test kills it with SIGKILL and checks that every acknowledged message is
still there.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tau_cli.core import Message
from tau_cli.session import SessionNotFound, SessionStore


def main() -> None:
    root, session_id = Path(sys.argv[1]), sys.argv[2]
    store = SessionStore(root, ids=lambda: session_id)
    try:
        session = store.resume(session_id).session
    except SessionNotFound:
        session = store.create("/crash/project")
    print("ready", flush=True)
    k = len(session)
    while True:
        # Sizes vary from a few bytes to ~100 KB so kills land inside large writes too.
        padding = "x" * ((k * 7919) % 100_000)
        session.append(Message.user(f"m{k}:{padding}"))
        print(f"ack {k}", flush=True)
        k += 1


if __name__ == "__main__":
    main()
