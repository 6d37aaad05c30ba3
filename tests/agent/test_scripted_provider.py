"""``scripted:PATH``: a reproducible model that is as strict as a real one."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from tau_cli.agent import ChatRequest, ScriptedProvider, StreamInterrupted
from tau_cli.agent.script import Script
from tau_cli.core import (
    ConfigError,
    ContextLengthError,
    FinishReason,
    Message,
    ProviderError,
    RateLimitError,
    StreamDone,
    StreamError,
    StreamEvent,
    TextDelta,
    ToolCallComplete,
    ToolDefinition,
    ToolResult,
)

SCRIPT = """\
turns:
  - tool_calls:
      - name: bash
        arguments: {command: pytest -q}
  - expect:
      last_tool_result_contains: 4 passed
    reasoning: The tests pass.
    text: All four tests pass.
    usage: {prompt_tokens: 120, completion_tokens: 9}
"""

BASH = ToolDefinition(name="bash", description="Run a command")


def _write(tmp_path: Path, text: str, name: str = "script.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


async def _events(provider: ScriptedProvider, request: ChatRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(request)]


async def test_a_script_file_plays_a_tool_turn_then_an_answer(tmp_path: Path) -> None:
    provider = ScriptedProvider(_write(tmp_path, SCRIPT))
    history = [Message.user("run the tests")]

    first = await provider.complete(ChatRequest(messages=history, tools=[BASH]))
    (call,) = first.message.tool_calls
    history += [first.message, Message.tool(call, ToolResult(text="4 passed in 0.1s"))]
    second = await provider.complete(ChatRequest(messages=history, tools=[BASH]))

    assert call.name == "bash"
    assert call.arguments == {"command": "pytest -q"}
    assert first.finish_reason is FinishReason.TOOL_CALLS
    assert second.message.text == "All four tests pass."
    assert second.message.reasoning == "The tests pass."
    assert second.usage.prompt_tokens == 120
    assert provider.name == f"scripted:{tmp_path / 'script.yaml'}"
    assert [len(r.messages) for r in provider.requests] == [1, 3]


async def test_the_stream_delivers_chunks_then_completed_calls_then_done() -> None:
    script = Script.model_validate(
        {
            "turns": [
                {
                    "text": "abcdefgh",
                    "chunk_chars": 3,
                    "tool_calls": [{"name": "bash", "arguments": {"command": "ls"}}],
                }
            ]
        }
    )

    events = await _events(ScriptedProvider(script), ChatRequest(messages=[Message.user("hi")]))

    assert [e.text for e in events if isinstance(e, TextDelta)] == ["abc", "def", "gh"]
    (complete,) = [e for e in events if isinstance(e, ToolCallComplete)]
    assert complete.call.arguments == {"command": "ls"}
    assert isinstance(events[-1], StreamDone)
    assert events[-1].response.message.text == "abcdefgh"


async def test_an_unanswered_tool_call_is_refused_like_a_real_api(tmp_path: Path) -> None:
    provider = ScriptedProvider(_write(tmp_path, SCRIPT))
    first = await provider.complete(ChatRequest(messages=[Message.user("go")]))

    with pytest.raises(ProviderError, match="missing: call_0_0") as caught:
        await provider.complete(
            ChatRequest(messages=[Message.user("go"), first.message, Message.user("and?")])
        )
    assert caught.value.status == 400


async def test_an_unmet_expectation_reaches_the_caller_as_an_error(tmp_path: Path) -> None:
    provider = ScriptedProvider(_write(tmp_path, SCRIPT))
    first = await provider.complete(ChatRequest(messages=[Message.user("go")]))
    (call,) = first.message.tool_calls
    history = [Message.user("go"), first.message, Message.tool(call, ToolResult(text="1 failed"))]

    events = await _events(provider, ChatRequest(messages=history))

    (error,) = events
    assert isinstance(error, StreamError)
    assert "should contain '4 passed'" in error.error.message
    assert "1 failed" in error.error.message


async def test_a_request_over_the_context_window_gets_a_context_length_error() -> None:
    script = Script.model_validate({"context_window": 50, "turns": [{"text": "ok"}]})

    with pytest.raises(ContextLengthError, match="maximum context length is 50"):
        await ScriptedProvider(script).complete(ChatRequest(messages=[Message.user("x" * 400)]))


async def test_scripted_errors_pace_and_cuts_behave_like_a_network() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    script = Script.model_validate(
        {
            "turns": [
                {"error": {"status": 429, "headers": {"Retry-After": "2"}}, "delay": "1s"},
                {"text": "abcdefgh", "chunk_chars": 2, "tokens_per_second": 1, "cut_after": 3},
            ]
        }
    )
    provider = ScriptedProvider(script, sleep=sleep)
    request = ChatRequest(messages=[Message.user("hi")])

    with pytest.raises(RateLimitError) as limited:
        await provider.complete(request)
    events = await _events(provider, request)

    assert limited.value.retry_after == 2.0
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["ab", "cd", "ef"]
    assert isinstance(events[-1], StreamError)
    assert events[-1].error.kind == StreamInterrupted.__name__
    assert waits == [1.0, 0.5, 0.5]


async def test_a_script_that_runs_out_says_so() -> None:
    provider = ScriptedProvider(Script.model_validate({"turns": []}))

    with pytest.raises(ProviderError, match="no turn left for request 1"):
        await provider.complete(ChatRequest(messages=[Message.user("hi")]))


def test_a_json_list_of_turns_is_a_script(tmp_path: Path) -> None:
    path = _write(tmp_path, '[{"text": "hi"}, {"error": {"status": 500}}]', "s.json")

    script = Script.load(path)

    assert [t.text for t in script.turns] == ["hi", ""]
    assert script.turns[1].error is not None and script.turns[1].error.status == 500


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("turns: [{text: hi, error: {status: 500}}]", "cannot also answer"),
        ("turns: [{txt: hi}]", "turns.0.txt"),
        ("turns: [{text: [unclosed", "not valid YAML"),
    ],
)
def test_a_bad_script_file_is_a_config_error_naming_the_file(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = _write(tmp_path, text)

    with pytest.raises(ConfigError, match=problem) as caught:
        ScriptedProvider(path)
    assert caught.value.path == str(path)


def test_a_missing_script_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the script"):
        Script.load(tmp_path / "absent.yaml")


def test_the_documented_example_script_is_valid() -> None:
    import tau_cli.agent.script as module

    doc = module.__doc__ or ""
    example = doc.split("In YAML::", 1)[1].split("\n\n")[1]

    script = Script.model_validate(yaml.safe_load(textwrap.dedent(example)))

    assert script.context_window == 8000
    assert [bool(t.tool_calls) for t in script.turns] == [True, False, False, False]
    assert script.turns[2].error is not None and script.turns[2].error.status == 429
    assert script.models[0].context_window == 40960
