"""Embeddings from OpenAI-compatible servers, Azure, Ollama and the scripted model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from tau_cli.agent import (
    Embedder,
    OllamaProvider,
    OpenAIProvider,
    Script,
    ScriptedProvider,
    create_provider,
    scripted_vector,
)
from tau_cli.core import MalformedResponseError, ModelRef, ProviderConfig
from tau_cli.testing import ScriptedModelServer

TEXTS = ["def add(a, b):", "class Parser:", "def add(a, b):"]


async def test_openai_embeddings_come_back_in_input_order() -> None:
    async with ScriptedModelServer([]) as server:
        provider = OpenAIProvider("text-embedding-3-small", base_url=f"{server.url}/v1")
        response = await provider.embed(TEXTS)
        await provider.aclose()
        (request,) = server.requests

    assert isinstance(provider, Embedder)
    assert response.vectors == [scripted_vector(t) for t in TEXTS]
    assert response.vectors[0] == response.vectors[2] != response.vectors[1]
    assert response.usage.prompt_tokens > 0
    assert request.path == "/v1/embeddings"
    assert request.json() == {"input": TEXTS, "model": "text-embedding-3-small"}


async def test_azure_embeddings_use_the_deployment_route() -> None:
    async with ScriptedModelServer([]) as server:
        provider = create_provider(
            ModelRef.parse("azure:embed-prod"),
            ProviderConfig(kind="azure", base_url=server.url, api_key=SecretStr("k")),
        )
        assert isinstance(provider, OpenAIProvider)
        response = await provider.embed(["hello"])
        await provider.aclose()
        (request,) = server.requests

    assert len(response.vectors) == 1
    assert request.path == "/openai/deployments/embed-prod/embeddings"
    assert "api-version" in request.query


async def test_ollama_embeddings_use_api_embed() -> None:
    async with ScriptedModelServer([]) as server:
        provider = OllamaProvider("nomic-embed-text", base_url=server.url)
        response = await provider.embed(TEXTS[:2])
        await provider.aclose()
        (request,) = server.requests

    assert response.vectors == [scripted_vector(t) for t in TEXTS[:2]]
    assert request.path == "/api/embed"
    assert request.json() == {"model": "nomic-embed-text", "input": TEXTS[:2]}


async def test_the_scripted_provider_embeds_without_using_turns() -> None:
    provider = ScriptedProvider(Script(turns=[]))

    response = await provider.embed(TEXTS)

    assert response.vectors == [scripted_vector(t) for t in TEXTS]
    assert provider.turns_left == 0


@pytest.mark.parametrize(
    ("make", "body"),
    [
        (lambda url: OpenAIProvider("e", base_url=url), b'{"data": [{"index": 0}]}'),
        (lambda url: OllamaProvider("e", base_url=url), b'{"embeddings": "none"}'),
    ],
)
async def test_embeddings_of_the_wrong_shape_are_malformed_responses(
    serve_bytes: Any, make: Any, body: bytes
) -> None:
    async with serve_bytes(body, "application/json") as url:
        provider = make(url)
        with pytest.raises(MalformedResponseError, match="shape tau does not understand"):
            await provider.embed(["x"])
        await provider.aclose()
