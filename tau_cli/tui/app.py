"""``TauApp``: the conversation, the input box and the status bar over a ``RuntimeClient``.

A turn runs in a worker that reads the runtime's event stream and updates the
conversation. Text deltas only feed a ``MarkdownStream`` buffer (rendered once a
frame); everything else mounts or updates one small widget. Questions from the
runtime arrive through ``TuiInteraction`` and appear inline.

Keys: Enter sends (while the agent works, it queues the text for the model's next
step); Shift+Enter or Ctrl+J starts a new line; Esc stops the running turn (or
closes a completion list); Shift+Tab cycles the permission mode; Ctrl+Q (Textual's
own quit key) or ``/quit`` leaves. Slash commands, ``!command`` and ``#note`` run
through the runtime's shared command table (``tau_cli.runtime.commands``).

The app can paint before its runtime exists: given ``start`` instead of a client, it
draws the input box first and builds the runtime behind it (providers, tools, MCP
servers, whose start-up can take a second). What the user types meanwhile waits
for it; a runtime that cannot start ends the app with ``start_error`` set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tau_cli.core import Event, Message, ReasoningDelta, TextDelta, TokenUsage, ToolCall
from tau_cli.runtime.client import RuntimeClient
from tau_cli.runtime.commands import Outcome, command_name, interpret
from tau_cli.runtime.events import (
    AssistantMessage,
    Compacted,
    Injected,
    ModeChanged,
    Notice,
    ToolFinished,
    ToolProgress,
    ToolStarted,
    TurnFinished,
)
from tau_cli.runtime.input_history import InputHistory
from tau_cli.runtime.settings import PermissionMode
from tau_cli.tui.conversation import Conversation, history_entries
from tau_cli.tui.input_bar import InputBar
from tau_cli.tui.interaction import TuiInteraction
from tau_cli.tui.pickers import SessionPicker
from tau_cli.tui.plan_pane import PlanPane
from tau_cli.tui.prompt_input import PromptInput
from tau_cli.tui.prompts import Prompt
from tau_cli.tui.widgets import (
    Answer,
    NoticeLine,
    PendingInjection,
    Reasoning,
    ToolCard,
    UserMessage,
)

T = TypeVar("T")

MODE_CYCLE: tuple[PermissionMode, ...] = ("default", "accept_edits", "plan")
"""What Shift+Tab steps through; ``bypass`` is never one key press away."""


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    mode: reactive[str] = reactive("default")
    working: reactive[bool] = reactive(False)
    starting: reactive[bool] = reactive(False)
    """The runtime is being built: what is typed now waits for it."""
    usage: reactive[TokenUsage] = reactive(TokenUsage)
    """Tokens (and cost, when prices are configured) of this session so far."""
    context_fill: reactive[float | None] = reactive(None)
    """How full the model's context window was at its last answer (0..1)."""

    def __init__(self, model: str, location: str, mode: str) -> None:
        super().__init__(id="status")
        self.model = model
        self.location = location
        self.set_reactive(StatusBar.mode, mode)

    def render(self) -> Text:
        text = Text.assemble((self.model, "bold"), " · ", (self.mode.replace("_", " "), "bold"))
        if self.context_fill is not None:
            text.append(f" · context {self.context_fill:.0%}")
        if self.usage.total_tokens:
            text.append(f" · {_count(self.usage.total_tokens)} tokens")
        if self.usage.cost is not None:
            text.append(f" · ${self.usage.cost:.2f}")
        text.append(f" · {self.location}")
        if self.starting:
            text.append(" · starting")
        elif self.working:
            text.append(" · working, Esc stops")
        return text


def _describe(call: ToolCall) -> str:
    """One line for a call from a saved session (live calls come with the runtime's summary)."""
    for key in ("command", "file_path", "path", "pattern", "url", "description", "title"):
        value = call.arguments.get(key)
        if isinstance(value, str):
            return f"{call.name} {value}"
    return call.name


