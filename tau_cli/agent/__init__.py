"""Talking to language models: one ``Provider`` protocol over httpx, no vendor SDKs.

A ``ChatRequest`` carries the whole conversation and the tools; a provider streams
core's events back (or returns a ``ChatResponse`` in one piece). The wire formats
are small and owned here, so streaming, retries and errors behave the same for
every provider.
"""

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
