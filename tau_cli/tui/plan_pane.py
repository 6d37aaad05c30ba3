"""The approved plan above the conversation: its steps, ticked off as the model works.

Built from the turn's events alone (the approval's tool result carries the plan,
``update_plan`` calls tick steps), so it looks the same attached over ACP.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tau_cli.core import ToolCall, ToolResult
from tau_cli.runtime.checklist import plan_steps

_APPROVED = "The user approved the plan"


class PlanPane(Static):
    DEFAULT_CSS = """
    PlanPane {
        display: none;
        height: auto;
        max-height: 10;
        padding: 0 1;
        border-bottom: solid $panel;
        overflow-y: auto;
    }
    PlanPane.-shown {
        display: block;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="plan")
        self.title = ""
        self.steps: list[tuple[bool, str]] = []

    def on_call_finished(self, call: ToolCall, result: ToolResult) -> None:
        """Follow the plan's tools: an approval shows the plan, ``update_plan`` ticks it."""
        if result.is_error:
            return
        if call.name == "propose_plan" and result.text.startswith(_APPROVED):
            title = call.arguments.get("title")
            self.title = title if isinstance(title, str) else "plan"
            self.steps = plan_steps(result.text)
        elif call.name == "update_plan" and self.steps:
            step, done = call.arguments.get("step"), call.arguments.get("done", True)
            if isinstance(step, int) and 1 <= step <= len(self.steps):
                self.steps[step - 1] = (bool(done), self.steps[step - 1][1])
        else:
            return
        self.set_class(bool(self.steps), "-shown")
        self.update(self._render_plan())

    def _render_plan(self) -> Text:
        done = sum(1 for ticked, _ in self.steps if ticked)
        text = Text.assemble(
            ("Plan: ", "bold"), (self.title, "bold"), f"  {done}/{len(self.steps)}"
        )
        for ticked, step in self.steps:
            text.append("\n")
            text.append("✓ " if ticked else "○ ", style="green" if ticked else "dim")
            text.append(step, style="dim" if ticked else "")
        return text
