"""Speech to text through OpenAI-compatible and Azure transcription endpoints."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from tau_cli.agent import OpenAIProvider, Transcriber, Turn, create_provider
from tau_cli.core import ClientConfig, ModelRef, ProviderConfig, RateLimitError
from tau_cli.testing import ScriptedModelServer

AUDIO = b"RIFF" + bytes(64_000)  # two seconds of 16 kHz, 16-bit silence


async def test_a_transcript_with_segments_from_an_uploaded_file() -> None:
    async with ScriptedModelServer([Turn(text="run the tests please")]) as server:
        provider = OpenAIProvider("whisper-1", base_url=f"{server.url}/v1")
        result = await provider.transcribe(AUDIO, filename="note.wav", language="en")
        await provider.aclose()
        (request,) = server.requests

    assert isinstance(provider, Transcriber)
    assert result.text == "run the tests please"
    assert result.language == "en"
    assert result.duration_seconds == 2.0
    assert [s.text for s in result.segments] == ["run the tests please"]
    assert request.path == "/v1/audio/transcriptions"
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert b'filename="note.wav"' in request.body
    assert b"verbose_json" in request.body


async def test_azure_transcribes_through_its_deployment() -> None:
    async with ScriptedModelServer([Turn(text="hello")]) as server:
        provider = create_provider(
            ModelRef.parse("azure:whisper"),
            ProviderConfig(kind="azure", base_url=server.url, api_key=SecretStr("k")),
        )
        assert isinstance(provider, OpenAIProvider)
        result = await provider.transcribe(AUDIO)
        await provider.aclose()
        path = server.requests[0].path

    assert result.text == "hello"
    assert path == "/openai/deployments/whisper/audio/transcriptions"


async def test_transcription_failures_are_typed_errors() -> None:
    turn = Turn.model_validate({"error": {"status": 429, "headers": {"Retry-After": "1"}}})
    async with ScriptedModelServer([turn]) as server:
        provider = OpenAIProvider(
            "whisper-1", base_url=f"{server.url}/v1", client=ClientConfig(max_retries=0)
        )
        with pytest.raises(RateLimitError):
            await provider.transcribe(AUDIO)
        await provider.aclose()
