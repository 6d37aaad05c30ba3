"""Hypothesis strategies for core's types, shared by the round-trip tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from tau_cli.core import (
    AudioResponse,
    ChatResponse,
    ClientConfig,
    ElicitationRequest,
    ElicitationResponse,
    EmbeddingsResponse,
    ErrorInfo,
    FinishReason,
    ImagePart,
    Message,
    ModelCapabilities,
    ModelConfig,
    ModelPrices,
    ModelRef,
    PermissionChoice,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    ProtocolKind,
    ProviderConfig,
    QuestionAnswer,
    QuestionOption,
    QuestionRequest,
    ReasoningDelta,
    ReasoningPart,
    StreamDone,
    StreamError,
    TextDelta,
    TextPart,
    TokenUsage,
    ToolCall,
    ToolCallComplete,
    ToolCallDelta,
    ToolDefinition,
    ToolResult,
    TranscriptSegment,
    UsageReport,
)
from tau_cli.core.config import AgentConfig

text = st.text(max_size=40)
ident = st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
non_negative = st.floats(min_value=0, max_value=1e9, allow_nan=False)
small_int = st.integers(min_value=0, max_value=10**9)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | finite | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
json_objects = st.dictionaries(text, json_values, max_size=4)

text_parts = st.builds(TextPart, text=text)
image_parts = st.one_of(
    st.builds(ImagePart, media_type=st.sampled_from(["image/png", "image/jpeg"]), data=text),
    st.builds(ImagePart, url=text),
)
reasoning_parts = st.builds(
    ReasoningPart,
    text=text,
    signature=st.none() | text,
    encrypted_content=st.none() | text,
    item_id=st.none() | ident,
    redacted=st.booleans(),
)
parts = st.lists(st.one_of(text_parts, image_parts, reasoning_parts), max_size=4)
contents = st.one_of(text, parts)

tool_calls = st.builds(
    ToolCall,
    id=ident,
    name=ident,
    arguments=json_objects,
    raw_arguments=text,
    parse_error=st.none() | text,
)
tool_results = st.builds(
    ToolResult,
    text=text,
    structured=st.none() | json_objects,
    images=st.lists(image_parts, max_size=2),
    is_error=st.booleans(),
)

messages = st.one_of(
    st.builds(Message, role=st.sampled_from(["system", "user"]), content=contents),
    st.builds(
        Message,
        role=st.just("assistant"),
        content=contents,
        tool_calls=st.lists(tool_calls, max_size=3),
    ),
    st.builds(
        Message,
        role=st.just("tool"),
        content=contents,
        tool_call_id=ident,
        name=st.none() | ident,
        is_error=st.booleans(),
    ),
)

usages = st.builds(
    TokenUsage,
    prompt_tokens=small_int,
    completion_tokens=small_int,
    reasoning_tokens=small_int,
    cached_tokens=small_int,
    cost=st.none() | non_negative,
)
assistant_messages = st.builds(
    Message,
    role=st.just("assistant"),
    content=contents,
    tool_calls=st.lists(tool_calls, max_size=2),
)
chat_responses = st.builds(
    ChatResponse,
    message=assistant_messages,
    finish_reason=st.sampled_from(list(FinishReason)),
    usage=usages,
    model=text,
    response_id=st.none() | ident,
)
tool_definitions = st.builds(
    ToolDefinition,
    name=ident,
    description=text,
    parameters=json_objects,
)

times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_stamps = {
    "seq": small_int,
    "session_id": st.none() | ident,
    "parent_id": st.none() | ident,
    "time": times,
}
stream_events = st.one_of(
    st.builds(TextDelta, text=text, **_stamps),
    st.builds(ReasoningDelta, text=text, signature=st.none() | text, **_stamps),
    st.builds(
        ToolCallDelta,
        index=st.integers(0, 64),
        id=st.none() | ident,
        name=st.none() | ident,
        arguments_delta=text,
        **_stamps,
    ),
    st.builds(ToolCallComplete, call=tool_calls, **_stamps),
    st.builds(UsageReport, usage=usages, **_stamps),
    st.builds(StreamDone, response=chat_responses, **_stamps),
    st.builds(
        StreamError,
        error=st.builds(
            ErrorInfo,
            kind=ident,
            message=text,
            status=st.none() | st.integers(100, 599),
            retryable=st.booleans(),
        ),
        **_stamps,
    ),
)

durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))
capabilities = st.builds(
    ModelCapabilities,
    tools=st.booleans(),
    parallel_tool_calls=st.booleans(),
    reasoning=st.booleans(),
    reasoning_with_tools=st.booleans(),
    vision=st.booleans(),
    context_window=st.integers(1, 2_000_000),
    max_output_tokens=st.none() | st.integers(1, 200_000),
    protocols=st.frozensets(st.sampled_from(list(ProtocolKind))),
)
model_refs = st.builds(
    ModelRef, provider=ident, model=st.from_regex(r"[a-z0-9.:-]{1,20}", fullmatch=True)
)
model_configs = st.builds(
    ModelConfig,
    ref=model_refs,
    capabilities=capabilities,
    prices=st.none()
    | st.builds(
        ModelPrices, input=non_negative, output=non_negative, cached_input=st.none() | non_negative
    ),
)
provider_configs = st.builds(
    ProviderConfig,
    kind=st.sampled_from(["ollama", "openai", "azure", "anthropic", "scripted"]),
    base_url=st.none() | text,
    api_key=st.none(),  # secrets serialise masked by design; see test_secrets_are_masked
    api_version=st.none() | ident,
    headers=st.dictionaries(ident, text, max_size=2),
)
client_configs = st.builds(
    ClientConfig,
    connect_timeout=durations,
    read_timeout=durations,
    max_retries=st.integers(0, 20),
    backoff_initial=durations,
    backoff_max=durations,
)
agent_configs = st.builds(
    AgentConfig,
    model=model_configs,
    provider=provider_configs,
    client=client_configs,
    system_prompt=st.none() | text,
    temperature=st.none() | st.floats(0, 2),
    max_output_tokens=st.none() | st.integers(1, 100_000),
    reasoning_effort=st.none() | st.sampled_from(["off", "low", "medium", "high"]),
)

interaction_values = st.one_of(
    st.builds(
        PermissionRequest,
        tool_call_id=ident,
        tool_name=ident,
        arguments=json_objects,
        summary=text,
        reason=text,
        suggested_rule=st.none() | text,
        diff=st.none() | text,
        locations=st.lists(text, max_size=2),
    ),
    st.builds(
        PermissionDecision,
        choice=st.sampled_from(list(PermissionChoice)),
        rule=st.none() | text,
        feedback=st.none() | text,
    ),
    st.builds(PlanApprovalRequest, plan=text, path=st.none() | text),
    st.builds(
        PlanDecision,
        approved=st.booleans(),
        mode_after=st.sampled_from(["default", "accept_edits"]),
        feedback=st.none() | text,
    ),
    st.builds(
        QuestionRequest,
        question=text,
        options=st.lists(st.builds(QuestionOption, label=text, description=text), max_size=3),
        multi_select=st.booleans(),
        allow_free_text=st.booleans(),
    ),
    st.builds(
        QuestionAnswer,
        selected=st.lists(text, max_size=2),
        text=st.none() | text,
        cancelled=st.booleans(),
    ),
    st.builds(ElicitationRequest, server=ident, message=text, requested_schema=json_objects),
    st.builds(
        ElicitationResponse,
        action=st.sampled_from(["accept", "decline", "cancel"]),
        content=st.none() | json_objects,
    ),
)
other_responses = st.one_of(
    st.builds(
        EmbeddingsResponse,
        vectors=st.lists(st.lists(finite, max_size=4), max_size=3),
        model=text,
        usage=usages,
    ),
    st.builds(
        AudioResponse,
        text=text,
        language=st.none() | ident,
        duration_seconds=st.none() | non_negative,
        segments=st.lists(
            st.builds(TranscriptSegment, start=non_negative, end=non_negative, text=text),
            max_size=2,
        ),
        model=text,
    ),
)
