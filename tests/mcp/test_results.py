"""Every kind of MCP content maps into a ToolResult; nothing vanishes without a word."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st
from mcp import types

from tau_cli.mcp import cut_middle, tau_tool_name, to_tool_result

PNG = base64.b64encode(b"\x89PNG fake").decode()


def _result(*content: object, **fields: object) -> types.CallToolResult:
    return types.CallToolResult.model_validate({"content": list(content), **fields})


def test_text_images_and_the_error_flag_carry_over() -> None:
    result = to_tool_result(
        _result(
            {"type": "text", "text": "first"},
            {"type": "image", "data": PNG, "mimeType": "image/png"},
            {"type": "text", "text": "second"},
            isError=True,
        )
    )

    assert result.text == "first\nsecond"
    assert [(i.media_type, i.data) for i in result.images] == [("image/png", PNG)]
    assert result.is_error


def test_embedded_resources_are_inlined_or_described() -> None:
    result = to_tool_result(
        _result(
            {
                "type": "resource",
                "resource": {"uri": "file:///a.md", "mimeType": "text/markdown", "text": "# A"},
            },
            {
                "type": "resource",
                "resource": {"uri": "file:///b.png", "mimeType": "image/png", "blob": PNG},
            },
            {
                "type": "resource",
                "resource": {"uri": "file:///c.bin", "blob": base64.b64encode(b"1234").decode()},
            },
            {
                "type": "resource_link",
                "uri": "file:///d.txt",
                "name": "d.txt",
                "description": "notes",
            },
            {"type": "audio", "data": base64.b64encode(b"abc").decode(), "mimeType": "audio/wav"},
        )
    )

    assert result.text.splitlines() == [
        "[resource file:///a.md (text/markdown)]",
        "# A",
        "[resource file:///b.png: image shown]",
        "[resource file:///c.bin (application/octet-stream, 4 bytes) binary, not shown]",
        "[resource link d.txt <file:///d.txt>: notes]",
        "[audio (audio/wav, 3 bytes) not shown]",
    ]
    assert [i.media_type for i in result.images] == ["image/png"]


def test_structured_content_is_kept_and_shown_when_there_is_no_text() -> None:
    only_structured = to_tool_result(_result(structuredContent={"temperature": 21}))
    both = to_tool_result(_result({"type": "text", "text": "21 C"}, structuredContent={"t": 21}))

    assert only_structured.structured == {"temperature": 21}
    assert '"temperature": 21' in only_structured.text
    assert (both.text, both.structured) == ("21 C", {"t": 21})


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=300, max_value=2000))
def test_cutting_keeps_short_text_and_bounds_long_text(text: str, limit: int) -> None:
    cut = cut_middle(text, limit)

    if len(text) <= limit:
        assert cut == text
    else:
        assert len(cut) <= limit
        keep = (limit - 200) // 2
        assert cut.startswith(text[:keep]) and cut.endswith(text[len(text) - keep :])
        assert f"[... {len(text) - 2 * keep} characters" in cut


def test_tool_names_are_valid_for_every_provider_and_unique() -> None:
    assert tau_tool_name("github", "create_issue") == "mcp__github__create_issue"
    assert tau_tool_name("fs", "read.file v2") == "mcp__fs__read_file_v2"
    long = tau_tool_name("server", "x" * 100)
    assert len(long) == 64 and long == tau_tool_name("server", "x" * 100)  # stable
    clash = tau_tool_name("fs", "read_file", taken={"mcp__fs__read_file"})
    assert clash != "mcp__fs__read_file" and clash.startswith("mcp__fs__read_file_")
