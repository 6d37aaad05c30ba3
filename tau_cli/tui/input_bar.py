"""The input box with its completion list: what the user types, and what it may become.

Kept apart from the app so the conversation and the typing side change
independently. The list above the box follows the text before the cursor; the
runtime's own commands, the project's files and MCP resources are fetched the
first time a ``/`` or ``@`` is typed (not at start-up). ``PromptInput.Submitted``
goes on to the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical

from tau_cli.runtime.client import RuntimeClient
from tau_cli.runtime.commands import COMMANDS
from tau_cli.runtime.input_history import InputHistory
from tau_cli.tui.completion import Completer, CompletionMenu
from tau_cli.tui.prompt_input import PromptInput

BARE_COMMANDS = frozenset(c.name for c in COMMANDS if not c.usage)
"""Built-in commands that take no argument: choosing one from the list runs it."""


class InputBar(Vertical):
    """The completion list and the input box under the conversation."""

    DEFAULT_CSS = """
    InputBar {
        height: auto;
    }
    """

    def __init__(
        self,
        client: Callable[[], Awaitable[RuntimeClient]],
        *,
        history: InputHistory | None = None,
        modes: Sequence[str] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._client = client
        """The runtime, once it has started (the bar is on screen before it)."""
        self._history = history
        self._completer = Completer(modes=modes)
        self._extra: set[str] = set()
        self._loading = False
        self._ready = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield CompletionMenu(id="completions")
        yield PromptInput(history=self._history, id="prompt")

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def menu(self) -> CompletionMenu:
        return self.query_one(CompletionMenu)

    async def extra_commands(self) -> set[str]:
        """The runtime's commands (skills, MCP prompts), loaded if they are not yet."""
        if not self._loading:
            await self._load()
        await self._ready.wait()
        return self._extra

    def close_menu(self) -> bool:
        """Close the completion list; False when it was not open."""
        if not self.menu.is_open:
            return False
        self.menu.show(None)
        self.prompt.completing = False
        return True

    async def _load(self) -> None:
        self._loading = True
        try:
            found = await (await self._client()).completions()
        except Exception as exc:  # completion is a convenience: never worth failing for
            self.notify(f"completion unavailable: {exc}", severity="warning")
            return
        finally:
            self._ready.set()
        self._completer.commands = found.commands
        self._completer.files = found.files
        self._completer.resources = found.resources
        self._extra = {c.name for c in found.commands}

    def on_text_area_changed(self, event: PromptInput.Changed) -> None:
        prompt = self.prompt
        if event.text_area is not prompt:
            return
        if prompt.recalled is not None and prompt.text == prompt.recalled:
            return  # brought back from the history: Up and Down keep walking it
        before = self._before_cursor() if prompt.text else ""
        if not self._loading and ("/" in before[:1] or "@" in before):
            self.run_worker(self._load_then_complete(), group="completions")
            return
        self._complete(before)

    async def _load_then_complete(self) -> None:
        await self._load()
        self._complete(self._before_cursor())

    def _before_cursor(self) -> str:
        prompt = self.prompt
        return prompt.document.get_text_range((0, 0), prompt.cursor_location)

    def _complete(self, before: str) -> None:
        prompt, menu = self.prompt, self.menu
        completion = self._completer.complete(before)
        if completion is None and not menu.is_open and not prompt.suggestion:
            return  # the common case, a key in a plain prompt: nothing to redraw
        menu.show(completion)
        prompt.completing = menu.is_open
        prompt.suggestion = ""
        if completion is not None:
            word = before[completion.start :]
            first = completion.choices[0].value
            if first.startswith(word) and len(first) > len(word):
                prompt.suggestion = first[len(word) :]

    def on_prompt_input_browse(self, event: PromptInput.Browse) -> None:
        event.stop()
        self.menu.move(event.step)

    def on_prompt_input_accept(self, event: PromptInput.Accept) -> None:
        event.stop()
        menu, prompt = self.menu, self.prompt
        choice, completion = menu.chosen(), menu.completion
        self.close_menu()
        if choice is None or completion is None:
            return
        cursor = prompt.cursor_location
        before = self._before_cursor()
        start = _location(before, completion.start)
        # A command that needs nothing more runs at once; anything else waits for more.
        runs = before.startswith("/") and " " not in before and choice.value in BARE_COMMANDS
        prompt.replace(choice.value if runs else choice.value + " ", start, cursor)
        prompt.suggestion = ""
        if runs:  # from here: a message the box sent would stop at its parent, this bar
            self.post_message(PromptInput.Submitted(prompt, prompt.text))


def _location(text: str, index: int) -> tuple[int, int]:
    """The (row, column) of ``index`` in ``text``."""
    row = text.count("\n", 0, index)
    return row, index - (text.rfind("\n", 0, index) + 1)
