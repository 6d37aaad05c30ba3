"""What servers say they offer: names, context lengths and abilities."""

from __future__ import annotations

from pydantic import SecretStr

from tau_cli.agent import (
    ModelLister,
    OllamaProvider,
    OpenAIProvider,
    Script,
    ScriptedProvider,
    ServedModel,
    create_provider,
)
from tau_cli.core import ModelRef, ProviderConfig
from tau_cli.testing import ScriptedModelServer

SCRIPT = Script.model_validate(
    {
        "turns": [],
        "models": [
            {
                "name": "qwen3:8b",
                "context_window": 40960,
                "capabilities": ["completion", "tools", "thinking"],
            },
            {"name": "nomic-embed-text", "capabilities": ["embedding"]},
        ],
    }
)


async def test_ollama_lists_pulled_models_with_their_context_length() -> None:
    async with ScriptedModelServer(SCRIPT) as server:
        provider = OllamaProvider("qwen3:8b", base_url=server.url)
        models = await provider.list_models()
        await provider.aclose()
        calls = [(r.method, r.path) for r in server.requests]

    assert isinstance(provider, ModelLister)
    assert models == [
        ServedModel(
            name="qwen3:8b", context_window=40960, capabilities=["completion", "tools", "thinking"]
        ),
        ServedModel(name="nomic-embed-text", context_window=4096, capabilities=["embedding"]),
    ]
    assert calls == [("GET", "/api/tags"), ("POST", "/api/show"), ("POST", "/api/show")]


async def test_openai_compatible_servers_list_ids_and_vllms_max_model_len() -> None:
    async with ScriptedModelServer(SCRIPT) as server:
        provider = OpenAIProvider("qwen3:8b", base_url=f"{server.url}/v1")
        models = await provider.list_models()
        await provider.aclose()

    assert [(m.name, m.context_window) for m in models] == [
        ("qwen3:8b", 40960),
        ("nomic-embed-text", None),
    ]


async def test_azure_reports_its_deployment_without_asking() -> None:
    async with ScriptedModelServer(SCRIPT) as server:
        provider = create_provider(
            ModelRef.parse("azure:gpt4o-prod"),
            ProviderConfig(kind="azure", base_url=server.url, api_key=SecretStr("k")),
        )
        assert isinstance(provider, OpenAIProvider)
        models = await provider.list_models()
        await provider.aclose()
        asked = len(server.requests)

    assert models == [ServedModel(name="gpt4o-prod")]
    assert asked == 0


async def test_the_scripted_provider_lists_the_scripts_models() -> None:
    models = await ScriptedProvider(SCRIPT).list_models()

    assert [m.name for m in models] == ["qwen3:8b", "nomic-embed-text"]
