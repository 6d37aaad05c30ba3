"""An MCP server in the TUI: its requests for input are forms inline in the
conversation, and its progress shows on the tool's card."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.forms import Field, answers, fields_of
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.testing import ScriptedModelServer
from tau_cli.tui import TauApp, TuiInteraction
from tau_cli.tui.elicitation import ElicitationPrompt
from tau_cli.tui.widgets import Answer, ToolCard

from .conftest import make_repo, turns, wait_for

BOOKING = Path(__file__).parent / "servers" / "booking_mcp.py"
CALL = {"name": "mcp__booking__book_table", "arguments": {"day": "friday"}}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@asynccontextmanager
async def booking_app(
    repo: Path, script: list[dict[str, Any]]
) -> AsyncIterator[tuple[TauApp, Pilot[None]]]:
    interaction = TuiInteraction()
    with ScriptedModelServer(turns(*script)) as server:
        env = {
            "HOME": os.environ["HOME"],
            "TAU_HOME": os.environ["TAU_HOME"],
            "PATH": os.environ["PATH"],
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-not-a-real-key-0000",
        }
        flags = {
            "model": "openai:scripted-model",
            "mcp_servers": {"booking": {"command": sys.executable, "args": [str(BOOKING)]}},
            "permissions.allow": ["mcp__booking__*"],
        }
        resolved = load_settings(repo, environ=env, flags=flags)
        runtime = await open_runtime(
            resolved, Launch(cwd=repo, interaction=interaction), environ=env
        )
        app = TauApp(runtime, interaction, model="openai:scripted-model", location="~/repo")
        try:
            async with app.run_test(size=(100, 36)) as pilot:
                yield app, pilot
        finally:
            await runtime.aclose()


async def test_the_form_checks_the_answers_and_sends_them_to_the_server(repo: Path) -> None:
    script = [
        {"tool_calls": [CALL]},
        {
            "expect": {"last_tool_result_contains": "booked friday for 4, outside"},
            "text": "Booked.",
        },
    ]
    async with booking_app(repo, script) as (app, pilot):
        app.prompt_input.value = "book a table on friday"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query(ElicitationPrompt), seconds=15)
        form = app.query_one(ElicitationPrompt)
        await wait_for(pilot, lambda: isinstance(app.focused, Input))
        assert [f.name for f in form.fields] == ["party", "outdoor"]
        await pilot.press(*"four", "enter", "enter")  # not a number: said, and kept
        problem = str(form.query_one(".problem").render())
        assert "'four' is not a whole number" in problem
        assert not form.answered
        first, second = form.query(Input)
        first.value = "4"
        second.value = "yes"
        second.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.working, seconds=15)

        assert form.answered
        assert [a.text for a in app.query(Answer)] == ["Booked."]


async def test_ctrl_d_declines_and_the_server_hears_it(repo: Path) -> None:
    script = [
        {"tool_calls": [CALL]},
        {"expect": {"last_tool_result_contains": "the user chose decline"}, "text": "Not booked."},
    ]
    async with booking_app(repo, script) as (app, pilot):
        app.prompt_input.value = "book a table"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query(ElicitationPrompt), seconds=15)
        await wait_for(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: not app.working, seconds=15)
        assert [a.text for a in app.query(Answer)] == ["Not booked."]


def test_fields_follow_the_schema_and_answers_take_its_types() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "title": "Your name"},
            "size": {"type": "string", "enum": ["small", "large"]},
            "count": {"type": "integer", "default": 1},
            "ratio": {"type": "number"},
            "agree": {"type": "boolean"},
        },
        "required": ["name", "agree"],
    }
    fields = fields_of(schema)
    assert [(f.name, f.kind, f.required) for f in fields] == [
        ("name", "string", True),
        ("size", "string", False),
        ("count", "integer", False),
        ("ratio", "number", False),
        ("agree", "boolean", True),
    ]
    assert fields[1].hint == "one of: small, large"
    assert answers(fields, ["Ada", "large", "", "0.5", "Yes"]) == {
        "name": "Ada",
        "size": "large",
        "count": 1,  # the default, for an empty field
        "ratio": 0.5,
        "agree": True,
    }
    for typed, problem in (
        (["", "", "", "", "no"], "Your name is required"),
        (["Ada", "medium", "", "", "no"], "size: choose small, large"),
        (["Ada", "", "", "", "maybe"], "agree: answer yes or no"),
    ):
        with pytest.raises(ValueError, match=problem):
            answers(fields, typed)
    assert Field("x", "string", "x").parse("  spaced  ") == "spaced"


async def test_a_servers_progress_shows_on_the_card_of_its_call(repo: Path) -> None:
    call = {"name": "mcp__booking__check_tables", "arguments": {}}
    script = [
        {"tool_calls": [call]},
        {"expect": {"last_tool_result_contains": "3 tables free"}, "text": "Three are free."},
    ]
    async with booking_app(repo, script) as (app, pilot):
        app.prompt_input.value = "any tables?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.working, seconds=15)
        (card,) = app.query(ToolCard)
        assert card.progress == "room 3 3/3"  # the newest of the three reports
        assert card.status == "done"
        assert "room 3" not in str(card.query_one(".header").render())  # gone once done
