"""The TUI driven by keys, over a real runtime and a scripted model speaking HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from tau_cli.tui import PermissionPrompt, PlanPrompt, QuestionPrompt, TauApp
from tau_cli.tui.app import StatusBar
from tau_cli.tui.plan_pane import PlanPane
from tau_cli.tui.prompt_input import PromptInput
from tau_cli.tui.widgets import (
    Answer,
    NoticeLine,
    PendingInjection,
    Reasoning,
    ToolCard,
    UserMessage,
)

from .conftest import make_repo, running_app, screen_text, wait_for


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


async def _asked(pilot: Pilot[None], app: TauApp, kind: type[Widget]) -> None:
    """Wait until a question of ``kind`` is on screen and has the keys."""

    def has_keys() -> bool:
        focused = app.focused
        return focused is not None and any(isinstance(n, kind) for n in focused.ancestors_with_self)

    await wait_for(pilot, has_keys)


def _answers(app: TauApp) -> list[str]:
    return [a.text for a in app.query(Answer)]


def _notices(app: TauApp) -> list[str]:
    return [str(n.render()) for n in app.query(NoticeLine)]


async def _type(pilot: Pilot[None], text: str) -> None:
    """Fill the focused input and press Enter (quicker than a key per character)."""
    focused = pilot.app.focused
    assert isinstance(focused, Input | PromptInput), focused
    focused.value = text
    await pilot.press("enter")


async def test_enter_sends_and_the_answer_streams_in(repo: Path) -> None:
    answer = "# Fixed\n\nThe bug was `a - b`.\n\n- it now adds\n- tests pass\n"
    script = [
        {
            "expect": {"last_user_contains": "what is wrong?"},
            "reasoning": "The user asks about calc.py.",
            "text": answer,
            "chunk_chars": 16,
            "tokens_per_second": 32,
        }
    ]
    async with running_app(repo, script) as (app, pilot, server):
        await _type(pilot, "what is wrong?")
        assert [m.text for m in app.query(UserMessage)] == ["what is wrong?"]
        await wait_for(
            pilot, lambda: app.query(Answer) and 0 < len(_answers(app)[0]) < len(answer) - 8
        )
        assert app.working
        assert app.query_one(StatusBar).working
        await wait_for(pilot, lambda: not app.working)

        assert _answers(app) == [answer.strip()]
        assert app.query_one(Answer).finished
        reasoning = app.query_one(Reasoning)
        assert reasoning.stream.text == "The user asks about calc.py."
        assert reasoning.collapsed  # folded away once the answer began
        assert len(server.requests) == 1


async def test_y_allows_a_command_once_and_its_card_shows_it_ran(repo: Path) -> None:
    script = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch made-it"}}]},
        {"text": "Made it."},
    ]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "make a file")
        await _asked(pilot, app, PermissionPrompt)
        prompt = app.query_one(PermissionPrompt)
        assert prompt.request.summary == "Run: touch made-it"
        await wait_for(pilot, lambda: app.focused is prompt)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.working)

        assert (repo / "made-it").exists()
        assert "allowed once" in str(prompt.query_one("Static").render())
        (card,) = app.query(ToolCard)
        assert card.status == "done" and card.call.name == "bash"
        assert card.duration_ms is not None
        assert _answers(app) == ["Made it."]
        await wait_for(pilot, lambda: app.focused is app.query_one("#prompt"))


async def test_n_denies_and_the_feedback_reaches_the_model(repo: Path) -> None:
    script = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "rm -rf build"}}]},
        {
            "expect": {"last_tool_result_contains": "They said: keep the build folder"},
            "text": "Understood, I will leave it.",
        },
    ]
    async with running_app(repo, script) as (app, pilot, _):
        (repo / "build").mkdir()
        await _type(pilot, "clean up")
        await _asked(pilot, app, PermissionPrompt)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.query("PermissionPrompt Input"))
        await _type(pilot, "keep the build folder")
        await wait_for(pilot, lambda: not app.working)

        assert (repo / "build").is_dir()
        assert _answers(app) == ["Understood, I will leave it."]
        record = str(app.query_one(PermissionPrompt).query_one("Static").render())
        assert record == "✗ denied · Run: rm -rf build — keep the build folder"


async def test_a_saves_the_suggested_rule_for_the_project(repo: Path) -> None:
    script = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch a.txt"}}]},
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch b.txt"}}]},
        {"text": "Both made."},
    ]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "make two files")
        await _asked(pilot, app, PermissionPrompt)
        rule = app.query_one(PermissionPrompt).request.suggested_rule
        assert rule
        await pilot.press("a")
        await wait_for(pilot, lambda: not app.working)

        # the second, matching command was not asked about
        assert len(app.query(PermissionPrompt)) == 1
        assert [c.status for c in app.query(ToolCard)] == ["done", "done"]
        assert (repo / "a.txt").exists() and (repo / "b.txt").exists()
        saved = yaml.safe_load((repo / ".tau" / "settings.local.yaml").read_text())
        assert rule in saved["permissions"]["allow"]


PLAN = "## Steps\n\n- [ ] Change `a - b` to `a + b`\n- [ ] Run the tests\n"


async def test_a_plan_is_rejected_with_feedback_then_approved_with_edits(repo: Path) -> None:
    propose = {"name": "propose_plan", "arguments": {"title": "Fix add", "plan": PLAN}}
    script = [
        {"tool_calls": [propose]},
        {
            "expect": {"last_tool_result_contains": "also update the docs"},
            "tool_calls": [propose],
        },
        {"text": "Starting."},
    ]
    async with running_app(repo, script, mode="plan") as (app, pilot, _):
        assert app.query_one(StatusBar).mode == "plan"
        await _type(pilot, "fix add, plan first")
        await _asked(pilot, app, PlanPrompt)
        await pilot.pause()
        # the call asking comes first; the question stays last, where the keys are
        history, *live = app.conversation.children
        assert history is app.conversation.history
        assert [type(w).__name__ for w in live] == ["UserMessage", "ToolCard", "PlanPrompt"]
        await pilot.press("n")
        await wait_for(pilot, lambda: app.query("PlanPrompt Input"))
        await _type(pilot, "also update the docs")
        await wait_for(pilot, lambda: app.focused is app.query(PlanPrompt).last())
        assert len(app.query(PlanPrompt)) == 2
        await pilot.press("e")
        await wait_for(pilot, lambda: not app.working)

        records = [str(p.query_one("Static").render()) for p in app.query(PlanPrompt)]
        assert records == [
            "✗ plan rejected — also update the docs",
            "✓ plan approved, edits accepted",
        ]
        assert app.mode == "accept_edits"
        assert app.query_one(StatusBar).mode == "accept_edits"
        assert _answers(app) == ["Starting."]


async def test_a_question_is_answered_by_its_number(repo: Path) -> None:
    ask = {
        "name": "ask_user",
        "arguments": {
            "question": "Which database?",
            "options": [{"label": "sqlite"}, {"label": "postgres", "description": "the server"}],
        },
    }
    script = [
        {"tool_calls": [ask]},
        {"expect": {"last_tool_result_contains": "postgres"}, "text": "Postgres it is."},
    ]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "set up a database")
        await _asked(pilot, app, QuestionPrompt)
        await pilot.press("2")
        await wait_for(pilot, lambda: not app.working)
        assert _answers(app) == ["Postgres it is."]


async def test_esc_stops_the_running_turn(repo: Path) -> None:
    script = [{"text": "a very slow answer " * 40, "chunk_chars": 4, "tokens_per_second": 5}]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "go slowly")
        await wait_for(pilot, lambda: app.query(Answer) and _answers(app)[0])
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.working, seconds=2)

        assert "stopped: cancelled" in _notices(app)
        assert len(_answers(app)[0]) < 100
        await wait_for(pilot, lambda: app.focused is app.query_one("#prompt"))


async def test_esc_while_a_permission_prompt_waits_stops_the_turn_and_folds_it(repo: Path) -> None:
    script = [{"tool_calls": [{"name": "bash", "arguments": {"command": "touch nope"}}]}]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "make a file")
        await _asked(pilot, app, PermissionPrompt)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.working, seconds=2)

        prompt = app.query_one(PermissionPrompt)
        assert prompt.answered
        assert "turn was stopped" in str(prompt.query_one("Static").render())
        assert not (repo / "nope").exists()


async def test_typing_while_the_agent_works_queues_the_text_for_its_next_step(repo: Path) -> None:
    script = [
        {
            "delay": "600ms",
            "tool_calls": [{"name": "glob", "arguments": {"pattern": "*.py"}}],
        },
        {"expect": {"last_user_contains": "also check the tests"}, "text": "Checked both."},
    ]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "look at calc")
        await wait_for(pilot, lambda: app.working)
        await _type(pilot, "also check the tests")
        await wait_for(pilot, lambda: app.query(PendingInjection))
        (pending,) = app.query(PendingInjection)
        assert not pending.delivered
        assert "queued" in str(pending.render())
        await wait_for(pilot, lambda: not app.working)

        assert pending.delivered
        assert _answers(app) == ["Checked both."]
        assert [m.text for m in app.query(UserMessage)] == ["look at calc"]


async def test_shift_tab_cycles_the_permission_mode(repo: Path) -> None:
    script = [
        {
            "tool_calls": [
                {
                    "name": "write",
                    "arguments": {"file_path": str(repo / "notes.txt"), "content": "hi"},
                }
            ]
        },
        {"text": "Written."},
    ]
    async with running_app(repo, script) as (app, pilot, _):
        seen = [app.query_one(StatusBar).mode]
        for _ in range(3):
            await pilot.press("shift+tab")
            seen.append(app.query_one(StatusBar).mode)
        assert seen == ["default", "accept_edits", "plan", "default"]
        await pilot.press("shift+tab")  # accept_edits: the write needs no question
        await _type(pilot, "write a note")
        await wait_for(pilot, lambda: not app.working)
        assert not app.query(PermissionPrompt)
        assert (repo / "notes.txt").read_text() == "hi"


async def test_an_edit_card_shows_its_diff_and_other_output_opens_on_enter(repo: Path) -> None:
    edit = {"file_path": str(repo / "calc.py"), "old_string": "a - b", "new_string": "a + b"}
    script = [
        {"tool_calls": [{"name": "read", "arguments": {"file_path": str(repo / "calc.py")}}]},
        {"tool_calls": [{"name": "edit", "arguments": edit}]},
        {"text": "Fixed."},
    ]
    async with running_app(repo, script, mode="accept_edits") as (app, pilot, _):
        await _type(pilot, "fix add")
        await wait_for(pilot, lambda: not app.working)

        read_card, edit_card = app.query(ToolCard)
        assert edit_card.summary == "edit calc.py"  # paths under the project, relative
        assert edit_card.expanded
        assert edit_card.diff is not None
        assert "-    return a - b" in edit_card.diff and "+    return a + b" in edit_card.diff
        assert not read_card.expanded and read_card.diff is None
        read_card.focus()
        await pilot.press("enter")
        assert read_card.expanded
        assert "return a - b" in read_card.output


async def test_the_status_bar_counts_tokens_and_how_full_the_context_is(repo: Path) -> None:
    script = [
        {"text": "One.", "usage": {"prompt_tokens": 3000, "completion_tokens": 200}},
        {"text": "Two.", "usage": {"prompt_tokens": 7800, "completion_tokens": 200}},
    ]
    async with running_app(repo, script, context_window=16_000) as (app, pilot, _):
        status = app.query_one(StatusBar)
        assert "tokens" not in str(status.render())
        await _type(pilot, "first")
        await wait_for(pilot, lambda: not app.working)
        await _type(pilot, "second")
        await wait_for(pilot, lambda: not app.working)

        assert status.usage.total_tokens == 11_200
        assert status.context_fill == 0.5
        line = str(status.render())
        assert "context 50%" in line and "11.2k tokens" in line


async def test_slash_commands_complete_inline_and_switch_the_mode(repo: Path) -> None:
    async with running_app(repo, []) as (app, pilot, server):
        await pilot.press(*"/pl")
        await pilot.press("right")  # accept the inline suggestion
        field = app.query_one("#prompt", PromptInput)
        assert field.value == "/plan"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_one(StatusBar).mode == "plan")
        assert app.mode == "plan"

        await _type(pilot, "/mode nonsense")
        await _type(pilot, "/frobnicate")
        await _type(pilot, "/help")
        await pilot.pause()
        notices = _notices(app)
        assert notices[0] == "usage: /mode default|accept_edits|plan"
        assert notices[1] == "unknown command /frobnicate; /help lists them"
        assert "/mode" in notices[2] and "Esc stops" in notices[2]
        assert app.mode == "plan"
        assert not server.requests  # none of it went to the model


async def test_up_and_down_walk_through_what_was_sent(repo: Path) -> None:
    async with running_app(repo, []) as (app, pilot, _):
        for line in ("/help", "/mode plan", "/help"):
            await _type(pilot, line)
        field = app.query_one("#prompt", PromptInput)
        field.value = "a draft"
        await pilot.press("up")
        assert field.value == "/help"
        await pilot.press("up")
        assert field.value == "/mode plan"
        await pilot.press("up", "up", "up")
        assert field.value == "/help"
        await pilot.press("down", "down", "down")
        assert field.value == "a draft"


async def test_a_subagents_tool_calls_are_listed_under_its_task_card(repo: Path) -> None:
    task = {
        "agent": "explorer",
        "description": "find the adder",
        "prompt": "Find where add is defined and report the file.",
    }
    script = [
        {"tool_calls": [{"name": "task", "arguments": task}]},
        {"tool_calls": [{"name": "grep", "arguments": {"pattern": "def add"}}]},
        {"text": "add is in calc.py"},
        {"expect": {"last_tool_result_contains": "add is in calc.py"}, "text": "It is in calc.py."},
    ]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "where is add?")
        await wait_for(pilot, lambda: not app.working)

        (card,) = app.query(ToolCard)  # the subagent's grep has no card of its own
        assert card.call.name == "task" and card.status == "done"
        assert len(card.children_seen) == 1 and card.children_seen[0].startswith("grep")
        # the subagent's own text is its report, not part of the answer
        assert _answers(app) == ["It is in calc.py."]
        assert not _notices(app)


async def test_a_continued_session_shows_the_conversation_so_far(repo: Path) -> None:
    first = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch made"}}]},
        {"text": "I made **the file**."},
    ]
    async with running_app(repo, first) as (app, pilot, _):
        await _type(pilot, "make a file")
        await _asked(pilot, app, PermissionPrompt)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.working)

    second = [{"expect": {"last_user_contains": "and now?"}, "text": "Still there."}]
    async with running_app(repo, second, continue_latest=True) as (app, pilot, _):
        await pilot.pause()
        # the earlier turn is history: kept as data and drawn as it looked
        entries = app.conversation.history.entries
        assert [(e.kind, e.text) for e in entries] == [
            ("user", "make a file"),
            ("tool", "bash touch made"),
            ("answer", "I made **the file**."),
        ]
        assert entries[1].status == "done"
        screen = screen_text(app)
        for shown in ("> make a file", "✓ bash touch made", "I made the file."):
            assert shown in screen
        assert _notices(app)[-1].startswith("resumed: ")

        await _type(pilot, "and now?")
        await wait_for(pilot, lambda: not app.working)
        assert _answers(app) == ["Still there."]
        assert "Still there." in screen_text(app)


async def test_text_queued_too_late_for_the_turn_goes_with_the_next_message(repo: Path) -> None:
    script = [
        {"text": "a slow answer " * 6, "chunk_chars": 14, "tokens_per_second": 20},
        {
            "expect": {"last_user_contains": "use tabs"},
            "text": "Tabs it is, and here is the next thing.",
        },
    ]
    async with running_app(repo, script) as (app, pilot, server):
        await _type(pilot, "first")
        await wait_for(pilot, lambda: app.query(Answer))
        await _type(pilot, "use tabs")  # the model is answering: no further step to take it
        await wait_for(pilot, lambda: not app.working)
        (pending,) = app.query(PendingInjection)
        assert not pending.delivered
        assert "next message" in str(pending.render())

        await _type(pilot, "next thing")
        await wait_for(pilot, lambda: not app.working)
        assert pending.delivered
        assert _answers(app)[-1] == "Tabs it is, and here is the next thing."
        assert len(server.requests) == 2


async def test_a_question_takes_several_choices_or_a_typed_answer(repo: Path) -> None:
    several = {
        "name": "ask_user",
        "arguments": {
            "question": "Which checks?",
            "options": [{"label": "lint"}, {"label": "types"}, {"label": "tests"}],
            "multi_select": True,
        },
    }
    typed = {
        "name": "ask_user",
        "arguments": {"question": "Which port?", "options": [{"label": "8000"}]},
    }
    script = [
        {"tool_calls": [several]},
        {"expect": {"last_tool_result_contains": "tests"}, "tool_calls": [typed]},
        {"expect": {"last_tool_result_contains": "9090"}, "text": "Port 9090, lint and tests."},
    ]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "set up checks")
        await _asked(pilot, app, QuestionPrompt)
        await pilot.press("1", "3", "2", "2", "enter")  # 2 toggled on and off again
        await wait_for(pilot, lambda: len(app.query(QuestionPrompt)) == 2)
        await wait_for(pilot, lambda: app.focused is app.query(QuestionPrompt).last())
        first = app.query(QuestionPrompt).first()
        assert first.answer.result().selected == ["lint", "tests"]

        second = app.query(QuestionPrompt).last()
        await wait_for(pilot, lambda: app.focused is second)
        await pilot.press(*"port 9090")  # a letter moves the typing into the answer field
        assert second.query_one(Input).value == "port 9090"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.working)
        assert second.answer.result().text == "port 9090"
        assert _answers(app) == ["Port 9090, lint and tests."]


async def test_an_edit_asks_with_its_diff_on_screen(repo: Path) -> None:
    edit = {"file_path": str(repo / "calc.py"), "old_string": "a - b", "new_string": "a + b"}
    script = [
        {"tool_calls": [{"name": "read", "arguments": {"file_path": str(repo / "calc.py")}}]},
        {"tool_calls": [{"name": "edit", "arguments": edit}]},
        {"text": "Fixed."},
    ]
    async with running_app(repo, script) as (app, pilot, _):
        await _type(pilot, "fix add")
        await _asked(pilot, app, PermissionPrompt)
        await pilot.pause()
        prompt = app.query_one(PermissionPrompt)
        assert prompt.request.diff is not None
        shown = app.export_screenshot()
        assert "return a + b" in shown.replace("&#160;", " ")
        assert "return a - b" in shown.replace("&#160;", " ")
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.working)
        assert (repo / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"


async def test_a_plan_edited_in_the_editor_is_the_plan_the_model_gets(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = "- [ ] Add a test for negative numbers"
    # an "editor" that appends a step to the file it is given, as a person would
    monkeypatch.setenv("VISUAL", f'sh -c \'echo "{added}" >> "$0"\'')
    propose = {"name": "propose_plan", "arguments": {"title": "Fix add", "plan": PLAN}}
    script = [
        {"tool_calls": [propose]},
        {"expect": {"last_tool_result_contains": added}, "text": "Starting."},
    ]
    async with running_app(repo, script, mode="plan") as (app, pilot, _):
        await _type(pilot, "fix add, plan first")
        await wait_for(pilot, lambda: isinstance(app.focused, PlanPrompt))
        await pilot.pause()
        await pilot.press("o")
        prompt = app.query_one(PlanPrompt)
        await wait_for(pilot, lambda: added in prompt.shown_plan)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.working)
        assert _answers(app) == ["Starting."]  # the script's expect saw the edited step


async def test_the_approved_plan_stays_above_the_conversation_and_ticks_off(
    repo: Path,
) -> None:
    propose = {"name": "propose_plan", "arguments": {"title": "Fix add", "plan": PLAN}}
    script = [
        {"tool_calls": [propose]},
        {"tool_calls": [{"name": "update_plan", "arguments": {"step": 1}}]},
        {"expect": {"last_tool_result_contains": "1 left"}, "text": "One step done."},
    ]
    async with running_app(repo, script, mode="plan") as (app, pilot, _):
        pane = app.query_one(PlanPane)
        assert not pane.display  # no plan yet
        await _type(pilot, "fix add, plan first")
        await _asked(pilot, app, PlanPrompt)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.working)

        assert pane.display
        assert pane.title == "Fix add"
        assert pane.steps == [
            (True, "Change `a - b` to `a + b`"),
            (False, "Run the tests"),
        ]
