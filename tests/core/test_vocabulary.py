"""How core's types behave: the rules a provider, tool or session can rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from hypothesis import given
from pydantic import BaseModel, Field, ValidationError

from tau_cli.core import (
    EstimatingTokenCounter,
    ImagePart,
    Message,
    ModelPrices,
    ModelRef,
    ReasoningPart,
    TextDelta,
    TextPart,
    TokenUsage,
    ToolCall,
    ToolDefinition,
    ToolResult,
    format_duration,
    parse_duration,
)

from . import strategies as s


class TestToolCallFromRaw:
    def test_parses_a_json_object(self) -> None:
        call = ToolCall.from_raw("c1", "read", '{"path": "/a.txt", "limit": 5}')
        assert call.arguments == {"path": "/a.txt", "limit": 5}
        assert call.parse_error is None
        assert call.raw_arguments == '{"path": "/a.txt", "limit": 5}'

    def test_empty_arguments_mean_no_arguments(self) -> None:
        assert ToolCall.from_raw("c1", "list", "  ").arguments == {}

    def test_broken_json_is_recorded_not_raised(self) -> None:
        call = ToolCall.from_raw("c1", "read", '{"path": "/a.txt"')
        assert call.arguments == {}
        assert call.parse_error is not None
        assert "not valid JSON" in call.parse_error
        assert call.raw_arguments == '{"path": "/a.txt"'

    def test_a_json_value_that_is_not_an_object_is_an_error(self) -> None:
        call = ToolCall.from_raw("c1", "read", "[1, 2]")
        assert call.parse_error == "arguments must be a JSON object, got list"


class TestMessageRules:
    def test_only_assistant_messages_carry_tool_calls(self) -> None:
        call = ToolCall(id="c1", name="read")
        with pytest.raises(ValidationError, match="only assistant messages"):
            Message(role="user", content="hi", tool_calls=[call])

    def test_a_tool_message_names_its_call(self) -> None:
        with pytest.raises(ValidationError, match="tool_call_id"):
            Message(role="tool", content="output")

    def test_tool_call_id_belongs_to_tool_messages_only(self) -> None:
        with pytest.raises(ValidationError, match="tool messages only"):
            Message(role="user", content="x", tool_call_id="c1")

    def test_a_tool_result_becomes_the_answer_to_its_call(self) -> None:
        call = ToolCall(id="c7", name="bash", arguments={"command": "false"})
        image = ImagePart(data="aGVsbG8=")
        message = Message.tool(call, ToolResult(text="exit 1", images=[image], is_error=True))
        assert message.role == "tool"
        assert message.tool_call_id == "c7"
        assert message.name == "bash"
        assert message.is_error
        assert message.parts == [TextPart(text="exit 1"), image]

    def test_text_leaves_out_reasoning_and_images(self) -> None:
        message = Message.assistant(
            [ReasoningPart(text="think", signature="sig"), TextPart(text="a"), TextPart(text="b")]
        )
        assert message.text == "ab"
        assert message.reasoning == "think"

    def test_an_image_needs_exactly_one_source(self) -> None:
        with pytest.raises(ValidationError, match="exactly one"):
            ImagePart(data="x", url="https://example.invalid/a.png")
        with pytest.raises(ValidationError, match="exactly one"):
            ImagePart()

    def test_messages_are_immutable(self) -> None:
        message = Message.user("hi")
        with pytest.raises(ValidationError):
            message.content = "changed"  # type: ignore[misc]


class _ReadArgs(BaseModel):
    path: str = Field(description="Absolute path of the file.")
    limit: int | None = None


class TestToolDefinition:
    def test_from_a_pydantic_model(self) -> None:
        definition = ToolDefinition.from_model("read", "Read a file.", _ReadArgs)
        assert definition.parameters["required"] == ["path"]
        props = definition.parameters["properties"]
        assert isinstance(props, dict)
        assert props["path"] == {"type": "string", "description": "Absolute path of the file."}
        assert "title" not in definition.parameters

    def test_from_a_typed_function_with_a_docstring(self) -> None:
        def grep(pattern: str, path: str = ".", mode: Literal["files", "lines"] = "files") -> None:
            """Search file contents with a regular expression.

            Returns matching files by default.

            Args:
                pattern: The regular expression, Python syntax.
                path: Folder to search,
                    relative to the workspace.
                mode: What to return.
            """

        definition = ToolDefinition.from_function(grep)

        assert definition.name == "grep"
        assert definition.description == "Search file contents with a regular expression."
        assert definition.parameters["required"] == ["pattern"]
        props = definition.parameters["properties"]
        assert isinstance(props, dict)
        assert props["pattern"] == {
            "type": "string",
            "description": "The regular expression, Python syntax.",
        }
        assert props["path"] == {
            "type": "string",
            "default": ".",
            "description": "Folder to search, relative to the workspace.",
        }
        assert props["mode"] == {
            "type": "string",
            "enum": ["files", "lines"],
            "default": "files",
            "description": "What to return.",
        }

    def test_a_parameter_without_a_type_is_refused(self) -> None:
        def bad(x) -> None:  # type: ignore[no-untyped-def]
            """Bad."""

        with pytest.raises(TypeError, match="no type hint"):
            ToolDefinition.from_function(bad)

    @pytest.mark.parametrize("name", ["", "has space", "x" * 65, "dots.are.out"])
    def test_names_every_provider_accepts(self, name: str) -> None:
        with pytest.raises(ValidationError, match="1-64 characters"):
            ToolDefinition(name=name, description="d")


class TestDuration:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("30s", timedelta(seconds=30)),
            ("5m", timedelta(minutes=5)),
            ("1h30m", timedelta(hours=1, minutes=30)),
            ("250ms", timedelta(milliseconds=250)),
            ("1.5s", timedelta(seconds=1.5)),
            ("2h45m10s", timedelta(hours=2, minutes=45, seconds=10)),
            ("12", timedelta(seconds=12)),
            (" 0.5 ", timedelta(milliseconds=500)),
            (3, timedelta(seconds=3)),
        ],
    )
    def test_reads_the_way_people_write_timeouts(self, text: object, expected: timedelta) -> None:
        assert parse_duration(text) == expected

    @pytest.mark.parametrize("text", ["", "5 minutes", "1x", "m5", "-3s", "1h-5m", True, None])
    def test_rejects_what_it_cannot_read(self, text: object) -> None:
        with pytest.raises(ValueError):
            parse_duration(text)

    def test_writes_the_shortest_exact_form(self) -> None:
        assert format_duration(timedelta(minutes=90)) == "1h30m"
        assert format_duration(timedelta(milliseconds=1500)) == "1s500ms"
        assert format_duration(timedelta(0)) == "0s"

    @given(s.durations)
    def test_format_then_parse_is_exact(self, value: timedelta) -> None:
        assert parse_duration(format_duration(value)) == value


class TestModelRef:
    def test_splits_on_the_first_colon_only(self) -> None:
        assert ModelRef.parse("ollama:qwen3:8b") == ModelRef(provider="ollama", model="qwen3:8b")
        assert str(ModelRef.parse("azure:gpt-4o-prod")) == "azure:gpt-4o-prod"

    @pytest.mark.parametrize("text", ["qwen3", ":gpt-4", "openai:", ""])
    def test_requires_provider_and_model(self, text: str) -> None:
        with pytest.raises(ValueError, match="provider:model"):
            ModelRef.parse(text)


class TestTokenUsage:
    def test_usage_adds_up_across_calls(self) -> None:
        a = TokenUsage(prompt_tokens=100, completion_tokens=20, cached_tokens=50)
        b = TokenUsage(prompt_tokens=10, completion_tokens=5, reasoning_tokens=3, cost=0.5)
        total = a + b
        assert total == TokenUsage(
            prompt_tokens=110,
            completion_tokens=25,
            reasoning_tokens=3,
            cached_tokens=50,
            cost=0.5,
        )
        assert total.total_tokens == 135

    def test_cost_from_prices_counts_cached_input_at_its_own_price(self) -> None:
        usage = TokenUsage(
            prompt_tokens=1_000_000, cached_tokens=400_000, completion_tokens=100_000
        )
        priced = usage.priced(ModelPrices(input=2.0, output=8.0, cached_input=0.5))
        assert priced.cost == pytest.approx(0.6 * 2.0 + 0.4 * 0.5 + 0.1 * 8.0)


class TestTokenEstimate:
    def test_ascii_counts_about_four_characters_a_token(self) -> None:
        assert EstimatingTokenCounter().count_text("a" * 400) == 100

    def test_non_ascii_counts_high(self) -> None:
        assert EstimatingTokenCounter().count_text("日本語") == 3

    def test_messages_include_framing_tool_calls_and_images(self) -> None:
        counter = EstimatingTokenCounter()
        plain = counter.count_messages([Message.user("hello world!")])
        with_call = counter.count_messages(
            [Message.assistant("hello world!", [ToolCall.from_raw("1", "read", '{"p": 1}')])]
        )
        with_image = counter.count_messages(
            [Message.user([TextPart(text="hello world!"), ImagePart(data="AAAA")])]
        )
        assert plain == 4 + 3
        assert with_call > plain
        assert with_image >= plain + 1_000


def test_stamping_places_an_event_in_a_session() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    event = TextDelta(text="hi").stamped(seq=7, session_id="s1", time=at, parent_id="call-9")
    assert (event.seq, event.session_id, event.parent_id, event.time) == (7, "s1", "call-9", at)
    assert isinstance(event, TextDelta)
    assert event.text == "hi"
