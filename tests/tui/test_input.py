"""The input box: several lines, and a history of what was sent that outlives the app."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tau_cli.runtime.input_history import InputHistory
from tau_cli.tui.prompt_input import PromptInput
from tau_cli.tui.widgets import UserMessage

from .conftest import make_repo, running_app, wait_for


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def _user_text(request: Any) -> str:
    """The newest user message of a chat-completions request body."""
    messages = request.json()["messages"]
    content = [m for m in messages if m["role"] == "user"][-1]["content"]
    return content if isinstance(content, str) else content[0]["text"]


async def test_shift_enter_and_ctrl_j_start_new_lines_and_enter_sends_them_all(
    repo: Path,
) -> None:
    script = [{"text": "Three lines read."}]
    async with running_app(repo, script) as (app, pilot, server):
        await pilot.press(*"one", "shift+enter", *"two", "ctrl+j", *"three")
        field = app.query_one("#prompt", PromptInput)
        assert field.value == "one\ntwo\nthree"
        assert field.document.line_count == 3
        assert not server.requests  # nothing was sent yet
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.working)

        assert field.value == ""
        assert [m.text for m in app.query(UserMessage)] == ["one\ntwo\nthree"]
        assert _user_text(server.requests[0]) == "one\ntwo\nthree"


async def test_up_moves_within_a_multi_line_draft_before_it_reaches_the_history(
    repo: Path,
) -> None:
    history = InputHistory()
    history.add("sent earlier")
    async with running_app(repo, [], input_history=history) as (app, pilot, _):
        await pilot.press(*"first", "ctrl+j", *"second")
        field = app.query_one("#prompt", PromptInput)
        await pilot.press("up")  # from the second line to the first: still the draft
        assert field.value == "first\nsecond"
        assert field.cursor_location[0] == 0
        await pilot.press("up")  # on the first line: the history
        assert field.value == "sent earlier"
        await pilot.press("down")  # back past the newest entry: the draft again
        assert field.value == "first\nsecond"


async def test_what_was_sent_comes_back_with_up_after_a_restart(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "tau-home"
    script = [{"text": "Noted."}, {"text": "Noted again."}]
    history = InputHistory.for_project(repo, home)
    async with running_app(repo, script, input_history=history) as (app, pilot, _):
        for text in ("fix the adder", "then run\nthe tests"):
            app.query_one("#prompt", PromptInput).value = text
            await pilot.press("enter")
            await wait_for(pilot, lambda: not app.working)

    again = InputHistory.for_project(repo, home)
    async with running_app(repo, [], input_history=again) as (app, pilot, _):
        field = app.query_one("#prompt", PromptInput)
        await pilot.press("up")
        assert field.value == "then run\nthe tests"  # one entry, both lines
        await pilot.press("up")
        assert field.value == "fix the adder"


def test_the_history_file_is_private_and_keeps_one_entry_per_prompt(tmp_path: Path) -> None:
    history = InputHistory.for_project(tmp_path / "project", tmp_path / "home")
    history.add("line one\nline two")
    history.add("line one\nline two")  # a repeat of the newest is kept once
    history.add("   ")  # blank: nothing to recall
    history.add('quotes " and \\ backslashes')
    assert history.path is not None
    assert stat.S_IMODE(os.stat(history.path).st_mode) == 0o600
    assert InputHistory(history.path).entries == [
        "line one\nline two",
        'quotes " and \\ backslashes',
    ]


def test_a_damaged_history_file_loses_only_its_damaged_lines(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text('"good"\n{not json\n42\n"also good"\n')
    assert InputHistory(path).entries == ["good", "also good"]


def test_the_file_is_cut_to_the_newest_entries_as_it_grows(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    history = InputHistory(path, limit=3)
    for i in range(7):
        history.add(f"prompt {i}")
    assert len(path.read_text().splitlines()) <= 6
    assert InputHistory(path, limit=3).entries == ["prompt 4", "prompt 5", "prompt 6"]


def test_two_projects_keep_their_own_history(tmp_path: Path) -> None:
    home = tmp_path / "home"
    InputHistory.for_project(tmp_path / "a" / "app", home).add("in a")
    InputHistory.for_project(tmp_path / "b" / "app", home).add("in b")
    assert InputHistory.for_project(tmp_path / "a" / "app", home).entries == ["in a"]
    assert InputHistory.for_project(tmp_path / "b" / "app", home).entries == ["in b"]
