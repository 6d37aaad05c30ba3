"""The conversation's history: long sessions stay cheap, and still read and behave as cards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widget import Widget

from tau_cli.core import Message, ToolCall, ToolResult
from tau_cli.session.session import Session
from tau_cli.session.store import SessionStore
from tau_cli.tui.app import TauApp
from tau_cli.tui.widgets import Answer, ToolCard, UserMessage

from .conftest import make_repo, running_app, screen_text, wait_for


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def _saved_session(repo: Path, exchanges: int, table: bool = False) -> None:
    """A session of ``4 * exchanges`` messages on disk, as ``tau --continue`` finds it.

    With ``table``, each answer opens with a table, drawn taller than its text.
    """
    session = Session(cwd=repo, model="openai:scripted-model")
    for n in range(exchanges):
        call = ToolCall(id=f"call-{n}", name="read", arguments={"file_path": f"src/m{n}.py"})
        session.extend(
            [
                Message.user(f"question {n}: what does m{n} do?"),
                Message.assistant(tool_calls=[call]),
                Message.tool(call, ToolResult(text=f"def f{n}():\n    return {n}\n")),
                Message.assistant(
                    (f"| a | b |\n|---|---|\n| {n} | 2 |\n\n" if table else "")
                    + f"Answer {n}: `f{n}` returns **{n}**.\n\n- one\n- two"
                ),
            ]
        )
    SessionStore().attach(session)
    session.close()


def _answers_on_screen(app: TauApp) -> list[int]:
    return [int(m) for m in re.findall(r"Answer (\d+):", screen_text(app))]


def _widgets(app: TauApp) -> int:
    return len(list(app.screen.query(Widget)))


async def test_a_10000_message_session_resumes_scrolls_and_keeps_few_widgets(repo: Path) -> None:
    _saved_session(repo, 2500)
    async with running_app(repo, [], continue_latest=True, size=(100, 36)) as (app, pilot, _):
        await pilot.pause()
        conversation = app.conversation
        history = conversation.history
        assert len(history.entries) == 7500  # user, tool card and answer per exchange
        # it opens at the end, where the session stopped
        await wait_for(pilot, lambda: "Answer 2499:" in screen_text(app))
        assert "resumed: 10000 messages" in screen_text(app)
        bound = _widgets(app)
        assert bound < 40
        assert not app.query(UserMessage) and not app.query(ToolCard)

        conversation.scroll_home(animate=False)
        await pilot.pause()
        assert "> question 0: what does m0 do?" in screen_text(app)
        seen: list[int] = []
        for _ in range(8):  # page by page, the exchanges follow in order, none skipped
            seen += _answers_on_screen(app)
            conversation.scroll_page_down(animate=False)
            await pilot.pause()
        assert sorted(set(seen)) == list(range(max(seen) + 1))
        assert max(seen) > 20

        conversation.scroll_to_entry(3 * 1234)  # jump to an exchange in the middle
        await pilot.pause()
        await pilot.pause()
        assert screen_text(app).splitlines()[1].strip() == "> question 1234: what does m1234 do?"

        conversation.scroll_end(animate=False)
        await pilot.pause()
        assert "Answer 2499:" in screen_text(app)
        assert _widgets(app) == bound
        # what was drawn stays a few screens' worth, not the session
        assert history.renders < 400
        assert history.mounted_lines <= 4000


async def test_the_screen_holds_still_while_entries_above_it_get_their_true_height(
    repo: Path,
) -> None:
    _saved_session(repo, 400, table=True)  # every answer is taller than its text says
    async with running_app(repo, [], continue_latest=True, size=(100, 36)) as (app, pilot, _):
        await pilot.pause()
        conversation, history = app.conversation, app.conversation.history
        conversation.scroll_to_entry(3 * 200)
        await pilot.pause()
        top = screen_text(app).splitlines()[1].strip()
        assert top == "> question 200: what does m200 do?"
        # The screens around are drawn and their heights corrected: the answer just above
        # turns out taller than estimated, and the line at the top must not move for it.
        await wait_for(pilot, lambda: history.is_drawn(3 * 200 - 1))
        await pilot.pause()
        assert screen_text(app).splitlines()[1].strip() == top
        conversation.scroll_page_up(animate=False)
        await pilot.pause(0.3)
        conversation.scroll_page_down(animate=False)
        await wait_for(pilot, lambda: screen_text(app).splitlines()[1].strip() == top, 5)


async def test_a_tool_card_in_the_history_opens_on_a_click(repo: Path) -> None:
    _saved_session(repo, 3)
    async with running_app(repo, [], continue_latest=True, size=(100, 36)) as (app, pilot, _):
        await pilot.pause()
        history = app.conversation.history
        assert "return 2" not in screen_text(app)
        card = next(i for i, e in enumerate(history.entries) if e.text == "read src/m2.py")
        row = history.top_of(card)
        await pilot.click(offset=(history.region.x + 3, history.region.y + row))
        await pilot.pause()
        assert history.entries[card].expanded
        assert "return 2" in screen_text(app)


async def test_finished_turns_fold_into_the_history_and_look_the_same(repo: Path) -> None:
    script = [
        {"tool_calls": [{"name": "read", "arguments": {"file_path": str(repo / "calc.py")}}]},
        {"text": "It **adds**.\n\n```python\nadd(1, 2)\n```"},
    ]
    async with running_app(repo, script, mode="accept_edits") as (app, pilot, _):
        await pilot.press(*"what does calc do?", "enter")
        await wait_for(pilot, lambda: not app.working and app.query(Answer))
        await pilot.pause()
        live = screen_text(app)
        assert "It adds." in live and "✓ read calc.py" in live

        assert app.conversation.archive(keep=0) == 3
        await pilot.pause()
        await pilot.pause()
        assert not app.query(Answer) and not app.query(ToolCard)
        kinds = [e.kind for e in app.conversation.history.entries]
        assert kinds == ["user", "tool", "answer"]
        assert screen_text(app) == live


async def test_text_in_an_answer_is_selected_with_the_mouse_and_copied(repo: Path) -> None:
    script = [{"text": "The sum is **three**.\n\nCall `add(1, 2)` to check."}]
    _saved_session(repo, 1)
    async with running_app(repo, script, continue_latest=True) as (app, pilot, _):
        await pilot.press(*"and the sum?", "enter")
        await wait_for(pilot, lambda: not app.working and app.query(Answer))
        await pilot.pause()
        (answer,) = app.query(Answer)
        # drag from the start of the answer to the end of its last word
        await pilot.mouse_down(answer, offset=(1, 0))
        await pilot.hover(answer, offset=(27, 2))
        await pilot.mouse_up(answer, offset=(27, 2))
        await pilot.pause()
        assert app.screen.get_selected_text() == "The sum is three.\n\nCall add(1, 2) to check."
        assert app.focused is app.query_one("#prompt")  # typing still goes to the input
        await pilot.press("ctrl+c")
        assert app.clipboard == "The sum is three.\n\nCall add(1, 2) to check."

        # the history is selectable as well: the resumed answer, as it reads
        history = app.conversation.history
        answer_row = next(i for i, e in enumerate(history.entries) if e.kind == "answer")
        row = history.top_of(answer_row) + 1
        await pilot.mouse_down(history, offset=(1, row))
        await pilot.hover(history, offset=(30, row))
        await pilot.mouse_up(history, offset=(30, row))
        await pilot.pause()
        assert app.screen.get_selected_text() == "Answer 0: f0 returns 0."


async def test_keys_choose_a_tool_call_in_the_history_and_open_it(repo: Path) -> None:
    _saved_session(repo, 3)
    async with running_app(repo, [], continue_latest=True, size=(100, 36)) as (app, pilot, _):
        await pilot.pause()
        history = app.conversation.history
        history.focus()
        await pilot.press("up", "up")  # from the end: the latest card, then the one before
        assert history.entries[history.chosen or 0].text == "read src/m1.py"
        assert "return 1" not in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "return 1" in screen_text(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert "return 2" in screen_text(app)
        await pilot.press("enter")  # and folds again
        await pilot.pause()
        assert "return 2" not in screen_text(app)
