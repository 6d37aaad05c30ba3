"""``todo``: the model's task list for the current work, kept in the session for UIs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tau_cli.core import ToolResult
from tau_cli.tools.base import ToolContext
from tau_cli.tools.builtin._base import Arguments, BuiltinTool

TodoStatus = Literal["pending", "in_progress", "completed"]
_MARKS = {"pending": "[ ]", "in_progress": "[>]", "completed": "[x]"}


class TodoItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    content: str = Field(min_length=1, description='What to do, e.g. "Add tests for the parser".')
    status: TodoStatus = Field(description="pending, in_progress or completed.")
    active_form: str | None = Field(
        default=None, description='Shown while in progress, e.g. "Adding tests for the parser".'
    )


class TodoArguments(Arguments):
    todos: list[TodoItem] = Field(description="The whole list, replacing the previous one.")


class TodoTool(BuiltinTool[TodoArguments]):
    name = "todo"
    read_only = True  # it changes only the session's list, nothing on disk
    arguments = TodoArguments
    description = """Keep a task list for work with several steps; the user sees it live.

- Send the whole list every time; it replaces the previous one.
- Exactly one item is in_progress while you work; mark an item completed as soon as it
  is done, not in batches at the end. Add items you discover along the way.
- Skip it for a single small step. Example: {"todos": [{"content": "Reproduce the bug",
  "status": "completed"}, {"content": "Fix the parser", "status": "in_progress"},
  {"content": "Run the tests", "status": "pending"}]}"""

    async def run(self, args: TodoArguments, context: ToolContext) -> ToolResult:
        working = [item for item in args.todos if item.status == "in_progress"]
        if len(working) > 1:
            names = ", ".join(repr(item.content) for item in working)
            return ToolResult.error(
                f"{len(working)} items are in_progress ({names}); keep exactly one in progress "
                "and mark the others pending or completed."
            )
        context.session.todos = list(args.todos)
        done = sum(item.status == "completed" for item in args.todos)
        lines = [f"{_MARKS[item.status]} {item.content}" for item in args.todos]
        summary = f"Task list updated ({done}/{len(args.todos)} done):"
        return ToolResult(
            text="\n".join([summary, *lines]),
            structured={"todos": [item.model_dump(mode="json") for item in args.todos]},
        )
