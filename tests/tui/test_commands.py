"""Slash commands, ``@`` mentions, ``!command`` and ``#note`` typed into the TUI."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tau_cli.runtime.client import CommandInfo
from tau_cli.tui import TauApp
from tau_cli.tui.app import StatusBar
from tau_cli.tui.completion import Completer, CompletionMenu
from tau_cli.tui.pickers import SessionPicker
from tau_cli.tui.widgets import Answer, NoticeLine, UserMessage

from .conftest import make_repo, running_app, wait_for


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def _notices(app: TauApp) -> list[str]:
    return [str(n.render()) for n in app.query(NoticeLine)]


def _choices(app: TauApp) -> list[str]:
    menu = app.query_one(CompletionMenu)
    return [c.value for c in menu.completion.choices] if menu.completion else []


async def _send(pilot: Pilot[None], text: str) -> None:
    app = pilot.app
    assert isinstance(app, TauApp)
    app.prompt_input.value = text
    await pilot.press("enter")


async def test_typing_a_slash_lists_the_commands_and_enter_runs_the_chosen_one(
    repo: Path,
) -> None:
    usage = {"prompt_tokens": 1500, "completion_tokens": 20}
    async with running_app(repo, [{"text": "Hi.", "usage": usage}]) as (app, pilot, _):
        await _send(pilot, "hello")
        await wait_for(pilot, lambda: not app.working)
        await pilot.press("/")
        await wait_for(pilot, lambda: app.query_one(CompletionMenu).is_open)
        assert _choices(app)[:3] == ["/help", "/clear", "/compact"]
        assert len(_choices(app)) >= 15
        await pilot.press("c", "o")
        assert _choices(app)[:2] == ["/compact", "/cost"]
        await pilot.press("down", "enter")  # the second: /cost, which needs nothing more
        await wait_for(pilot, lambda: any("tokens" in n for n in _notices(app)))

        assert _notices(app)[-1].startswith("1,520 tokens: 1,500 in")
        assert app.prompt_input.value == ""
        assert not app.query_one(CompletionMenu).is_open


async def test_esc_closes_the_list_and_tab_completes_a_command_that_takes_more(
    repo: Path,
) -> None:
    async with running_app(repo, []) as (app, pilot, server):
        await pilot.press(*"/mo")
        await wait_for(pilot, lambda: app.query_one(CompletionMenu).is_open)
        await pilot.press("escape")
        assert not app.query_one(CompletionMenu).is_open
        assert app.prompt_input.value == "/mo"  # nothing else changed
        await pilot.press("d")
        await wait_for(pilot, lambda: app.query_one(CompletionMenu).is_open)
        await pilot.press("tab")  # /mode takes a mode: it waits for one
        assert app.prompt_input.value == "/mode "
        assert _choices(app) == ["default", "accept_edits", "plan"]
        await pilot.press("down", "down", "enter")
        assert app.prompt_input.value == "/mode plan "
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_one(StatusBar).mode == "plan")
        assert not server.requests


async def test_an_at_mention_completes_a_file_and_sends_its_content(repo: Path) -> None:
    (repo / ".gitignore").write_text("build/\n")
    (repo / "build").mkdir()
    (repo / "build" / "calc_copy.py").write_text("stale\n")
    script = [{"expect": {"last_user_contains": "return a - b"}, "text": "It subtracts."}]
    async with running_app(repo, script) as (app, pilot, server):
        await pilot.press(*"why does @cal")
        await wait_for(pilot, lambda: app.query_one(CompletionMenu).is_open)
        assert _choices(app)[0] == "@calc.py"
        assert "@build/calc_copy.py" not in _choices(app)  # ignored by git: not offered
        await pilot.press("tab")
        assert app.prompt_input.value == "why does @calc.py "
        await pilot.press(*"fail?", "enter")
        await wait_for(pilot, lambda: not app.working)

        assert [m.text for m in app.query(UserMessage)] == ["why does @calc.py fail?"]
        assert "attached calc.py" in _notices(app)
        assert [a.text for a in app.query(Answer)] == ["It subtracts."]
        assert not server.turns_left


async def test_a_shell_command_and_a_note(repo: Path) -> None:
    script = [{"text": "Seen it."}]
    async with running_app(repo, script) as (app, pilot, server):
        await _send(pilot, "!echo out there")
        await wait_for(pilot, lambda: any(n.startswith("$ ") for n in _notices(app)))
        assert _notices(app)[-1] == "$ echo out there\nout there"
        await _send(pilot, "# tests run with -q")
        await wait_for(pilot, lambda: "remembered in TAU.md" in _notices(app))
        await _send(pilot, "what did the command print?")
        await wait_for(pilot, lambda: not app.working)
        assert [a.text for a in app.query(Answer)] == ["Seen it."]

    users = [m["content"] for m in server.requests[0].json()["messages"] if m["role"] == "user"]
    assert users[0] == "I ran a shell command myself:\n$ echo out there\nout there"
    assert users[1] == "what did the command print?"  # the note was not sent
    assert (repo / "TAU.md").read_text() == "- tests run with -q\n"


async def test_clear_then_resume_from_the_picker(repo: Path) -> None:
    script = [
        {"text": "About the adder."},
        {"text": "Something else."},
        {"expect": {"last_user_contains": "back again"}, "text": "Welcome back."},
    ]
    async with running_app(repo, script) as (app, pilot, server):
        await _send(pilot, "tell me about add")
        await wait_for(pilot, lambda: not app.working)
        first = app.client.session_id
        await _send(pilot, "/clear")
        await wait_for(pilot, lambda: app.client.session_id != first)
        assert not app.query(UserMessage)  # a fresh screen for a fresh conversation
        await _send(pilot, "another topic")
        await wait_for(pilot, lambda: not app.working)

        await _send(pilot, "/resume")
        await wait_for(pilot, lambda: app.query(SessionPicker))
        picker = app.query_one(SessionPicker)
        assert app.focused is picker
        assert [s.id for s in picker.sessions] == [first]  # not the one already open
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.client.session_id == first)
        await pilot.pause()
        shown = [(e.kind, e.text) for e in app.conversation.history.entries]
        assert shown == [("user", "tell me about add"), ("answer", "About the adder.")]
        assert not app.query(UserMessage)  # the other conversation is gone from the page
        assert not app.query(SessionPicker)
        assert app.focused is app.prompt_input

        await _send(pilot, "back again")
        await wait_for(pilot, lambda: not app.working)
        sent = server.requests[-1].json()["messages"]
        users = [m["content"] for m in sent if m["role"] == "user"]
        assert users == ["tell me about add", "back again"]  # the first conversation, resumed


async def test_resume_without_an_id_opens_the_picker_first(repo: Path) -> None:
    async with running_app(repo, [{"text": "Done."}]) as (app, pilot, _):
        await _send(pilot, "an earlier conversation")
        await wait_for(pilot, lambda: not app.working)
        earlier = app.client.session_id

    async with running_app(repo, [], pick_session=True) as (app, pilot, _):
        await wait_for(pilot, lambda: app.query(SessionPicker))
        assert app.focused is app.query_one(SessionPicker)
        await pilot.press("escape")  # keep the new conversation instead
        await wait_for(pilot, lambda: not app.query(SessionPicker))
        assert app.client.session_id != earlier
        assert _notices(app)[-1] == "kept this conversation"


async def test_model_switches_and_the_status_bar_says_so(repo: Path) -> None:
    script = [{"text": "From the other model."}]
    async with running_app(repo, script) as (app, pilot, server):
        await _send(pilot, "/model openai:other-model")
        await wait_for(pilot, lambda: "model: openai:other-model" in _notices(app))
        assert str(app.query_one(StatusBar).render()).startswith("openai:other-model")
        await _send(pilot, "hi")
        await wait_for(pilot, lambda: not app.working)
        assert server.requests[0].json()["model"] == "other-model"


def test_skills_and_mcp_prompts_complete_like_commands() -> None:
    completer = Completer(
        commands=[
            CommandInfo("/review", "Review the diff before a commit", "skill"),
            CommandInfo("/mcp__docs__summarize", "Summarize a page", "mcp", ("url",)),
        ],
        files=["src/calc.py", "src/cli/main.py", "README.md"],
        resources=["@docs:docs://guide"],
    )
    found = completer.complete("/rev")
    assert found is not None and [c.value for c in found.choices] == ["/review"]
    found = completer.complete("/mcp__d")
    assert found is not None and found.choices[0].value == "/mcp__docs__summarize"
    found = completer.complete("look at @scm")  # fuzzy: s-c-m in order
    assert found is not None and found.choices[0].value == "@src/cli/main.py"
    assert found.start == len("look at ")
    found = completer.complete("read @do")
    assert found is not None and found.choices[0].value == "@docs:docs://guide"
    assert completer.complete("an e-mail like me@example") is None
    assert completer.complete("/review") is None  # complete already
