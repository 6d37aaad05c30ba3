"""Scripts of model turns, played by ``ScriptedProvider`` and the scripted model server.

A script is what a model would have said, turn by turn, so demos, benchmarks and
tests are reproducible without a model. One format serves the in-process provider
(``--model scripted:PATH``) and the HTTP server in ``tau_cli.testing``, so a script
written for one plays on the other. In YAML::

    context_window: 8000          # optional: larger requests get a context-length error
    models:                       # optional: what model listings report
      - {name: qwen3:8b, context_window: 40960, capabilities: [completion, tools, thinking]}
    turns:
      - tool_calls:
          - name: bash
            arguments: {command: pytest -q}
      - expect:
          last_tool_result_contains: 4 passed
        reasoning: The tests pass.
        text: All four tests pass.
        usage: {prompt_tokens: 120, completion_tokens: 9}
      - error: {status: 429, headers: {Retry-After: "2"}, message: slow down}
      - text: This answer stops half-way
        chunk_chars: 4
        cut_after: 2

Each request consumes one turn. A turn either fails with ``error`` or answers
with any of ``reasoning``, ``text`` and ``tool_calls``; ``arguments`` given as a
string are sent verbatim, which is how a script produces broken JSON on purpose.

Playing is as strict as a real provider, so a broken loop cannot pass a scripted
test: every tool call must be answered by exactly one tool result, in order, an
``expect`` clause that the request does not meet is refused, and a request larger
than ``context_window`` gets the provider's context-length error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from tau_cli.core import (
    ConfigError,
    Duration,
    EstimatingTokenCounter,
    FinishReason,
    Message,
    ReasoningPart,
    TokenUsage,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScriptedToolCall(_Model):
    """A tool call the scripted model makes."""

    name: str
    arguments: dict[str, JsonValue] | str = Field(default_factory=dict)
    """An object, or a string sent exactly as written (to script broken JSON)."""
    id: str | None = None
    """The call id; generated from the turn and position when not given."""

    @property
    def raw_arguments(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments)


class ScriptedError(_Model):
    """An HTTP failure instead of an answer (429 with Retry-After, 500, 401...)."""

    status: int = Field(ge=400, le=599)
    message: str = "scripted failure"
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    """Sent verbatim instead of the dialect's JSON error (e.g. an HTML error page)."""


class Expect(_Model):
    """Conditions the incoming request must meet, like assertions inside the model."""

    last_user_contains: str | None = None
    last_tool_result_contains: str | None = None
    system_contains: str | None = None
    tools: list[str] = Field(default_factory=list)
    """Names of tools that must be offered."""


