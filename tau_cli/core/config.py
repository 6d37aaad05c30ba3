"""Configuration vocabulary: providers, models and their capabilities, clients, agents.

These are the shapes settings files are validated into. They hold no behaviour and
do no I/O: resolving them from files and the environment is the runtime's job.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tau_cli.core.duration import Duration, parse_duration

ProviderKind = Literal["ollama", "openai", "azure", "anthropic", "scripted"]
ReasoningEffort = Literal["off", "low", "medium", "high"]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProtocolKind(StrEnum):
    """The five kinds of model interaction (named so it does not shadow typing.Protocol)."""

    CHAT = "chat"
    VISION = "vision"
    TOOLS = "tools"
    EMBEDDINGS = "embeddings"
    AUDIO = "audio"


class ModelCapabilities(_Config):
    """What a model can do, declared in configuration rather than probed at run time.

    The defaults describe a typical current chat model with tool calling; the runtime
    uses them to decide whether to offer tools, send parallel calls, ask for
    reasoning, attach images, and when to compact.
    """

    tools: bool = True
    """The model can call tools at all."""
    parallel_tool_calls: bool = True
    """The model may return several tool calls in one response."""
    reasoning: bool = False
    """The model can reason before answering (thinking / reasoning effort)."""
    reasoning_with_tools: bool = True
    """Reasoning can be on while tools are offered (false for some hybrid models)."""
    vision: bool = False
    """The model accepts images in messages and tool results."""
    context_window: int = Field(default=128_000, gt=0)
    """Tokens the model can attend to, prompt and answer together."""
    max_output_tokens: int | None = Field(default=None, gt=0)
    """Largest answer the model may produce; None leaves it to the provider."""
    protocols: frozenset[ProtocolKind] = frozenset({ProtocolKind.CHAT, ProtocolKind.TOOLS})
    """Interaction kinds the model serves."""


class ModelPrices(_Config):
    """Prices in US dollars per million tokens, used to report a turn's cost."""

    input: float = Field(ge=0)
    """Price of a million prompt tokens."""
    output: float = Field(ge=0)
    """Price of a million output tokens (reasoning included)."""
    cached_input: float | None = Field(default=None, ge=0)
    """Price of a million prompt tokens read from the provider's cache."""


class ModelRef(_Config):
    """A ``provider:model`` reference, e.g. ``ollama:qwen3:8b`` or ``azure:gpt-4o-prod``.

    Only the first colon separates: model names (Ollama's tags) may contain more.
    """

    provider: str
    model: str

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        provider, sep, model = text.strip().partition(":")
        if not sep or not provider or not model:
            raise ValueError(
                f"{text!r} is not a model reference; write provider:model, e.g. "
                "ollama:qwen3:8b, openai:gpt-4.1, azure:DEPLOYMENT, anthropic:claude-sonnet-4-5"
            )
        return cls(provider=provider, model=model)

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


class ModelConfig(_Config):
    """A model as tau uses it: where it lives, what it can do, what it costs."""

    ref: ModelRef
    capabilities: ModelCapabilities = ModelCapabilities()
    prices: ModelPrices | None = None

    @field_validator("ref", mode="before")
    @classmethod
    def _parse_ref(cls, value: object) -> object:
        return ModelRef.parse(value) if isinstance(value, str) else value


class ProviderConfig(_Config):
    """How to reach one provider.

    ``api_key`` is a secret: it serialises masked, by design, so a dumped config can
    go into a transcript or a bug report without leaking it.
    """

    kind: ProviderKind
    base_url: str | None = None
    """Endpoint; each kind has a default (Ollama: http://127.0.0.1:11434)."""
    api_key: SecretStr | None = None
    api_version: str | None = None
    """Azure OpenAI's api-version query parameter."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra HTTP headers sent with every request."""


class ClientConfig(_Config):
    """HTTP behaviour shared by all providers: timeouts and retries."""

    connect_timeout: Duration = parse_duration("10s")
    """How long to wait for a connection."""
    read_timeout: Duration = parse_duration("5m")
    """Longest silence allowed between two chunks of a response."""
    max_retries: int = Field(default=3, ge=0, le=20)
    """Retries of a retryable failure (connection error, 429, 5xx) before giving up."""
    backoff_initial: Duration = parse_duration("500ms")
    """Wait before the first retry; doubles each time, with jitter."""
    backoff_max: Duration = parse_duration("30s")
    """Longest wait between retries."""


class AgentConfig(_Config):
    """One model-backed agent: which model, how to reach it, how to ask it."""

    model: ModelConfig
    provider: ProviderConfig
    client: ClientConfig = ClientConfig()
    system_prompt: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_output_tokens: int | None = Field(default=None, gt=0)
    reasoning_effort: ReasoningEffort | None = None