_KEYS = """\
Enter sends (queued for the next step while tau works) · Shift+Enter or Ctrl+J: new line
Esc stops · Shift+Tab: mode · Up/Down: earlier prompts · Tab: complete
Enter on a tool card: its output"""
_SHELL_LINES = 30
"""The tail of a ``!command``'s output shown (the model gets all of it, cut like tools')."""


def _progress(event: ToolProgress) -> str:
    """``indexing 3/10`` (or ``30%``, or a bare count) for a card's header."""
    if event.total:
        amount = f"{event.progress:g}/{event.total:g}"
    elif event.progress is not None:
        amount = f"{event.progress:g}"
    else:
        amount = ""
    return " ".join(part for part in (event.message, amount) if part)


def _count(tokens: int) -> str:
    return f"{tokens / 1000:.1f}k" if tokens >= 1000 else str(tokens)


@dataclass(frozen=True)
class Started:
    """What the app learns once the runtime behind it has been built."""

    client: RuntimeClient
    location: str | None = None
    """The status bar's place, now that it can name where tools run."""
    context_window: int | None = None
    history: Sequence[Message] = ()
    """A resumed session's messages."""


class TauApp(App[None]):
    """tau's full-screen chat."""

    TITLE = "tau"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #conversation {
        height: 1fr;
        padding: 0 1 1 1;
    }
    #prompt {
        border: tall $accent 40%;
    }
    #prompt:focus {
        border: tall $accent;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop the turn", priority=True),
        Binding("shift+tab", "cycle_mode", "Mode", priority=True),
    ]

    working: reactive[bool] = reactive(False)

    def __init__(
        self,
        client: RuntimeClient | None,
        interaction: TuiInteraction,
        *,
        start: Callable[[], Awaitable[Started]] | None = None,
        model: str,
        location: str,
        mode: PermissionMode = "default",
        root: str | None = None,
        context_window: int | None = None,
        history: Sequence[Message] = (),
        first_prompt: str | None = None,
        input_history: InputHistory | None = None,
        pick_session: bool = False,
    ) -> None:
        """Args:
        client: the runtime to drive; None when ``start`` builds it.
        interaction: the ``Interaction`` the runtime was built with; it asks in this app.
        start: builds the runtime once the app is on screen (instead of ``client``).
        model: shown in the status bar.
        location: the working folder as the status bar shows it.
        mode: the permission mode the runtime starts in.
        root: the working folder; tool cards show paths under it relative to it.
        context_window: the model's window in tokens, for the status bar's fill gauge.
        history: a resumed session's messages, shown before anything new.
        first_prompt: sent as soon as the app starts.
        input_history: what was sent before in this project (Up brings it back).
        pick_session: open the session picker at start (``tau --resume`` without an id).
        """
        super().__init__()
        if (client is None) == (start is None):
            raise ValueError("TauApp needs a client or a start, not both")
        self._client = client
        self._start = start
        self._started = asyncio.Event()
        if client is not None:
            self._started.set()
        self.start_error: Exception | None = None
        """Why the runtime could not start, when it could not (the app has ended)."""
        self._held: list[str] = []
        """Text sent on to the turn while the runtime was starting."""
        self._in_order = asyncio.Lock()
        """What is typed while the runtime starts runs in the order it was typed."""
        self.mode: PermissionMode = mode
        self._model = model
        self._location = location
        self._first_prompt = first_prompt
        self._root = root.rstrip("/") + "/" if root else None
        self._context_window = context_window
        self._history = list(history)
        self._answer: Answer | None = None
        self._reasoning: Reasoning | None = None
        self._cards: dict[str, ToolCard] = {}
        self._pending: list[PendingInjection] = []
        self._open_prompts: list[Prompt[Any]] = []
        self._input_history = input_history
        self._pick_at_start = pick_session
        interaction.attach(self)

    def compose(self) -> ComposeResult:
        yield PlanPane()
        yield Conversation(id="conversation")
        yield InputBar(self.runtime, history=self._input_history, modes=MODE_CYCLE, id="input")
        yield StatusBar(self._model, self._location, self.mode)

    def on_mount(self) -> None:
        self.conversation.anchor()
        self.prompt_input.focus()
        if self._start is None:
            self._after_start()
            return
        self.query_one(StatusBar).starting = True
        # Built after the first frame is drawn: the user sees the prompt, not a blank screen.
        self.call_after_refresh(self.run_worker, self._start_runtime(), group="start")

    @property
    def client(self) -> RuntimeClient:
        """The runtime, once started (every user action that needs it waits for it)."""
        if self._client is None:
            raise RuntimeError("the runtime has not started yet")
        return self._client

    async def runtime(self) -> RuntimeClient:
        """The runtime, waiting for it to start if it has not yet."""
        await self._started.wait()
        return self.client

    async def _start_runtime(self) -> None:
        assert self._start is not None
        try:
            started = await self._start()
        except Exception as exc:  # the CLI shows it once the terminal is back
            self.start_error = exc
            self.exit(return_code=1)
            return
        self._client = started.client
        if started.context_window is not None:
            self._context_window = started.context_window
        self._history = list(started.history)
        status = self.query_one(StatusBar)
        if started.location is not None:
            status.location = started.location
        status.starting = False
        self._started.set()
        self._after_start()

    def _after_start(self) -> None:
        if self._history:
            self._show_history(self._history)
        if self._pick_at_start:
            self._open_picker()
        elif self._first_prompt:
            self.send(self._first_prompt)

    @property
    def conversation(self) -> Conversation:
        return self.query_one("#conversation", Conversation)

    @property
    def prompt_input(self) -> PromptInput:
        return self.query_one("#prompt", PromptInput)

    def watch_working(self, working: bool) -> None:
        for status in self.query(StatusBar):  # none once the app is closing
            status.working = working

    # Input ------------------------------------------------------------------

    def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        event.input.clear()
        event.input.remember(text)
        if text[0] in "!#" or command_name(text) is not None:
            self.run_worker(self._command(text), group="command")
        else:
            self._prompt(text)

    def _prompt(self, text: str) -> None:
        """Text for the model: a new turn, or queued for the running one's next step."""
        if self.working:
            if self._client is None:
                self._held.append(text)  # the turn hands it on once the runtime is up
            else:
                self._client.inject(text)
            pending = PendingInjection(text)
            self._pending.append(pending)
            self._add(pending)
        else:
            self.send(text)

    async def _command(self, text: str) -> None:
        if command_name(text) == "/quit":  # needs no runtime: never wait for one to start
            self.exit()
            return
        if self._started.is_set():
            await self._run_command(text)
            return
        async with self._in_order:  # a prompt typed after it waits until it has run
            await self._run_command(text)

    async def _run_command(self, text: str) -> None:
        client = await self.runtime()
        extra: set[str] = set()
        if command_name(text) is not None:  # a skill or MCP prompt is not an unknown command
            extra = await self.query_one(InputBar).extra_commands()
        outcome = await interpret(client, text, modes=MODE_CYCLE, extra=extra, keys=_KEYS)
        if outcome is None:  # a word like ``#`` alone: the model reads it
            self._prompt(text)
        else:
            self._apply(outcome)

    def _apply(self, outcome: Outcome) -> None:
        """Draw what a command did."""
        if outcome.action == "quit":
            self.exit()
        elif outcome.action == "shell":
            result = outcome.result
            output = result.text.rstrip() if result is not None else ""
            lines = output.splitlines()
            if len(lines) > _SHELL_LINES:
                lines = [f"… {len(lines) - _SHELL_LINES} lines above", *lines[-_SHELL_LINES:]]
            failed = result is not None and result.is_error
            shown = "\n".join([f"$ {outcome.command}", *lines])
            self._add(NoticeLine(shown, "error" if failed else "info"))
        elif outcome.action == "pick_session":
            self._open_picker(outcome)
        elif outcome.action in ("cleared", "resumed"):
            self._redraw(outcome.text)
        elif outcome.action == "mode" and outcome.mode is not None:
            self._set_mode(outcome.mode)  # the status bar says it
        else:
            self._add(NoticeLine(outcome.text, outcome.level))
            if outcome.action == "model":
                status = self.query_one(StatusBar)
                status.model = outcome.text.removeprefix("model: ")
                status.refresh()

    def _redraw(self, notice: str) -> None:
        """Another conversation is current: show it from its start."""
        self.conversation.clear()
        self._cards.clear()
        self._pending.clear()
        self._answer = None
        self._reasoning = None
        messages = [m for m in self.client.messages() if m.role != "system"]
        if messages:
            self._show_history(messages)
        self.query_one(StatusBar).usage = self.client.usage()
        self._add(NoticeLine(notice))

    def _open_picker(self, outcome: Outcome | None = None) -> None:
        sessions = outcome.sessions if outcome is not None else self.client.list_sessions()
        picker = SessionPicker(sessions, current=self.client.session_id)
        if not picker.sessions:
            self._add(NoticeLine("no other saved conversations in this project"))
            return
        self._add(picker)
        picker.focus()

    async def on_session_picker_chosen(self, event: SessionPicker.Chosen) -> None:
        await event.picker.remove()
        self.prompt_input.focus()
        if event.session_id is None:
            self._add(NoticeLine("kept this conversation"))
            return
        try:
            await self.client.resume_session(event.session_id)
        except Exception as exc:  # a transcript that cannot be read: say so, keep this one
            self._add(NoticeLine(f"cannot resume: {exc}", "error"))
            return
        self._redraw(f"resumed {event.session_id}")

    async def _switch_mode(self, mode: PermissionMode) -> None:
        await (await self.runtime()).set_mode(mode)

    def send(self, text: str) -> None:
        """Start a turn with ``text``."""
        self._add(UserMessage(text))
        self.working = True
        self.run_worker(self._turn(text), group="turn", exclusive=True)

    def action_stop(self) -> None:
        if self.query_one(InputBar).close_menu():
            return
        for picker in self.query(SessionPicker):
            picker.cancel()
            return
        if self.working and self._client is not None:
            self._client.cancel()
        elif self.working:  # still starting: the turn has not begun, so drop it
            self.workers.cancel_group(self, "turn")

    def action_cycle_mode(self) -> None:
        at = MODE_CYCLE.index(self.mode) if self.mode in MODE_CYCLE else -1
        mode = MODE_CYCLE[(at + 1) % len(MODE_CYCLE)]
        self._set_mode(mode)
        # In order, and without holding up the keys while the runtime starts.
        self.run_worker(self._switch_mode(mode), group="mode")

    def _set_mode(self, mode: PermissionMode) -> None:
        self.mode = mode
        self.query_one(StatusBar).mode = mode

    # The turn ---------------------------------------------------------------

    async def _turn(self, text: str) -> None:
        try:
            if self._started.is_set():
                client = self.client
            else:
                async with self._in_order:  # after the commands typed before it
                    client = await self.runtime()
            for held in self._held:
                client.inject(held)
            self._held.clear()
            async for event in client.submit(text):
                self._show(event)
        except Exception as exc:  # the runtime itself failed: say so, keep the app
            self._add(NoticeLine(f"error: {exc}", "error"))
        finally:
            self._end_step()
            self.working = False
            self.conversation.archive()
            # The runtime keeps what the turn did not take and hands it to the model with
            # the next prompt; say so rather than pretend it was lost or delivered.
            self._pending = [p for p in self._pending if not p.delivered]
            for pending in self._pending:
                pending.wait_for_next_turn()

    def _show(self, event: Event) -> None:
        if event.parent_id is not None:
            self._show_child(event)
        elif isinstance(event, TextDelta):
            if self._answer is None:
                if self._reasoning is not None:
                    self._reasoning.finish()
                    self._reasoning = None
                self._answer = Answer()
                self._add(self._answer)
            self._answer.append(event.text)
        elif isinstance(event, ReasoningDelta):
            if self._reasoning is None:
                self._reasoning = Reasoning()
                self._add(self._reasoning)
            if event.text:
                self._reasoning.append(event.text)
        elif isinstance(event, AssistantMessage):
            self._end_step()
            if self._context_window:
                used = event.usage.total_tokens / self._context_window
                self.query_one(StatusBar).context_fill = min(used, 1.0)
        elif isinstance(event, ToolStarted):
            self._end_step()
            summary = event.summary
            if summary.startswith(f"{event.call.name} {{"):  # raw JSON: say it in words
                summary = _describe(event.call)
            card = ToolCard(event.call, self._short(summary))
            self._cards[event.call.id] = card
            self._add(card)
        elif isinstance(event, ToolProgress):
            reporting = self._cards.get(event.call_id)
            if reporting is not None:
                reporting.show_progress(_progress(event))
        elif isinstance(event, ToolFinished):
            running = self._cards.pop(event.call_id, None)
            if running is not None:
                running.finish(event.result, event.duration_ms)
                self.query_one(PlanPane).on_call_finished(running.call, event.result)
        elif isinstance(event, Injected):
            self._deliver(event.text)
        elif isinstance(event, ModeChanged):
            self._set_mode(event.mode)
        elif isinstance(event, Notice):
            self._add(NoticeLine(event.message, event.level))
        elif isinstance(event, Compacted):
            self._add(
                NoticeLine(f"context compacted: {event.tokens_before} → {event.tokens_after}")
            )
        elif isinstance(event, TurnFinished):
            self._end_step()
            status = self.query_one(StatusBar)
            status.usage = status.usage + event.usage
            if event.error is not None:
                self._add(NoticeLine(f"error: {event.error.message}", "error"))
            elif event.reason != "completed":
                self._add(NoticeLine(f"stopped: {event.reason.replace('_', ' ')}", "warning"))

    def _show_history(self, messages: Sequence[Message]) -> None:
        """A resumed conversation, drawn as it looked, kept as data until scrolled to."""
        history = self.conversation.history
        history.extend(history_entries(messages, lambda call: self._short(_describe(call))))
        self._add(NoticeLine(f"resumed: {len(messages)} messages"))

    def _show_child(self, event: Event) -> None:
        """A subagent's event: its tool calls are listed under the task's card; its text is
        its report, which arrives as the task's result."""
        task = self._cards.get(event.parent_id or "")
        if task is not None and isinstance(event, ToolStarted):
            summary = self._short(event.summary)
            task.add_child(summary)

    def _short(self, summary: str) -> str:
        return summary.replace(self._root, "") if self._root else summary

    def _end_step(self) -> None:
        if self._answer is not None:
            self._answer.finish()
            self._answer = None
        if self._reasoning is not None:
            self._reasoning.finish()
            self._reasoning = None

    def _deliver(self, text: str) -> None:
        for pending in self._pending:
            if not pending.delivered and pending.text == text:
                pending.deliver()
                return

    def _add(self, widget: Widget) -> None:
        # The runtime waits while a question is open, so whatever arrives meanwhile was
        # sent before the question was asked (the card of the call asking, say): it goes
        # above the question, which stays last, where the keys are.
        if self._open_prompts:
            self.conversation.mount(widget, before=self._open_prompts[0])
        else:
            self.conversation.mount(widget)

    # PromptHost: where TuiInteraction puts its questions ----------------------

    async def show_prompt(self, prompt: Prompt[T]) -> None:
        self._end_step()
        prompt.root = self._root
        mounting = self.conversation.mount(prompt)
        self._open_prompts.append(prompt)
        # Asked for in the same step as the mount, so no key pressed once the prompt is
        # on screen can reach the input box instead.
        prompt.focus()
        await mounting
        prompt.focus()
        self.conversation.scroll_end(animate=False)

    async def show_notice(self, notice: NoticeLine) -> None:
        await self.conversation.mount(notice)

    def prompt_done(self) -> None:
        self._open_prompts = [p for p in self._open_prompts if not p.answered]
        self.prompt_input.focus()
