"""Facts computed from the transcript itself, so compaction never depends on memory.

A summary written by a model can forget which files were edited or which tasks are
still open. These are read straight off the tool calls instead and carried into
every compacted window.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import JsonValue

from tau_cli.core import Message

PATH_KEYS = ("path", "file_path", "filepath", "filename", "notebook_path", "paths", "files")
"""Tool argument names that hold file paths (a string or a list of strings)."""
_DONE = {"completed", "complete", "done", "cancelled", "canceled"}


def files_touched(messages: Sequence[Message]) -> list[str]:
    """Paths named in tool call arguments, first mention first, each once."""
    seen: dict[str, None] = {}
    for message in messages:
        for call in message.tool_calls:
            for key in PATH_KEYS:
                for path in _strings(call.arguments.get(key)):
                    seen.setdefault(path, None)
    return list(seen)


def open_todos(messages: Sequence[Message]) -> list[str]:
    """Items of the latest todo list written by a tool that are not finished yet.

    A todo tool's arguments hold ``todos``: a list of objects with ``content`` (or
    ``text``/``title``) and ``status``; items marked completed or cancelled are done.
    """
    for message in reversed(messages):
        for call in reversed(message.tool_calls):
            todos = call.arguments.get("todos")
            if isinstance(todos, list):
                return [text for text, status in _todo_items(todos) if status not in _DONE]
    return []


def carried_facts(messages: Sequence[Message]) -> str:
    """The files and open tasks of ``messages`` as text for a summary ("" if none)."""
    sections: list[str] = []
    files = files_touched(messages)
    if files:
        sections.append("Files touched so far:\n" + "\n".join(f"- {p}" for p in files))
    todos = open_todos(messages)
    if todos:
        sections.append("Open tasks:\n" + "\n".join(f"- [ ] {t}" for t in todos))
    return "\n\n".join(sections)


def digest_lines(messages: Sequence[Message], width: int = 160) -> list[str]:
    """One short line per notable step: requests, tool calls, failures, answers."""
    lines: list[str] = []
    for message in messages:
        text = " ".join(message.text.split())
        if message.role == "user" and text:
            lines.append(f"- The user asked: {_clip(text, width)}")
        elif message.role == "assistant":
            for call in message.tool_calls:
                args = call.raw_arguments or str(call.arguments)
                lines.append(f"- Called {call.name} {_clip(' '.join(args.split()), width)}")
            if text and not message.tool_calls:
                lines.append(f"- Answered: {_clip(text, width)}")
        elif message.role == "tool" and message.is_error:
            lines.append(f"- {message.name or 'A tool'} failed: {_clip(text, width)}")
    return lines


def _strings(value: JsonValue | None) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _todo_items(todos: list[JsonValue]) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for todo in todos:
        if isinstance(todo, dict):
            text = next(
                (v for k in ("content", "text", "title") if isinstance(v := todo.get(k), str)),
                "",
            )
            status = todo.get("status")
            items.append((text, status.lower() if isinstance(status, str) else ""))
        elif isinstance(todo, str):
            items.append((todo, ""))
    return [(text, status) for text, status in items if text]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
