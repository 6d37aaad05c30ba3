"""Session figures: resuming a long session.

A 5,000-message coding session (requests, edits with their tool calls and
results, answers) is written to a transcript once; each sample then resumes it
through ``SessionStore.resume`` (read, validate, take over the transcript) and
builds the first request's window for a 200,000-token model, as the runtime
does before the first request after ``tau -r``. The session layer is imported
before the clock starts: start-up is measured by the start-up figures.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks._harness import Figure

if TYPE_CHECKING:
    from tau_cli.core import Message

MESSAGES = 5_000


def _conversation(length: int) -> list[Message]:
    from tau_cli.core import Message, ToolCall, ToolResult

    messages: list[Message] = []
    i = 0
    while len(messages) < length:
        path = f"src/module_{i % 41}.py"
        arguments = json.dumps({"file_path": path, "old_string": "a = 1", "new_string": f"a = {i}"})
        call = ToolCall.from_raw(f"call_{i}", "edit", arguments)
        output = f"Edited {path}: 1 replacement.\n" + "    context line of the file\n" * 12
        messages += [
            Message.user(f"Request {i}: make case {i} work in {path}, with a test."),
            Message.assistant(f"I will change the constant in {path}.", [call]),
            Message.tool(call, ToolResult(text=output)),
            Message.assistant(f"Done: {path} now sets a = {i}; the tests pass."),
        ]
        i += 1
    return messages[:length]


def _resume(runs: int) -> list[float]:
    from tau_cli.session import (
        ContextBudget,
        ContextManager,
        Session,
        SessionStore,
        SlidingWindow,
    )

    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "sessions")
        session = Session(cwd=tmp, model="openai:bench")
        session.extend(_conversation(MESSAGES))
        store.attach(session)  # one write of the whole history
        session.close()
        for i in range(runs + 1):  # the first run warms the file cache
            start = time.perf_counter()
            loaded = store.resume(session.id)
            manager = ContextManager(ContextBudget(200_000, 8_192), strategy=SlidingWindow())
            window = manager.build(loaded.session)
            elapsed = time.perf_counter() - start
            loaded.session.close()
            if len(loaded.session) != MESSAGES or not window.messages:
                raise RuntimeError(f"resumed {len(loaded.session)} messages, not {MESSAGES}")
            if i:
                samples.append(elapsed)
    return samples


FIGURES = [
    Figure(
        "session-resume",
        "resume a 5,000-message session (load + first window built)",
        "s",
        0.5,
        _resume,
        runs=7,
        quick_runs=3,
    ),
]
