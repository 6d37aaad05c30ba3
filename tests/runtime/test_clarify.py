"""ask_user: the loop pauses on a question and the answer reaches the model."""

from __future__ import annotations

from pathlib import Path

from tau_cli.core import QuestionAnswer
from tau_cli.runtime.events import TurnFinished
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import ScriptedPerson, collect, make_repo, runtime_for, turns

QUESTION = {
    "name": "ask_user",
    "arguments": {
        "question": "Which storage should the cache use?",
        "options": [{"label": "Redis"}, {"label": "SQLite", "description": "no extra service"}],
    },
}


async def test_the_users_choice_reaches_the_model(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    person = ScriptedPerson(answers=[QuestionAnswer(selected=["SQLite"])])
    script = turns(
        {"tool_calls": [QUESTION]},
        {
            "expect": {"last_tool_result_contains": "The user chose: SQLite"},
            "text": "SQLite it is.",
        },
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person)
        events = await collect(runtime, "add a cache")
        await runtime.aclose()

    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"
    (asked,) = person.questions
    assert asked.question == "Which storage should the cache use?"
    assert [o.label for o in asked.options] == ["Redis", "SQLite"]


async def test_with_nobody_to_ask_the_model_proceeds_on_assumptions(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns(
        {"tool_calls": [QUESTION]},
        {
            "expect": {"last_tool_result_contains": "proceed with stated assumptions"},
            "text": "Assuming SQLite.",
        },
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=NonInteractive())  # type: ignore[arg-type]
        events = await collect(runtime, "add a cache")
        await runtime.aclose()

    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"
