"""Azure OpenAI on the same code as OpenAI, and providers built from model references."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tau_cli.agent import ChatRequest, Provider, ScriptedProvider, Turn, create_provider
from tau_cli.agent.openai import OpenAIProvider
from tau_cli.core import (
    ClientConfig,
    ConfigError,
    FinishReason,
    Message,
    ModelRef,
    ProviderConfig,
    ProviderError,
    StreamDone,
    StreamError,
    TextDelta,
)
from tau_cli.testing import ScriptedModelServer

HELLO = ChatRequest(messages=[Message.user("hi")])


async def _no_sleep(seconds: float) -> None:
    del seconds


def _azure(server: ScriptedModelServer, **config: Any) -> Any:
    return create_provider(
        ModelRef.parse("azure:gpt4o-prod"),
        ProviderConfig(kind="azure", base_url=server.url, api_key=SecretStr("az-key"), **config),
        sleep=_no_sleep,
    )


async def test_azure_calls_the_deployment_url_with_api_version_and_api_key() -> None:
    async with ScriptedModelServer([Turn(text="hello from azure")]) as server:
        provider = _azure(server, api_version="2025-01-01-preview")
        response = await provider.complete(HELLO)
        await provider.aclose()
        (request,) = server.requests

    assert response.message.text == "hello from azure"
    assert request.path == "/openai/deployments/gpt4o-prod/chat/completions"
    assert request.query == {"api-version": "2025-01-01-preview"}
    assert request.headers["api-key"] == "az-key"
    assert "authorization" not in request.headers
    assert "model" not in request.json()


async def test_azure_streams_past_the_prompt_filter_chunk() -> None:
    async with ScriptedModelServer([Turn(text="streamed", chunk_chars=3)]) as server:
        provider = _azure(server)
        events = [e async for e in provider.stream(HELLO)]
        await provider.aclose()
        query = server.requests[0].query

    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "streamed"
    assert isinstance(events[-1], StreamDone)
    assert query == {"api-version": "2024-10-21"}


async def test_a_content_filter_finish_is_reported_not_crashed_on() -> None:
    turn = Turn.model_validate({"text": "I can", "finish_reason": "content_filter"})
    async with ScriptedModelServer([turn]) as server:
        provider = _azure(server)
        events = [e async for e in provider.stream(HELLO)]
        await provider.aclose()

    done = events[-1]
    assert isinstance(done, StreamDone)
    assert done.response.finish_reason is FinishReason.CONTENT_FILTER
    assert done.response.message.text == "I can"


async def test_the_content_policy_400_is_a_clear_error() -> None:
    message = (
        "The response was filtered due to the prompt triggering Azure OpenAI's "
        "content management policy."
    )
    turn = Turn.model_validate({"error": {"status": 400, "message": message}})
    async with ScriptedModelServer([turn]) as server:
        provider = _azure(server)
        with pytest.raises(ProviderError, match="content management policy") as caught:
            await provider.complete(HELLO)
        await provider.aclose()

    assert caught.value.status == 400
    assert caught.value.provider == "azure:gpt4o-prod"


async def test_azures_retry_after_ms_is_honoured() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    turns = [
        Turn.model_validate({"error": {"status": 429, "headers": {"retry-after-ms": "1500"}}}),
        Turn(text="ok"),
    ]
    async with ScriptedModelServer(turns) as server:
        provider = create_provider(
            ModelRef.parse("azure:d"),
            ProviderConfig(kind="azure", base_url=server.url, api_key=SecretStr("k")),
            sleep=sleep,
        )
        await provider.complete(HELLO)
        await provider.aclose()

    assert waits == [1.5]


async def test_openai_base_url_comes_from_the_environment() -> None:
    async with ScriptedModelServer([Turn(text="local model")]) as server:
        provider = create_provider(
            ModelRef.parse("openai:qwen3:8b"),
            environ={"OPENAI_BASE_URL": f"{server.url}/v1", "OPENAI_API_KEY": "env-key"},
        )
        response = await provider.complete(HELLO)
        await provider.aclose()
        (request,) = server.requests

    assert response.message.text == "local model"
    assert provider.name == "openai:qwen3:8b"
    assert request.json()["model"] == "qwen3:8b"
    assert request.headers["authorization"] == "Bearer env-key"


async def test_the_default_openai_host_is_refused_while_tests_run() -> None:
    provider = create_provider(
        ModelRef.parse("openai:gpt-4.1"),
        client=ClientConfig(max_retries=0),
        environ={"OPENAI_API_KEY": "sk-real-looking"},
    )
    assert isinstance(provider, OpenAIProvider)
    events = [e async for e in provider.stream(HELLO)]
    await provider.aclose()

    (error,) = events
    assert isinstance(error, StreamError)
    assert "api.openai.com" in error.error.message
    assert "tests may only reach 127.0.0.1" in error.error.message
    assert "sk-real-looking" not in error.error.message


def test_scripted_references_load_the_script_file(tmp_path: Path) -> None:
    script = tmp_path / "demo.yaml"
    script.write_text("turns: [{text: hi}]\n")

    provider = create_provider(ModelRef.parse(f"scripted:{script}"))

    assert isinstance(provider, ScriptedProvider)
    assert provider.turns_left == 1


@pytest.mark.parametrize(
    ("ref", "environ", "problem"),
    [
        ("azure:prod", {}, "set AZURE_OPENAI_ENDPOINT"),
        ("azure:prod", {"AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:1"}, "AZURE_OPENAI_API_KEY"),
        ("foo:bar", {}, "unknown provider 'foo'"),
    ],
)
def test_missing_settings_are_config_errors_saying_what_to_set(
    ref: str, environ: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        create_provider(ModelRef.parse(ref), environ=environ)


async def test_azure_accepts_an_entra_id_token_as_a_bearer() -> None:
    async with ScriptedModelServer([Turn(text="ok")]) as server:
        provider = create_provider(
            ModelRef.parse("azure:prod"),
            environ={"AZURE_OPENAI_ENDPOINT": server.url, "AZURE_OPENAI_AD_TOKEN": "eyJ-token"},
        )
        await provider.complete(HELLO)
        await provider.aclose()
        headers = server.requests[0].headers

    assert headers["authorization"] == "Bearer eyJ-token"
    assert "api-key" not in headers


@pytest.mark.parametrize("kind", ["ollama", "openai", "azure", "anthropic"])
async def test_every_provider_kind_meets_the_provider_protocol(kind: str) -> None:
    provider = create_provider(
        ModelRef(provider=kind, model="m"),
        ProviderConfig.model_validate(
            {"kind": kind, "base_url": "http://127.0.0.1:9", "api_key": "k"}
        ),
    )

    assert isinstance(provider, Provider)
    await provider.aclose()