class Turn(_Model):
    """What the model does in answer to one request."""

    text: str = ""
    reasoning: str = ""
    reasoning_signature: str | None = None
    """Sent with the reasoning where the dialect has signatures (Anthropic)."""
    tool_calls: list[ScriptedToolCall] = Field(default_factory=list)
    usage: TokenUsage | None = None
    """Reported usage; estimated from the request and answer when not given."""
    finish_reason: FinishReason | None = None
    """Defaults to ``tool_calls`` when the turn calls tools, else ``stop``."""
    error: ScriptedError | None = None
    expect: Expect | None = None
    delay: Duration = timedelta(0)
    """Wait before answering (to test timeouts and cancellation)."""
    chunk_chars: int = Field(default=16, gt=0)
    """Characters of text per streamed chunk."""
    tokens_per_second: float | None = Field(default=None, gt=0)
    """Pace the stream like a real model (about four characters per token)."""
    cut_after: int | None = Field(default=None, ge=0)
    """End the stream abruptly after this many chunks."""

    @model_validator(mode="after")
    def _error_alone(self) -> Self:
        if self.error is not None and (self.text or self.reasoning or self.tool_calls):
            raise ValueError("a turn with 'error' cannot also answer (text, reasoning, tool_calls)")
        return self

    @property
    def finish(self) -> FinishReason:
        if self.finish_reason is not None:
            return self.finish_reason
        return FinishReason.TOOL_CALLS if self.tool_calls else FinishReason.STOP

    def call_id(self, turn_index: int, position: int) -> str:
        call = self.tool_calls[position]
        return call.id or f"call_{turn_index}_{position}"

    def text_chunks(self) -> list[str]:
        size = self.chunk_chars
        return [self.text[i : i + size] for i in range(0, len(self.text), size)]

    def usage_for(self, prompt_tokens: int) -> TokenUsage:
        """The scripted usage, or an estimate from the prompt size and the answer."""
        if self.usage is not None:
            return self.usage
        answer = self.reasoning + self.text + "".join(c.raw_arguments for c in self.tool_calls)
        return TokenUsage(prompt_tokens=prompt_tokens, completion_tokens=max(1, len(answer) // 4))

    def chunk_pause(self) -> float:
        """Seconds between two text chunks at ``tokens_per_second``."""
        if self.tokens_per_second is None:
            return 0.0
        return (self.chunk_chars / 4) / self.tokens_per_second


class ScriptedModel(_Model):
    """A model the scripted server says it offers (``/api/tags``, ``/v1/models``)."""

    name: str
    context_window: int | None = Field(default=None, gt=0)
    capabilities: list[str] = Field(default_factory=lambda: ["completion", "tools"])
    """Ollama's capability names: completion, tools, thinking, vision, embedding."""


class Script(_Model):
    """A list of turns, played one per request."""

    turns: list[Turn]
    context_window: int | None = Field(default=None, gt=0)
    models: list[ScriptedModel] = Field(default_factory=list)
    """What model listings report; by default one model named by the server."""

    @classmethod
    def load(cls, path: str | Path) -> Script:
        """Read a ``.yaml``/``.yml`` or ``.json`` script; bad files raise ``ConfigError``."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the script: {exc.strerror}", path=str(file)) from exc
        try:
            data = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"not valid YAML/JSON: {exc}", path=str(file)) from exc
        if isinstance(data, list):
            data = {"turns": data}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'script'}: {err['msg']}"
                for err in exc.errors()
            )
            raise ConfigError(f"not a valid script: {problems}", path=str(file)) from exc


_SHIPPED = Path(__file__).parent / "demos"


def script_path(name: str | Path) -> Path:
    """The file ``scripted:NAME`` plays: a path, or the name of a script tau ships.

    ``scripted:demo`` is the recorded tour for newcomers (``demos/demo.yaml`` in the
    package); a file of the same name in the working folder wins over it.
    """
    path = Path(name)
    shipped = _SHIPPED / f"{name}.yaml"
    if not path.exists() and path.name == str(name) and shipped.is_file():
        return shipped
    return path


@dataclass(frozen=True)
class SeenMessage:
    """A message as the strictness checks see it, whatever dialect carried it."""

    role: str
    text: str = ""
    tool_call_ids: tuple[str, ...] = ()
    answers: str | None = None
    """For a tool result: the id of the call it answers."""


@dataclass(frozen=True)
class Violation:
    """Why a request is refused, and which refusal a real provider would give."""

    kind: Literal["invalid_request", "context_length"]
    message: str


def seen_messages(messages: Sequence[Message]) -> list[SeenMessage]:
    """Core messages in the shape the strictness checks read."""
    return [
        SeenMessage(
            role=m.role,
            text=m.text + "".join(p.text for p in m.parts if isinstance(p, ReasoningPart)),
            tool_call_ids=tuple(c.id for c in m.tool_calls),
            answers=m.tool_call_id,
        )
        for m in messages
    ]


def check_request(
    script: Script,
    turn: Turn,
    messages: Sequence[SeenMessage],
    tool_names: Sequence[str],
) -> Violation | None:
    """The refusal a real provider (or the turn's ``expect``) would give, if any."""
    problem = check_tool_pairing(messages)
    if problem:
        return Violation("invalid_request", problem)
    if script.context_window is not None:
        size = estimate_tokens(messages)
        if size > script.context_window:
            return Violation(
                "context_length",
                f"This model's maximum context length is {script.context_window} tokens, "
                f"but the request has about {size} tokens (context_length_exceeded).",
            )
    if turn.expect is not None:
        problem = _check_expect(turn.expect, messages, tool_names)
        if problem:
            return Violation("invalid_request", f"scripted expectation not met: {problem}")
    return None


def check_tool_pairing(messages: Sequence[SeenMessage]) -> str | None:
    """Every tool call answered by exactly one result, in order, and no stray results."""
    pending: list[str] = []
    for message in messages:
        if message.role == "tool":
            if not pending:
                return f"a tool result answers {message.answers!r}, which no pending call has"
            expected = pending.pop(0)
            if message.answers != expected:
                return f"tool result for {message.answers!r} where {expected!r} was expected"
            continue
        if pending:
            return (
                "an assistant message with tool calls must be followed by a tool result "
                f"for each call; missing: {', '.join(pending)}"
            )
        if message.role == "assistant":
            pending = list(message.tool_call_ids)
    if pending:
        return f"tool calls without results: {', '.join(pending)}"
    return None


def estimate_tokens(messages: Sequence[SeenMessage]) -> int:
    counter = EstimatingTokenCounter()
    return sum(4 + counter.count_text(m.text) for m in messages)


def _check_expect(
    expect: Expect, messages: Sequence[SeenMessage], tool_names: Sequence[str]
) -> str | None:
    checks = [
        ("user", expect.last_user_contains, "the last user message"),
        ("tool", expect.last_tool_result_contains, "the last tool result"),
    ]
    for role, needle, what in checks:
        if needle is None:
            continue
        last = next((m for m in reversed(messages) if m.role == role), None)
        if last is None:
            return f"{what} should contain {needle!r}, but there is none"
        if needle not in last.text:
            return f"{what} should contain {needle!r}; it is {_excerpt(last.text)!r}"
    if expect.system_contains is not None:
        system = "\n".join(m.text for m in messages if m.role == "system")
        if expect.system_contains not in system:
            return f"the system prompt should contain {expect.system_contains!r}"
    missing = [name for name in expect.tools if name not in tool_names]
    if missing:
        return f"tools should be offered but are not: {', '.join(missing)}"
    return None


def _excerpt(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def scripted_vector(text: str, dimensions: int = 8) -> list[float]:
    """A stable stand-in embedding: equal texts give equal vectors, others differ."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round(digest[i % len(digest)] / 255, 6) for i in range(dimensions)]
