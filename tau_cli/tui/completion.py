"""Completion while typing: ``/`` commands and ``@`` mentions, in a list above the input.

``Completer`` is pure: given the text before the cursor it says which word is being
completed and the choices, best first. ``CompletionMenu`` draws them; the app moves
the highlight with Up and Down and takes a choice with Tab or Enter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tau_cli.runtime.client import CommandInfo
from tau_cli.runtime.commands import COMMANDS
from tau_cli.runtime.fuzzy import fuzzy_filter

_WORD = re.compile(r"(?:^|(?<=\s))@[^\s@]*$")
MAX_CHOICES = 8
"""What the list shows at once: enough to choose from, little enough to keep the
conversation in view on an 80 by 24 terminal."""


@dataclass(frozen=True)
class Choice:
    """One line of the list: what replaces the word, and a few words about it."""

    value: str
    detail: str = ""


@dataclass(frozen=True)
class Completion:
    """The word at the cursor (``text[start:]``) and what it may become."""

    start: int
    choices: list[Choice]


@dataclass
class Completer:
    """The choices for what is typed, from the commands and names a session knows."""

    commands: list[CommandInfo] = field(default_factory=list)
    """The runtime's own commands: skills and MCP prompts."""
    files: list[str] = field(default_factory=list)
    """The project's files, relative to its root (gitignored ones left out)."""
    resources: list[str] = field(default_factory=list)
    """MCP resources as ``@server:uri``."""
    modes: Sequence[str] = ()

    def complete(self, before_cursor: str) -> Completion | None:
        """What to offer for ``before_cursor`` (the text up to the cursor), if anything."""
        found = self._find(before_cursor)
        if found is None or not found.choices:
            return None
        word = before_cursor[found.start :]
        if len(found.choices) == 1 and found.choices[0].value == word:
            return None  # already complete
        return found

    def _find(self, before_cursor: str) -> Completion | None:
        if before_cursor.startswith("/") and "\n" not in before_cursor:
            return self._command(before_cursor)
        match = _WORD.search(before_cursor)
        if match is None:
            return None
        word = match.group(0)[1:]
        resources = [r for r in self.resources if r[1:].lower().startswith(word.lower())]
        files = fuzzy_filter(word, self.files, MAX_CHOICES * 4)
        choices = [Choice(r, "resource") for r in resources[:MAX_CHOICES]]
        choices += [Choice(f"@{f}") for f in files]
        return Completion(match.start(), choices[: MAX_CHOICES * 4]) if choices else None

    def _command(self, text: str) -> Completion | None:
        name, space, argument = text.partition(" ")
        if space:
            if name == "/mode" and " " not in argument:
                modes = [m for m in self.modes if m.startswith(argument)]
                return Completion(6, [Choice(m) for m in modes]) if modes else None
            return None
        known = [(c.name, c.summary) for c in COMMANDS]
        known += [(c.name, c.description or c.source) for c in self.commands]
        starts = [(n, d) for n, d in known if n.startswith(name)]
        names = {n for n, _ in starts}
        fuzzy = [
            n for n in fuzzy_filter(name[1:], (n[1:] for n, _ in known)) if f"/{n}" not in names
        ]
        details = dict(known)
        ordered = [*starts, *((f"/{n}", details[f"/{n}"]) for n in fuzzy)]
        return Completion(0, [Choice(n, _first_line(d)) for n, d in ordered])


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 60 else line[:59] + "…"


class CompletionMenu(OptionList, can_focus=False):
    """The choices for the word being typed; hidden when there are none."""

    DEFAULT_CSS = """
    CompletionMenu {
        display: none;
        height: auto;
        max-height: 10;
        margin: 0 1;
        border: none;
        background: $panel;
    }
    CompletionMenu.-open {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.completion: Completion | None = None

    def show(self, completion: Completion | None) -> None:
        self.completion = completion
        self.clear_options()
        if completion is None or not completion.choices:
            self.completion = None
            self.remove_class("-open")
            return
        self.add_options(_options(completion.choices))
        self.highlighted = 0
        self.add_class("-open")

    @property
    def is_open(self) -> bool:
        return self.completion is not None

    def move(self, step: int) -> None:
        if self.completion is None:
            return
        count = len(self.completion.choices)
        self.highlighted = ((self.highlighted or 0) + step) % count

    def chosen(self) -> Choice | None:
        if self.completion is None or self.highlighted is None:
            return None
        return self.completion.choices[self.highlighted]


def _options(choices: Iterable[Choice]) -> list[Option]:
    options = []
    for choice in choices:
        label = Text(choice.value, style="bold")
        if choice.detail:
            label.append(f"  {choice.detail}", style="dim")
        options.append(Option(label))
    return options
