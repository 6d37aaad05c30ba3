"""Scripting tau with JSON lines: events out (against a published schema), messages in."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tau_cli.agent import Turn
from tau_cli.cli.event_schema import EVENT_SCHEMA_VERSION, render
from tau_cli.cli.stream_input import InputLineError, parse_user_line
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, run_tau, tau_env

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "events.schema.json"


def model_env(server: ScriptedModelServer) -> dict[str, str]:
    return {
        "TAU_MODEL": "openai:scripted-model",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0000000000000000",
    }


def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def events_of(stdout: str) -> list[dict[str, Any]]:
    check = validator()
    events = []
    for line in stdout.splitlines():
        event = json.loads(line)
        errors = [e.message for e in check.iter_errors(event)]
        assert not errors, f"{event.get('type')} does not match the schema: {errors[:3]}"
        events.append(event)
    return events


def test_the_published_schema_is_generated_from_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), (
        "docs/events.schema.json is stale; regenerate it with "
        "python -m tau_cli.cli.event_schema > docs/events.schema.json"
    )
    assert json.loads(render())["version"] == EVENT_SCHEMA_VERSION


def test_stream_json_output_is_valid_against_the_published_schema(repo: Path) -> None:
    (repo / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    script = [
        Turn.model_validate(
            {
                "reasoning": "Look first.",
                "tool_calls": [
                    {"name": "glob", "arguments": {"pattern": "*.py"}},
                    {"name": "bash", "arguments": {"command": "touch nope"}},
                ],
            }
        ),
        Turn(text="add subtracts.", chunk_chars=4),
    ]
    with ScriptedModelServer(script) as server:
        result = run_tau(
            "run", "--output-format", "stream-json", "look", cwd=repo, **model_env(server)
        )
    assert result.returncode == 0, result.stderr

    kinds = {e["type"] for e in events_of(result.stdout)}
    assert {
        "turn_started",
        "reasoning_delta",
        "text_delta",
        "assistant_message",
        "tool_started",
        "tool_finished",
        "permission_requested",
        "permission_resolved",
        "turn_finished",
    } <= kinds


def test_a_malformed_event_fails_the_schema() -> None:
    check = validator()
    assert not check.is_valid({"type": "turn_finished", "reason": "bored"})
    assert not check.is_valid({"type": "no_such_event"})


def test_user_messages_on_stdin_make_a_multi_turn_conversation(repo: Path) -> None:
    script = [
        Turn(text="First answer."),
        Turn.model_validate(
            {"expect": {"last_user_contains": "second question"}, "text": "Second answer."}
        ),
    ]
    lines = [
        {"type": "user", "text": "first question"},
        {},  # replaced by a blank line below
        {
            "type": "user",
            "message": {"role": "user", "content": [{"type": "text", "text": "second question"}]},
        },
    ]
    stdin = "\n".join("" if not line else json.dumps(line) for line in lines) + "\n"
    with ScriptedModelServer(script) as server:
        result = subprocess.run(
            [TAU, "run", "--input-format", "stream-json", "--output-format", "stream-json"],
            input=stdin,
            cwd=repo,
            env=tau_env(**model_env(server)),
            capture_output=True,
            text=True,
            timeout=60,
        )
        second = server.requests[1].json()["messages"]

    assert result.returncode == 0, result.stderr
    events = events_of(result.stdout)
    finished = [e for e in events if e["type"] == "turn_finished"]
    assert [e["reason"] for e in finished] == ["completed", "completed"]
    answers = [e["message"]["content"] for e in events if e["type"] == "assistant_message"]
    assert answers == ["First answer.", "Second answer."]
    assert len({e["session_id"] for e in events}) == 1
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]


def test_a_bad_line_stops_with_exit_2_and_keeps_what_ran(repo: Path) -> None:
    stdin = json.dumps({"type": "user", "text": "hello"}) + "\n{not json\n"
    with ScriptedModelServer([Turn(text="Hi.")]) as server:
        result = subprocess.run(
            [TAU, "run", "--input-format", "stream-json", "--output-format", "stream-json"],
            input=stdin,
            cwd=repo,
            env=tau_env(**model_env(server)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert "stdin line 2: not JSON" in result.stderr
    assert "Traceback" not in result.stderr
    assert events_of(result.stdout)[-1]["type"] == "turn_finished"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input-format", "stream-json"], "needs --output-format stream-json"),
        (
            ["--input-format", "stream-json", "--output-format", "stream-json", "hi"],
            "the messages come on stdin",
        ),
        (["--input-format", "yaml", "hi"], "--input-format must be text or stream-json"),
    ],
)
def test_input_format_usage_errors(repo: Path, args: list[str], message: str) -> None:
    result = run_tau("run", *args, cwd=repo)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ('{"type": "user", "text": "hi"}', "hi"),
        ('{"type": "user", "message": {"role": "user", "content": "hi"}}', "hi"),
        ("   ", None),
    ],
)
def test_the_user_line_shapes(line: str, text: str | None) -> None:
    assert parse_user_line(line) == text


@pytest.mark.parametrize(
    "line", ['"hi"', '{"type": "assistant", "text": "x"}', '{"type": "user"}', "{"]
)
def test_lines_that_are_not_user_messages(line: str) -> None:
    with pytest.raises(InputLineError):
        parse_user_line(line)
