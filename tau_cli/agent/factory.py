"""From a model reference to a ready provider: the one place provider kinds are wired.

``ModelRef`` names the provider and model (``openai:gpt-4.1``, ``azure:prod``,
``scripted:demo.yaml``); ``ProviderConfig`` says how to reach it. What settings do
not give comes from the conventional environment variables, read once here:
``OLLAMA_HOST``; ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` for OpenAI-compatible
servers; ``AZURE_OPENAI_ENDPOINT`` and ``AZURE_OPENAI_API_KEY`` (or
``AZURE_OPENAI_AD_TOKEN``, a Microsoft Entra ID token);
``ANTHROPIC_BASE_URL`` and ``ANTHROPIC_API_KEY``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from tau_cli.agent.addresses import ANTHROPIC_DEFAULT_BASE_URL, OPENAI_DEFAULT_BASE_URL
from tau_cli.core import ClientConfig, ConfigError, ModelCapabilities, ModelRef, ProviderConfig

if TYPE_CHECKING:
    import httpx

    from tau_cli.agent._transport import Sleep
    from tau_cli.agent.provider import Provider

AZURE_DEFAULT_API_VERSION = "2024-10-21"
"""The latest generally available Azure OpenAI data-plane version at the time of writing."""
_SUPPORTED = ("ollama", "openai", "azure", "anthropic", "scripted")


def create_provider(
    ref: ModelRef,
    provider: ProviderConfig | None = None,
    client: ClientConfig | None = None,
    *,
    capabilities: ModelCapabilities | None = None,
    wire_api: Literal["chat_completions", "responses"] = "chat_completions",
    environ: Mapping[str, str] | None = None,
    sleep: Sleep | None = None,
    jitter: Callable[[], float] | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> Provider:
    """The provider ``ref`` names, configured by ``provider`` and the environment.

    ``capabilities`` sizes Ollama's context (``num_ctx``) to the model's window;
    ``wire_api`` picks OpenAI's Responses API over chat completions for ``openai``.

    Raises:
        ConfigError: the provider kind is unknown, or a required endpoint or key is
            missing; the message says which variable or setting to set.
    """
    env = os.environ if environ is None else environ
    kind = provider.kind if provider is not None else ref.provider
    if kind not in _SUPPORTED:
        raise ConfigError(
            f"unknown provider {ref.provider!r} in {str(ref)!r}; "
            f"use one of: {', '.join(_SUPPORTED)} (or configure a provider of that name)",
            key="model",
        )
    config = provider or ProviderConfig.model_validate({"kind": kind})
    # Each provider's module is imported only when chosen: a launch needs one of them.
    if config.kind == "scripted":
        from tau_cli.agent.scripted import ScriptedProvider

        return ScriptedProvider(ref.model)
    key = config.api_key.get_secret_value() if config.api_key is not None else None
    # What every HTTP provider takes the same way.
    common: dict[str, Any] = {
        "headers": dict(config.headers),
        "client": client,
        "name": str(ref),
        "sleep": sleep,
        "jitter": jitter,
        "http_transport": http_transport,
    }
    if config.kind == "ollama":
        from tau_cli.agent.addresses import ollama_base_url
        from tau_cli.agent.ollama import OllamaProvider

        return OllamaProvider(
            ref.model,
            base_url=config.base_url or ollama_base_url(env.get("OLLAMA_HOST")),
            context_window=capabilities.context_window if capabilities else None,
            **common,
        )
    if config.kind == "anthropic":
        from tau_cli.agent.anthropic import AnthropicProvider

        return AnthropicProvider(
            ref.model,
            base_url=config.base_url or env.get("ANTHROPIC_BASE_URL") or ANTHROPIC_DEFAULT_BASE_URL,
            api_key=key or env.get("ANTHROPIC_API_KEY"),
            **common,
        )
    from tau_cli.agent.openai import AzureDeployment, OpenAIProvider

    if config.kind == "openai":
        base_url = config.base_url or env.get("OPENAI_BASE_URL") or OPENAI_DEFAULT_BASE_URL
        api_key = key or env.get("OPENAI_API_KEY")
        if wire_api == "responses":
            from tau_cli.agent.responses import ResponsesProvider

            return ResponsesProvider(ref.model, base_url=base_url, api_key=api_key, **common)
        return OpenAIProvider(ref.model, base_url=base_url, api_key=api_key, **common)
    endpoint = config.base_url or env.get("AZURE_OPENAI_ENDPOINT")
    if not endpoint:
        raise ConfigError(
            f"{ref} needs the Azure OpenAI endpoint: set AZURE_OPENAI_ENDPOINT or the "
            "provider's base_url (https://RESOURCE.openai.azure.com)",
            key="base_url",
        )
    key = key or env.get("AZURE_OPENAI_API_KEY")
    token = None if key else env.get("AZURE_OPENAI_AD_TOKEN")
    if not key and not token:
        raise ConfigError(
            f"{ref} needs an Azure OpenAI key: set AZURE_OPENAI_API_KEY or the provider's "
            "api_key (or AZURE_OPENAI_AD_TOKEN for a Microsoft Entra ID token)",
            key="api_key",
        )
    return OpenAIProvider(
        ref.model,
        base_url=endpoint,
        api_key=key,
        bearer_token=token,
        azure=AzureDeployment(ref.model, config.api_version or AZURE_DEFAULT_API_VERSION),
        **common,
    )
