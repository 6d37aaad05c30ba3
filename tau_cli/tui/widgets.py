"""The pieces of the conversation: the user's messages, reasoning, tool cards, notices."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Collapsible, Static

from tau_cli.core import ToolCall, ToolResult
from tau_cli.tui.markdown_stream import MarkdownStream


class UserMessage(Static):
    DEFAULT_CSS = """
    UserMessage {
        margin: 1 0 0 0;
        padding: 0 1;
        color: $text;
        background: $boost;
        text-style: bold;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(Text(f"> {text}"))
        self.text = text


class Answer(MarkdownStream):
    """The model's visible answer for one step."""

    DEFAULT_CSS = """
    Answer {
        margin: 1 0 0 0;
    }
    """


class Reasoning(Collapsible):
    """The model's reasoning: dimmed, open while it streams, folded once the answer starts."""

    DEFAULT_CSS = """
    Reasoning {
        margin: 1 0 0 0;
        border: none;
        padding: 0;
        background: transparent;
    }
    Reasoning MarkdownStream {
        color: $text-muted;
        text-style: italic;
    }
    """

    def __init__(self) -> None:
        self.stream = MarkdownStream()
        super().__init__(self.stream, title="Thinking", collapsed=False)

    def append(self, text: str) -> None:
        self.stream.append(text)

    def finish(self) -> None:
        self.stream.finish()
        self.collapsed = True


def _first_line(text: str, width: int = 100) -> str:
    lines = text.strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= width else line[: width - 1] + "…"


class ToolCard(Static):
    """One tool call: name, what it touches, live status, how long it took, the error."""

    DEFAULT_CSS = """
    ToolCard {
        padding: 0 1;
        color: $text-muted;
    }
    ToolCard.-error {
        color: $error;
    }
    ToolCard.-done {
        color: $text;
    }
    """

    status: reactive[str] = reactive("running")

    def __init__(self, call: ToolCall, summary: str) -> None:
        super().__init__()
        self.call = call
        self.summary = summary
        self.duration_ms: float | None = None
        self.error: str | None = None

    def finish(self, result: ToolResult, duration_ms: float) -> None:
        self.duration_ms = duration_ms
        if result.is_error:
            self.error = _first_line(result.text) or "failed"
            self.add_class("-error")
        else:
            self.add_class("-done")
        self.status = "error" if result.is_error else "done"

    def render(self) -> Text:
        mark = {"running": "…", "done": "✓", "error": "✗"}[self.status]
        line = Text.assemble((f"{mark} ", "bold"), (self.call.name, "bold"), " ")
        line.append(self.summary or "")
        if self.duration_ms is not None:
            line.append(f"  {_duration(self.duration_ms)}", style="dim")
        if self.error:
            line.append(f"\n    {self.error}")
        return line


def _duration(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


class NoticeLine(Static):
    DEFAULT_CSS = """
    NoticeLine {
        padding: 0 1;
        color: $warning;
    }
    NoticeLine.-error {
        color: $error;
    }
    NoticeLine.-info {
        color: $text-muted;
    }
    """

    def __init__(self, text: str, level: str = "info") -> None:
        super().__init__(Text(text), classes=f"-{level}")


class PendingInjection(Static):
    """A message typed while the agent worked: pending until the model has it."""

    DEFAULT_CSS = """
    PendingInjection {
        padding: 0 1;
        color: $text-muted;
    }
    PendingInjection.-delivered {
        color: $text;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(Text(f"⧗ queued: {text}"))
        self.text = text
        self.delivered = False

    def deliver(self) -> None:
        self.delivered = True
        self.add_class("-delivered")
        self.update(Text(f"↳ {self.text}"))
