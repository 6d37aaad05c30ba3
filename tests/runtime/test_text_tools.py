"""The text tool protocol, on a corpus of answer shapes seen from real models.

Each case is an answer a model without native tool calling might write, and what
tau must make of it: the calls (name and arguments), the prose left over, or an
error the model is told so it can correct itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tau_cli.core import ImagePart, Message, TextPart, ToolCall, ToolDefinition, ToolResult
from tau_cli.runtime.text_tools import parse_tool_calls, render_instructions, to_text_history

TOOLS = [
    ToolDefinition(name="read_file", description="Read a file.", parameters={"type": "object"}),
    ToolDefinition(name="grep", description="Search files.", parameters={"type": "object"}),
    ToolDefinition(name="write_file", description="Write a file.", parameters={"type": "object"}),
    ToolDefinition(name="bash", description="Run a command.", parameters={"type": "object"}),
]


@dataclass
class Case:
    name: str
    answer: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    content: str | None = None
    error: str | None = None
    """Substring of the one error expected (in ``errors`` or a call's parse_error)."""


CORPUS = [
    Case(
        "hermes/qwen tags",
        '<tool_call>\n{"name": "read_file", "arguments": {"path": "/repo/a.py"}}\n</tool_call>',
        [("read_file", {"path": "/repo/a.py"})],
        content="",
    ),
    Case(
        "prose around the call",
        'Let me look at the file first.\n<tool_call>{"name": "read_file", "arguments": '
        '{"path": "a.py"}}</tool_call>\nThen I will fix it.',
        [("read_file", {"path": "a.py"})],
        content="Let me look at the file first.\n\nThen I will fix it.",
    ),
    Case(
        "two calls in one answer",
        '<tool_call>{"name": "grep", "arguments": {"pattern": "TODO"}}</tool_call>\n'
        '<tool_call>{"name": "read_file", "arguments": {"path": "b.py"}}</tool_call>',
        [("grep", {"pattern": "TODO"}), ("read_file", {"path": "b.py"})],
    ),
    Case(
        "unclosed tag at the end",
        "I will run the tests.\n<tool_call>\n"
        '{"name": "bash", "arguments": {"command": "pytest -q"}}',
        [("bash", {"command": "pytest -q"})],
        content="I will run the tests.",
    ),
    Case(
        "second tag opened before the first closed",
        '<tool_call>{"name": "grep", "arguments": {"pattern": "x"}}\n'
        '<tool_call>{"name": "grep", "arguments": {"pattern": "y"}}</tool_call>',
        [("grep", {"pattern": "x"}), ("grep", {"pattern": "y"})],
    ),
    Case(
        "trailing commas",
        '<tool_call>{"name": "read_file", "arguments": {"path": "a.py",},}</tool_call>',
        [("read_file", {"path": "a.py"})],
    ),
    Case(
        "single-quoted python dict",
        "<tool_call>{'name': 'bash', 'arguments': {'command': 'ls', 'verbose': True}}</tool_call>",
        [("bash", {"command": "ls", "verbose": True})],
    ),
    Case(
        "arguments encoded twice",
        '<tool_call>{"name": "read_file", "arguments": "{\\"path\\": \\"a.py\\"}"}</tool_call>',
        [("read_file", {"path": "a.py"})],
    ),
    Case(
        "parameters instead of arguments",
        '<tool_call>{"name": "grep", "parameters": {"pattern": "def main"}}</tool_call>',
        [("grep", {"pattern": "def main"})],
    ),
    Case(
        "openai-style function object",
        '<tool_call>{"type": "function", "function": {"name": "bash", '
        '"arguments": "{\\"command\\": \\"make\\"}"}}</tool_call>',
        [("bash", {"command": "make"})],
    ),
    Case(
        "a list of calls in one tag",
        '<tool_call>[{"name": "grep", "arguments": {"pattern": "a"}}, '
        '{"name": "grep", "arguments": {"pattern": "b"}}]</tool_call>',
        [("grep", {"pattern": "a"}), ("grep", {"pattern": "b"})],
    ),
    Case(
        "fenced json",
        'I need to read it:\n```json\n{"name": "read_file", "arguments": {"path": "x.md"}}\n```',
        [("read_file", {"path": "x.md"})],
        content="I need to read it:",
    ),
    Case(
        "fenced tool_code block",
        '```tool_code\n{"name": "bash", "arguments": {"command": "git status"}}\n```',
        [("bash", {"command": "git status"})],
    ),
    Case(
        "fenced json that is not a call stays prose",
        'The config looks like:\n```json\n{"debug": true, "level": 3}\n```',
        [],
        content='The config looks like:\n```json\n{"debug": true, "level": 3}\n```',
    ),
    Case(
        "mistral [TOOL_CALLS]",
        '[TOOL_CALLS][{"name": "read_file", "arguments": {"path": "setup.py"}}]',
        [("read_file", {"path": "setup.py"})],
    ),
    Case(
        "llama python_tag",
        '<|python_tag|>{"name": "bash", "parameters": {"command": "pwd"}}<|eom_id|>',
        [("bash", {"command": "pwd"})],
    ),
    Case(
        "llama function tag with JSON body",
        'Searching now. <function=grep>{"pattern": "import os"}</function>',
        [("grep", {"pattern": "import os"})],
        content="Searching now.",
    ),
    Case(
        "qwen3-coder xml parameters",
        "<function=write_file>\n<parameter=path>\nout.txt\n</parameter>\n"
        "<parameter=content>\nhello\n</parameter>\n</function>",
        [("write_file", {"path": "out.txt", "content": "hello"})],
    ),
    Case(
        "a bare JSON call in prose",
        'Sure. {"name": "read_file", "arguments": {"path": "a.py"}} That should do it.',
        [("read_file", {"path": "a.py"})],
        content="Sure.  That should do it.",
    ),
    Case(
        "braces inside string values",
        '<tool_call>{"name": "write_file", "arguments": {"path": "a.js", '
        '"content": "function f() { return \\"}\\"; }"}}</tool_call>',
        [("write_file", {"path": "a.js", "content": 'function f() { return "}"; }'})],
    ),
    Case(
        "the only call is inside think",
        '<think>I should read the file. <tool_call>{"name": "read_file", '
        '"arguments": {"path": "a.py"}}</tool_call></think>',
        [("read_file", {"path": "a.py"})],
    ),
    Case(
        "a call in think is ignored when there is one outside",
        '<think><tool_call>{"name": "bash", "arguments": {"command": "rm -rf /"}}</tool_call>'
        '</think><tool_call>{"name": "grep", "arguments": {"pattern": "x"}}</tool_call>',
        [("grep", {"pattern": "x"})],
    ),
    Case(
        "cut off before the closing braces",
        '<tool_call>{"name": "bash", "arguments": {"command": "pytest -x"',
        [("bash", {"command": "pytest -x"})],
    ),
    Case(
        "unicode and newlines in arguments",
        '<tool_call>{"name": "write_file", "arguments": {"path": "ü.txt", '
        '"content": "line 1\\nzweite Zeile ✓"}}</tool_call>',
        [("write_file", {"path": "ü.txt", "content": "line 1\nzweite Zeile ✓"})],
    ),
    Case(
        "an unknown tool is reported with the available names",
        '<tool_call>{"name": "delete_everything", "arguments": {}}</tool_call>',
        error="no tool named 'delete_everything'; available tools: bash, grep, read_file",
    ),
    Case(
        "broken JSON for a known tool becomes a call with a parse error",
        '<tool_call>{"name": "read_file", "arguments": {"path": a.py}}</tool_call>',
        error="not valid JSON",
    ),
    Case(
        "broken JSON without a name is reported",
        "<tool_call>read the file please</tool_call>",
        error="could not read this tool call as JSON",
    ),
    Case(
        "a call without a name is reported",
        '<tool_call>{"arguments": {"path": "a.py"}}</tool_call>',
        error="needs a 'name'",
    ),
    Case(
        "arguments that are not an object",
        '<tool_call>{"name": "bash", "arguments": ["ls"]}</tool_call>',
        error="arguments must be a JSON object, got list",
    ),
    Case(
        "plain prose has no calls",
        "The bug is in line 3; it is fixed now.",
        content="The bug is in line 3; it is fixed now.",
    ),
]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_corpus(case: Case) -> None:
    parsed = parse_tool_calls(case.answer, TOOLS)

    valid = [c for c in parsed.calls if c.parse_error is None]
    assert [(c.name, c.arguments) for c in valid] == case.calls
    problems = parsed.errors + [c.parse_error for c in parsed.calls if c.parse_error]
    if case.error is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert case.error in problems[0]
    if case.content is not None:
        assert parsed.content == case.content


def test_the_corpus_is_broad_enough() -> None:
    assert len(CORPUS) >= 20


def test_calls_get_distinct_ids_from_the_factory() -> None:
    ids = iter(["a", "b"])
    parsed = parse_tool_calls(
        '<tool_call>{"name": "grep", "arguments": {}}</tool_call>' * 2,
        TOOLS,
        new_id=lambda: next(ids),
    )
    assert [c.id for c in parsed.calls] == ["a", "b"]


def test_instructions_list_every_tool_and_are_byte_stable() -> None:
    first = render_instructions(TOOLS)
    assert first == render_instructions(list(TOOLS))
    for tool in TOOLS:
        assert f'"name": "{tool.name}"' in first
    assert "<tool_call>" in first


def test_history_is_rewritten_as_text_for_the_model() -> None:
    call_a = ToolCall(id="1", name="grep", arguments={"pattern": "x"})
    call_b = ToolCall(id="2", name="read_file", arguments={"path": "a.png"})
    image = ImagePart(data="AAAA")
    history = [
        Message.system("sys"),
        Message.user("find x"),
        Message.assistant("Looking.", [call_a, call_b]),
        Message.tool(call_a, ToolResult(text="a.py:1: x", is_error=False)),
        Message.tool(call_b, ToolResult(text="an image", images=[image])),
        Message.assistant("Found it."),
    ]

    text = to_text_history(history)

    assert [m.role for m in text] == ["system", "user", "assistant", "user", "assistant"]
    assert text[2].tool_calls == []
    reparsed = parse_tool_calls(text[2].text, TOOLS)
    assert [(c.name, c.arguments) for c in reparsed.calls] == [
        ("grep", {"pattern": "x"}),
        ("read_file", {"path": "a.png"}),
    ]
    results = text[3]
    assert results.parts[0] == TextPart(
        text='<tool_response name="grep">\na.py:1: x\n</tool_response>'
    )
    assert results.parts[1] == TextPart(
        text='<tool_response name="read_file">\nan image\n</tool_response>'
    )
    assert results.parts[2] == image


def test_an_error_result_is_marked() -> None:
    call = ToolCall(id="1", name="bash", arguments={"command": "false"})
    text = to_text_history([Message.tool(call, ToolResult.error("exit code 1"))])
    assert (
        text[0].text == '<tool_response name="bash" status="error">\nexit code 1\n</tool_response>'
    )
