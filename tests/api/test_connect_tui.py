"""The TUI attached to ``tau acp`` through the ACP client, as ``tau --connect`` does."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import yaml
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from tau_cli.api import AcpRuntimeClient
from tau_cli.testing import ScriptedModelServer
from tau_cli.tui import PermissionPrompt, PlanPrompt, QuestionPrompt, TauApp, TuiInteraction
from tau_cli.tui.app import StatusBar
from tau_cli.tui.pickers import SessionPicker
from tau_cli.tui.prompt_input import PromptInput
from tau_cli.tui.widgets import Answer, NoticeLine, ToolCard, UserMessage
from tests.tui.conftest import wait_for

from .conftest import TAU, SchemaRecorder, model_env
from .test_acp_agent import turns


@contextlib.asynccontextmanager
async def attached_app(
    project: Path, script: list[dict[str, Any]], *flags: str
) -> AsyncIterator[tuple[TauApp, Pilot[None], AcpRuntimeClient]]:
    interaction = TuiInteraction()
    wire = SchemaRecorder()  # every message tau sends, checked against ACP
    with ScriptedModelServer(turns(*script)) as server:
        client = await AcpRuntimeClient.start(
            [TAU, *flags, "acp"],
            cwd=project,
            interaction=interaction,
            environ=model_env(server),
            observers=[wire],
        )
        try:
            app = TauApp(
                client,
                interaction,
                model="tau via ACP",
                location="~/project",
                mode=client.mode,
                root=str(project),
            )
            async with app.run_test(size=(100, 36)) as pilot:
                yield app, pilot, client
        finally:
            await client.aclose()
    wire.check()


async def _asked(pilot: Pilot[None], kind: type[Widget], count: int = 1) -> Widget:
    """Wait for the ``count``-th question of ``kind`` to hold the keyboard focus.

    A prompt is in the tree a moment before it takes the focus; a key pressed in
    between would go to the input line instead.
    """
    app = pilot.app
    await wait_for(
        pilot,
        lambda: len(app.query(kind)) == count and app.focused is app.query(kind).last(),
        seconds=30,
    )
    return app.query(kind).last()


async def _type(pilot: Pilot[None], text: str) -> None:
    focused = pilot.app.focused
    assert isinstance(focused, Input | PromptInput), focused  # a prompt's reason, or the box
    focused.value = text
    await pilot.press("enter")


async def test_the_tui_over_acp_runs_a_task_with_one_approval_given_and_one_refused(
    project: Path,
) -> None:
    script = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch made-it"}}]},
        {"tool_calls": [{"name": "bash", "arguments": {"command": "rm -rf build"}}]},
        {
            "expect": {"last_tool_result_contains": "keep the build folder"},
            "text": "Made it, and left build alone.",
        },
    ]
    (project / "build").mkdir()
    async with attached_app(project, script) as (app, pilot, client):
        assert client.agent is not None and client.agent.name == "tau"
        await _type(pilot, "make a file, then clean up")
        first = await _asked(pilot, PermissionPrompt)
        assert isinstance(first, PermissionPrompt)
        assert first.request.summary == "Run: touch made-it"
        await pilot.press("y")
        second = await _asked(pilot, PermissionPrompt, 2)
        assert isinstance(second, PermissionPrompt)
        assert second.request.summary == "Run: rm -rf build"
        await pilot.press("n")
        await wait_for(
            pilot, lambda: app.focused in app.query("PermissionPrompt Input"), seconds=10
        )
        await _type(pilot, "keep the build folder")
        await wait_for(pilot, lambda: not app.working, seconds=30)

        assert (project / "made-it").exists()
        assert (project / "build").is_dir()
        (card,) = app.query(ToolCard)  # a refused call never runs, so it gets no card
        assert card.call.name == "bash" and card.status == "done"
        record = str(second.query_one("Static").render())
        assert record == "✗ denied · Run: rm -rf build — keep the build folder"
        assert [a.text for a in app.query(Answer)] == ["Made it, and left build alone."]
        [listed] = await client.sessions()
        assert listed.id == client.session_id
        assert listed.message_count > 4


async def test_plans_and_questions_are_answered_in_the_tui_over_acp(project: Path) -> None:
    plan = "- [ ] Change `a - b` to `a + b`\n- [ ] Run the tests\n"
    propose = {"name": "propose_plan", "arguments": {"title": "Fix add", "plan": plan}}
    ask = {
        "name": "ask_user",
        "arguments": {
            "question": "Which test runner?",
            "options": [{"label": "unittest"}, {"label": "pytest"}],
        },
    }
    script = [
        {"tool_calls": [propose]},
        {"expect": {"last_tool_result_contains": "also run mypy"}, "tool_calls": [propose]},
        {"tool_calls": [ask]},
        {"expect": {"last_tool_result_contains": "pytest"}, "text": "Planned, with pytest."},
    ]
    async with attached_app(project, script, "--permission-mode", "plan") as (app, pilot, _):
        assert app.mode == "plan"
        await _type(pilot, "fix add, plan first")
        await _asked(pilot, PlanPrompt)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.focused in app.query("PlanPrompt Input"), seconds=10)
        await _type(pilot, "also run mypy")
        await _asked(pilot, PlanPrompt, 2)
        await pilot.press("e")
        await _asked(pilot, QuestionPrompt)
        await pilot.press("2")
        await wait_for(pilot, lambda: not app.working, seconds=30)

        records = [str(p.query_one("Static").render()) for p in app.query(PlanPrompt)]
        assert records == [
            "✗ plan rejected — also run mypy",
            "✓ plan approved, edits accepted",
        ]
        assert app.mode == "accept_edits"
        assert [a.text for a in app.query(Answer)] == ["Planned, with pytest."]


def _notices(app: TauApp) -> list[str]:
    return [str(n.render()) for n in app.query(NoticeLine)]


async def _command(pilot: Pilot[None], text: str, shown: Callable[[str], bool]) -> str:
    """Type ``text``, wait for the notice it leads to, and return that notice."""
    app = pilot.app
    assert isinstance(app, TauApp)
    await _type(pilot, text)
    await wait_for(pilot, lambda: any(shown(n) for n in _notices(app)), seconds=30)
    return next(n for n in _notices(app) if shown(n))


async def test_the_tuis_commands_work_over_acp(project: Path) -> None:
    settings = {"models": {"openai:scripted-model": {"capabilities": {"context_window": 16000}}}}
    home = Path(os.environ["TAU_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.yaml").write_text(yaml.safe_dump(settings))
    usage = {"prompt_tokens": 1000, "completion_tokens": 20}
    long = "word " * 1600
    script = [{"text": long, "usage": usage}] * 3
    async with attached_app(project, script) as (app, pilot, _):
        for prompt in ("first", "second", "third"):
            await _type(pilot, prompt)
            await wait_for(pilot, lambda: not app.working, seconds=30)
        assert "3.1k tokens" in str(app.query_one(StatusBar).render())

        compacted = await _command(pilot, "/compact", lambda n: n.startswith("context compacted"))
        before, after = (int(n.replace(",", "")) for n in re.findall(r"[\d,]+", compacted)[:2])
        assert after < before
        cost = await _command(pilot, "/cost", lambda n: "tokens:" in n)
        assert cost.startswith("3,060 tokens: 3,000 in")
        shell = await _command(pilot, "!echo hi", lambda n: n.startswith("$ "))
        assert shell == "$ echo hi\nhi"
        await _command(pilot, "#remember this", lambda n: n == "remembered in TAU.md")
        assert (project / "TAU.md").read_text() == "- remember this\n"
        await _command(pilot, "/model openai:other-model", lambda n: n.startswith("model: "))
        assert str(app.query_one(StatusBar).render()).startswith("openai:other-model")


async def test_clear_then_resume_draws_the_earlier_conversation_over_acp(project: Path) -> None:
    script = [{"text": "About the adder."}, {"text": "Something else."}]
    async with attached_app(project, script) as (app, pilot, client):
        await _type(pilot, "tell me about add")
        await wait_for(pilot, lambda: not app.working, seconds=30)
        first = client.session_id
        await _type(pilot, "/clear")
        await wait_for(pilot, lambda: client.session_id != first, seconds=30)
        await pilot.pause()
        assert not app.query(UserMessage)  # a fresh screen for a fresh conversation
        await _type(pilot, "another topic")
        await wait_for(pilot, lambda: not app.working, seconds=30)

        await _type(pilot, "/resume")
        await wait_for(pilot, lambda: bool(app.query(SessionPicker)), seconds=30)
        assert [s.id for s in app.query_one(SessionPicker).sessions] == [first]
        await pilot.press("enter")
        await wait_for(pilot, lambda: client.session_id == first, seconds=30)
        history = app.conversation.history
        await wait_for(pilot, lambda: bool(history.entries), seconds=10)
        shown = [(e.kind, e.text) for e in history.entries]
        assert shown == [("user", "tell me about add"), ("answer", "About the adder.")]
        assert not app.query(UserMessage)  # the other conversation is gone from the page
