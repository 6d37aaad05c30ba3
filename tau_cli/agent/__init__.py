"""Talking to language models: one ``Provider`` protocol over httpx, no vendor SDKs.

A ``ChatRequest`` carries the whole conversation and the tools; a provider streams
core's events back (or returns a ``ChatResponse`` in one piece). The wire formats
are small and owned here, so streaming, retries and errors behave the same for
every provider.

Names load on first use (PEP 562): ``tau run`` needs one provider, and importing
every provider, the scripted model's YAML loader included, would add some 20 ms to
each launch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tau_cli.agent.anthropic import AnthropicProvider
    from tau_cli.agent.assembler import StreamAssembler
    from tau_cli.agent.errors import (
        ProviderUnavailable,
        StreamInterrupted,
        error_for_status,
        error_info,
    )
    from tau_cli.agent.factory import create_provider
    from tau_cli.agent.models import ModelLister, ServedModel
    from tau_cli.agent.ollama import OllamaProvider
    from tau_cli.agent.openai import AzureDeployment, OpenAIProvider
    from tau_cli.agent.provider import Embedder, Provider, Transcriber
    from tau_cli.agent.request import ChatRequest, NamedToolChoice, ToolChoice
    from tau_cli.agent.responses import ResponsesProvider
    from tau_cli.agent.script import (
        Expect,
        Script,
        ScriptedError,
        ScriptedModel,
        ScriptedToolCall,
        SeenMessage,
        Turn,
        Violation,
        check_request,
        check_tool_pairing,
        scripted_vector,
    )
    from tau_cli.agent.scripted import ScriptedProvider

_HOMES = {
    "AnthropicProvider": "tau_cli.agent.anthropic",
    "StreamAssembler": "tau_cli.agent.assembler",
    "ProviderUnavailable": "tau_cli.agent.errors",
    "StreamInterrupted": "tau_cli.agent.errors",
    "error_for_status": "tau_cli.agent.errors",
    "error_info": "tau_cli.agent.errors",
    "create_provider": "tau_cli.agent.factory",
    "ModelLister": "tau_cli.agent.models",
    "ServedModel": "tau_cli.agent.models",
    "OllamaProvider": "tau_cli.agent.ollama",
    "AzureDeployment": "tau_cli.agent.openai",
    "OpenAIProvider": "tau_cli.agent.openai",
    "Embedder": "tau_cli.agent.provider",
    "Provider": "tau_cli.agent.provider",
    "Transcriber": "tau_cli.agent.provider",
    "ChatRequest": "tau_cli.agent.request",
    "NamedToolChoice": "tau_cli.agent.request",
    "ToolChoice": "tau_cli.agent.request",
    "ResponsesProvider": "tau_cli.agent.responses",
    "Expect": "tau_cli.agent.script",
    "Script": "tau_cli.agent.script",
    "ScriptedError": "tau_cli.agent.script",
    "ScriptedModel": "tau_cli.agent.script",
    "ScriptedToolCall": "tau_cli.agent.script",
    "SeenMessage": "tau_cli.agent.script",
    "Turn": "tau_cli.agent.script",
    "Violation": "tau_cli.agent.script",
    "check_request": "tau_cli.agent.script",
    "check_tool_pairing": "tau_cli.agent.script",
    "scripted_vector": "tau_cli.agent.script",
    "ScriptedProvider": "tau_cli.agent.scripted",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "AnthropicProvider",
    "AzureDeployment",
    "ChatRequest",
    "Embedder",
    "Expect",
    "ModelLister",
    "NamedToolChoice",
    "OllamaProvider",
    "OpenAIProvider",
    "Provider",
    "ProviderUnavailable",
    "ResponsesProvider",
    "Script",
    "ScriptedError",
    "ScriptedModel",
    "ScriptedProvider",
    "ScriptedToolCall",
    "SeenMessage",
    "ServedModel",
    "StreamAssembler",
    "StreamInterrupted",
    "ToolChoice",
    "Transcriber",
    "Turn",
    "Violation",
    "check_request",
    "check_tool_pairing",
    "create_provider",
    "error_for_status",
    "error_info",
    "scripted_vector",
]
