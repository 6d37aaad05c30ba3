"""Every core type survives JSON exactly: what a session writes, it reads back equal.

Transcripts, the event stream (stream-json, ACP) and saved config all rely on this.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, SecretStr, TypeAdapter

from tau_cli.core import Message, ProviderConfig, StreamEvent

from . import strategies as s


def _round_trips(value: BaseModel) -> None:
    restored = type(value).model_validate_json(value.model_dump_json())
    assert restored == value


@given(s.messages)
def test_messages_round_trip(message: Message) -> None:
    _round_trips(message)


@given(st.one_of(s.tool_calls, s.tool_results, s.tool_definitions))
def test_tool_types_round_trip(value: BaseModel) -> None:
    _round_trips(value)


@given(st.one_of(s.chat_responses, s.usages, s.other_responses))
def test_responses_round_trip(value: BaseModel) -> None:
    _round_trips(value)


@given(s.stream_events)
def test_stream_events_round_trip_through_the_union(event: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(StreamEvent)
    restored = adapter.validate_json(adapter.dump_json(event))
    assert type(restored) is type(event)
    assert restored == event


@given(st.one_of(s.model_configs, s.provider_configs, s.client_configs, s.agent_configs))
def test_config_round_trips(value: BaseModel) -> None:
    _round_trips(value)


@given(s.interaction_values)
def test_interaction_requests_and_decisions_round_trip(value: BaseModel) -> None:
    _round_trips(value)


def test_secrets_are_masked_when_serialised() -> None:
    config = ProviderConfig(kind="openai", api_key=SecretStr("sk-live-abcdef123456"))

    dumped = config.model_dump_json()

    assert "sk-live-abcdef123456" not in dumped
    assert "sk-live" not in repr(config)
    assert config.api_key is not None
    assert config.api_key.get_secret_value() == "sk-live-abcdef123456"
