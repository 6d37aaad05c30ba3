"""Long saved sessions for the TUI's figures: written once, read the way ``tau`` reads them."""

from __future__ import annotations

from pathlib import Path

from tau_cli.core import Message, ToolCall, ToolResult
from tau_cli.session.session import Session
from tau_cli.session.store import SessionStore

MODEL = "openai:scripted-model"


def exchange(n: int) -> list[Message]:
    """Four messages a typical step makes: a question, a tool call, its result, an answer."""
    call = ToolCall(id=f"call-{n}", name="read", arguments={"file_path": f"src/module_{n}.py"})
    source = "".join(f"def f{n}_{i}(x):\n    return x + {i}\n" for i in range(8))
    answer = (
        f"## Module {n}\n\nIt defines **eight** small functions; `f{n}_0` is the one the"
        f" tests call.\n\n- each adds a constant\n- none has side effects\n\n"
        f"```python\nassert f{n}_3(1) == 4\n```\n"
    )
    return [
        Message.user(f"what does module {n} do, and is it safe to change?"),
        Message.assistant(tool_calls=[call]),
        Message.tool(call, ToolResult(text=source)),
        Message.assistant(answer),
    ]


def messages(count: int) -> list[Message]:
    return [m for n in range(count // 4) for m in exchange(n)]


def save_session(repo: Path, count: int, store: SessionStore | None = None) -> str:
    """Write a session of ``count`` messages for ``repo``; returns its id."""
    session = Session(cwd=repo, model=MODEL)
    session.extend(messages(count))
    (store or SessionStore()).attach(session)
    session.close()
    return session.id
