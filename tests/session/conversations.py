"""Scripted conversations for window and compaction tests: a coding session in turns."""

from __future__ import annotations

import json

from tau_cli.core import Message, ToolCall, ToolResult


def turn(i: int, *, result_size: int = 400) -> list[Message]:
    """One turn: a request, an edit of ``src/mod<i%37>.py``, its result, an answer."""
    path = f"src/mod{i % 37}.py"
    call = ToolCall.from_raw(
        f"call_{i}", "edit_file", json.dumps({"path": path, "old": "a", "new": f"b{i}"})
    )
    filler = "line of tool output\n" * (result_size // 20)
    return [
        Message.user(f"request {i}: change {path} so that case {i} works " + "please " * (i % 9)),
        Message.assistant(f"I will edit {path}.", [call]),
        Message.tool(call, ToolResult(text=f"edited {path}\n{filler}")),
        Message.assistant(f"Done with request {i}."),
    ]
