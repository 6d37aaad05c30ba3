"""The pieces of the conversation: the user's messages, reasoning, tool cards, notices."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
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


_CHILD_LINES = 5
"""A subagent's latest tool calls shown under its task card."""
_OUTPUT_LINES = 30
"""How much of a tool's output an expanded card shows (the model saw all of it)."""


def diff_of(result_text: str) -> str | None:
    """The hunks of a unified diff inside a tool's result (edit and write show one)."""
    lines = result_text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            return "\n".join(lines[i + 2 :]) or None
    return None


class ToolCard(Vertical, can_focus=True):
    """One tool call: what it does, live status, duration, error; Enter or a click shows output.

    Edits and writes show their diff straight away: that is what a reader wants to check.
    """

    DEFAULT_CSS = """
    ToolCard {
        height: auto;
        padding: 0 1;
    }
    ToolCard > .header {
        color: $text-muted;
    }
    ToolCard.-done > .header {
        color: $text;
    }
    ToolCard.-error > .header {
        color: $error;
    }
    ToolCard:focus > .header {
        text-style: reverse;
    }
    ToolCard > .children {
        display: none;
        padding: 0 0 0 2;
        color: $text-muted;
    }
    ToolCard.-has-children > .children {
        display: block;
    }
    ToolCard > .output {
        display: none;
        padding: 0 0 0 2;
        color: $text-muted;
    }
    ToolCard.-expanded > .output {
        display: block;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "toggle_output", "Show output", show=False),
    ]

    status: reactive[str] = reactive("running")

    def __init__(self, call: ToolCall, summary: str) -> None:
        super().__init__()
        self.call = call
        self.summary = summary
        self.duration_ms: float | None = None
        self.error: str | None = None
        self.output: str = ""
        self.diff: str | None = None
        self._body: RenderableType = ""
        self.children_seen: list[str] = []
        """For a subagent's task: the tool calls it made, one line each."""
        self.progress: str | None = None
        """The newest progress the tool reported (an MCP server's notifications)."""

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="header")
        yield Static(classes="children")
        yield Static(self._body, classes="output")

    def add_child(self, summary: str) -> None:
        """A subagent working for this call started a tool: list it under the card."""
        self.children_seen.append(summary)
        self.add_class("-has-children")
        lines = [f"↳ {line}" for line in self.children_seen[-_CHILD_LINES:]]
        hidden = len(self.children_seen) - _CHILD_LINES
        if hidden > 0:
            lines.insert(0, f"… {hidden} earlier")
        self.query_one(".children", Static).update(Text("\n".join(lines)))

    def show_progress(self, text: str) -> None:
        """What a running tool says it is doing: shown in the header until it ends."""
        self.progress = text
        self.watch_status()

    def finish(self, result: ToolResult, duration_ms: float | None) -> None:
        self.duration_ms = duration_ms
        self.output = result.text
        if result.is_error:
            self.error = _first_line(result.text) or "failed"
            self.add_class("-error")
        else:
            self.add_class("-done")
            self.diff = diff_of(result.text)
        self.status = "error" if result.is_error else "done"
        if self.diff is not None:
            self.add_class("-expanded")
        body = card_body(result.text, self.diff)
        self._body = body
        self._sync()

    def watch_status(self) -> None:
        self._sync()

    def on_mount(self) -> None:
        # A fast tool can finish after the card composed but before it counted as
        # mounted; draw whatever state it reached.
        self._sync()

    def _sync(self) -> None:
        for header in self.query(".header").results(Static):
            header.update(self._header())
        for output in self.query(".output").results(Static):
            output.update(self._body)

    @property
    def expanded(self) -> bool:
        return self.has_class("-expanded")

    def action_toggle_output(self) -> None:
        if self.status != "running":
            self.toggle_class("-expanded")

    def on_click(self) -> None:
        self.action_toggle_output()

    def _header(self) -> Text:
        line = card_header(
            self.status, self.summary or self.call.name, self.duration_ms, self.error
        )
        if self.status == "running" and self.progress:
            line.append(f"  {self.progress}", style="dim")
        return line


def card_header(status: str, summary: str, duration_ms: float | None, error: str | None) -> Text:
    """A tool card's first line (and its error): the same live and in the history."""
    mark = {"running": "…", "done": "✓", "error": "✗"}[status]
    line = Text.assemble((f"{mark} ", "bold"), (summary, "bold"))
    if duration_ms is not None:
        line.append(f"  {_duration(duration_ms)}", style="dim")
    if error:
        line.append(f"\n  {error}")
    return line


def card_body(output: str, diff: str | None) -> RenderableType:
    """What an expanded tool card shows: the diff, else the head of the output."""
    if diff is not None:
        return Syntax(diff, "diff", theme="ansi_dark", word_wrap=True)
    lines = output.rstrip().splitlines()
    more = len(lines) - _OUTPUT_LINES
    shown = "\n".join(lines[:_OUTPUT_LINES]) + (f"\n… {more} more lines" if more > 0 else "")
    return Text(shown or "(no output)")


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
        self.text = text
        self.level = level


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

    def wait_for_next_turn(self) -> None:
        self.update(Text(f"⧗ queued for your next message: {self.text}"))

    def deliver(self) -> None:
        self.delivered = True
        self.add_class("-delivered")
        self.update(Text(f"↳ {self.text}"))
