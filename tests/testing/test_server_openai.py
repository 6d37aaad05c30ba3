"""The scripted model server speaks OpenAI chat completions as the API reference does.

These tests use plain httpx, not tau's providers, so the server's reading of the
format is checked on its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tau_cli.agent import Script, Turn
from tau_cli.testing import ScriptedModelServer

USER = [{"role": "user", "content": "hi"}]


def _sse(text: str) -> list[Any]:
    payloads = [line.removeprefix("data: ") for line in text.split("\n") if line]
    assert payloads[-1] == "[DONE]"
    return [json.loads(p) for p in payloads[:-1]]


async def test_a_non_streaming_answer_with_tool_calls_and_usage() -> None:
    turn = Turn.model_validate(
        {
            "text": "Let me look.",
            "tool_calls": [{"name": "read", "arguments": {"path": "a.py"}, "id": "call_1"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 4},
        }
    )
    async with ScriptedModelServer([turn]) as server, httpx.AsyncClient() as client:
        response = await client.post(
            f"{server.url}/v1/chat/completions", json={"model": "gpt-x", "messages": USER}
        )

    body = response.json()
    (choice,) = body["choices"]
    assert body["object"] == "chat.completion"
    assert body["model"] == "gpt-x"
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Let me look."
    assert choice["message"]["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "read", "arguments": '{"path": "a.py"}'},
        }
    ]
    assert body["usage"]["total_tokens"] == 15


async def test_a_stream_sends_chunks_usage_only_when_asked_and_done() -> None:
    turns = [Turn(text="abcdef", chunk_chars=4), Turn(text="abcdef", chunk_chars=4)]
    async with ScriptedModelServer(turns) as server, httpx.AsyncClient() as client:
        plain = await client.post(
            f"{server.url}/v1/chat/completions",
            json={"model": "m", "messages": USER, "stream": True},
        )
        with_usage = await client.post(
            f"{server.url}/v1/chat/completions",
            json={
                "model": "m",
                "messages": USER,
                "stream": True,
                "stream_options": {"include_usage": True},
            },
        )

    chunks = _sse(plain.text)
    assert plain.headers["content-type"] == "text/event-stream"
    assert [c["choices"][0]["delta"].get("content") for c in chunks] == ["abcd", "ef", None]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all("usage" not in c for c in chunks)
    last = _sse(with_usage.text)[-1]
    assert last["choices"] == []
    assert last["usage"]["prompt_tokens"] > 0


def test_every_request_is_recorded_as_it_crossed_the_wire() -> None:
    with ScriptedModelServer([Turn(text="ok")]) as server:
        httpx.post(
            f"{server.url}/openai/deployments/prod/chat/completions?api-version=2024-10-21",
            json={"messages": USER},
            headers={"api-key": "k"},
        )
        (request,) = server.requests

    assert request.path == "/openai/deployments/prod/chat/completions"
    assert request.query == {"api-version": "2024-10-21"}
    assert request.headers["api-key"] == "k"
    assert request.json()["messages"] == USER


def test_an_error_turn_sends_its_status_headers_and_body() -> None:
    turns = [
        Turn.model_validate({"error": {"status": 429, "headers": {"Retry-After": "3"}}}),
        Turn.model_validate({"error": {"status": 502, "body": "<html>Bad gateway</html>"}}),
    ]
    with ScriptedModelServer(turns) as server:
        limited = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": USER})
        gateway = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": USER})

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "3"
    assert limited.json()["error"]["type"] == "rate_limit_exceeded"
    assert gateway.status_code == 502
    assert gateway.text == "<html>Bad gateway</html>"


def test_a_cut_stream_ends_without_its_terminating_chunk() -> None:
    with ScriptedModelServer([Turn(text="abcdefgh", chunk_chars=2, cut_after=2)]) as server:
        received: list[bytes] = []
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream(
                "POST",
                f"{server.url}/v1/chat/completions",
                json={"messages": USER, "stream": True},
            ) as response,
        ):
            received.extend(response.iter_bytes())

    assert b"ab" in b"".join(received)
    assert b"[DONE]" not in b"".join(received)


def test_an_orphaned_tool_call_gets_the_400_a_real_api_gives() -> None:
    history = [
        *USER,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_9", "type": "function", "function": {"name": "ls", "arguments": "{}"}}
            ],
        },
        {"role": "user", "content": "well?"},
    ]
    with ScriptedModelServer([Turn(text="never sent")]) as server:
        response = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": history})

    assert response.status_code == 400
    assert "missing: call_9" in response.json()["error"]["message"]


def test_an_unmet_expect_and_an_oversized_request_are_refused(tmp_path: Path) -> None:
    script_file = tmp_path / "script.yaml"
    script_file.write_text(
        "context_window: 100\n"
        "turns:\n"
        "  - expect: {last_user_contains: deploy}\n"
        "    text: deploying\n"
        "  - text: too late\n"
    )
    with ScriptedModelServer(script_file) as server:
        unmet = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": USER})
        big = [{"role": "user", "content": "word " * 200}]
        oversized = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": big})

    assert unmet.status_code == 400
    assert "should contain 'deploy'" in unmet.json()["error"]["message"]
    assert oversized.status_code == 400
    assert oversized.json()["error"]["code"] == "context_length_exceeded"


def test_running_out_of_turns_and_unknown_routes_are_clear_errors() -> None:
    with ScriptedModelServer(Script(turns=[])) as server:
        exhausted = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": USER})
        unknown = httpx.get(f"{server.url}/v2/nothing")

    assert exhausted.status_code == 400
    assert "no turn left" in exhausted.json()["error"]["message"]
    assert unknown.status_code == 404


def test_the_url_is_only_valid_while_running() -> None:
    server = ScriptedModelServer([])
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
