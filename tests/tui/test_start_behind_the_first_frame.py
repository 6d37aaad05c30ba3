"""The app is on screen before its runtime exists: it takes input while the runtime is
built behind it (MCP servers can take a second to start), and what was typed waits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tau_cli.core import ConfigError, QuestionOption, QuestionRequest
from tau_cli.runtime.runtime import Runtime
from tau_cli.testing import ScriptedModelServer
from tau_cli.tui import Started, TauApp, TuiInteraction
from tau_cli.tui.prompt_input import PromptInput
from tau_cli.tui.prompts import QuestionPrompt
from tau_cli.tui.widgets import PendingInjection, UserMessage

from .conftest import app_runtime, make_repo, screen_text, turns, wait_for


class _Gate:
    """Builds the runtime only when the test says so."""

    def __init__(self, repo: Path, server: ScriptedModelServer, interaction: TuiInteraction):
        self.release = asyncio.Event()
        self.runtime: Runtime | None = None
        self._args = (repo, server, interaction)

    async def start(self) -> Started:
        await self.release.wait()
        repo, server, interaction = self._args
        self.runtime = app_runtime(repo, server, interaction, "default", False)
        return Started(self.runtime, location="~/repo · bubblewrap sandbox", context_window=1000)


def _app(gate: _Gate, interaction: TuiInteraction) -> TauApp:
    return TauApp(
        None,
        interaction,
        start=gate.start,
        model="openai:scripted-model",
        location="~/repo",
    )


async def _send(app: TauApp, text: str) -> None:
    prompt = app.query_one(PromptInput)
    prompt.value = text
    prompt.post_message(PromptInput.Submitted(prompt, text))


async def test_a_prompt_typed_while_starting_is_sent_once_the_runtime_is_up(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns(
        {"expect": {"last_user_contains": "fix calc"}, "text": "Looking at calc.py."},
    )
    interaction = TuiInteraction()
    with ScriptedModelServer(script) as server:
        gate = _Gate(repo, server, interaction)
        app = _app(gate, interaction)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "starting" in screen_text(app))
            assert app.focused is app.query_one(PromptInput)  # the user can type at once
            await _send(app, "fix calc")
            await wait_for(pilot, lambda: bool(app.query(UserMessage)))
            await pilot.pause(0.2)
            assert not server.requests  # nothing to send it with yet

            gate.release.set()
            await wait_for(pilot, lambda: "Looking at calc.py." in screen_text(app))
            screen = screen_text(app)
            assert "starting" not in screen
            assert "bubblewrap sandbox" in screen  # the status bar learnt where tools run
        assert gate.runtime is not None
        await gate.runtime.aclose()
    assert len(server.requests) == 1


async def test_text_sent_on_while_starting_reaches_the_turn(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns(
        {"tool_calls": [{"name": "read", "arguments": {"file_path": "calc.py"}}]},
        {"expect": {"last_user_contains": "and be brief"}, "text": "Brief: it subtracts."},
    )
    interaction = TuiInteraction()
    with ScriptedModelServer(script) as server:
        gate = _Gate(repo, server, interaction)
        app = _app(gate, interaction)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "starting" in screen_text(app))
            await _send(app, "what does calc do?")
            await wait_for(pilot, lambda: app.working)
            await _send(app, "and be brief")  # for the running turn's next step
            await wait_for(pilot, lambda: bool(app.query(PendingInjection)))
            gate.release.set()
            await wait_for(pilot, lambda: "Brief: it subtracts." in screen_text(app))
        assert gate.runtime is not None
        await gate.runtime.aclose()
    assert not server.turns_left


async def test_shift_tab_while_starting_sets_the_runtimes_mode(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    interaction = TuiInteraction()
    with ScriptedModelServer(turns()) as server:
        gate = _Gate(repo, server, interaction)
        app = _app(gate, interaction)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "starting" in screen_text(app))
            await pilot.press("shift+tab")
            assert "accept edits" in screen_text(app)  # shown at once, not after the start
            gate.release.set()
            await wait_for(pilot, lambda: gate.runtime is not None)
            runtime = gate.runtime
            assert runtime is not None
            await wait_for(pilot, lambda: runtime.loop.policy.mode.value == "accept_edits")
        await runtime.aclose()


async def test_a_command_typed_while_starting_runs_before_the_prompt_typed_after_it(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo")
    interaction = TuiInteraction()
    with ScriptedModelServer(turns({"text": "Here is a plan."})) as server:
        gate = _Gate(repo, server, interaction)
        app = _app(gate, interaction)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "starting" in screen_text(app))
            await _send(app, "/mode plan")
            await _send(app, "fix calc")
            await pilot.pause(0.1)
            gate.release.set()
            await wait_for(pilot, lambda: "Here is a plan." in screen_text(app))
        assert gate.runtime is not None
        await gate.runtime.aclose()
    offered = {t["function"]["name"] for t in server.requests[0].json()["tools"]}
    assert "read" in offered
    assert "edit" not in offered and "bash" not in offered  # the turn ran in plan mode


async def test_quit_while_starting_does_not_wait_for_the_runtime(tmp_path: Path) -> None:
    never = asyncio.Event()

    async def start() -> Started:
        await never.wait()
        raise AssertionError("the start was never meant to finish")

    app = TauApp(None, TuiInteraction(), start=start, model="m", location="~/repo")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "starting" in screen_text(app))
        await _send(app, "/quit")
        await wait_for(pilot, lambda: app.return_code is not None, 5)
    assert app.start_error is None


async def test_quitting_while_start_up_asks_lets_it_finish_with_nobody_to_answer() -> None:
    interaction = TuiInteraction()
    building: asyncio.Task[object] | None = None

    async def build() -> object:
        return await interaction.ask(
            QuestionRequest(
                question="This project wants to start the MCP server 'docs'. Allow it?",
                options=[QuestionOption(label="Allow"), QuestionOption(label="Deny")],
                allow_free_text=False,
            )
        )

    async def start() -> Started:
        nonlocal building
        building = asyncio.ensure_future(build())
        await asyncio.shield(building)
        raise AssertionError("the app was quit before the start finished")

    app = TauApp(None, interaction, start=start, model="m", location="~/repo")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.query(QuestionPrompt)))
        app.exit()
    interaction.detach()  # as the chat does once the app has gone
    assert building is not None
    answer = await asyncio.wait_for(building, 5)
    assert getattr(answer, "cancelled", None) is True  # "nobody is here to answer"


async def test_a_runtime_that_cannot_start_ends_the_app_with_its_error(tmp_path: Path) -> None:
    async def start() -> Started:
        raise ConfigError("unknown provider 'nonsense' in 'nonsense:model'", key="model")

    app = TauApp(None, TuiInteraction(), start=start, model="nonsense:model", location="~/repo")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.start_error is not None)
    assert isinstance(app.start_error, ConfigError)
    assert app.return_code == 1


def test_an_app_needs_a_client_or_a_start() -> None:
    with pytest.raises(ValueError, match="a client or a start"):
        TauApp(None, TuiInteraction(), model="m", location="here")
