"""The registry: offering tools, validating calls, ordering, timeouts, cancellation, errors."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from pydantic import JsonValue

from tau_cli.core import ToolCall, ToolDefinition, ToolResult
from tau_cli.tools import LocalEnvironment, Tool, ToolContext, ToolRegistry


class Recorder:
    """Logs when each call starts and ends, so tests can see what overlapped."""

    def __init__(self, name: str, *, read_only: bool, log: list[str], delay: float = 0.1):
        self._name = name
        self._read_only = read_only
        self._log = log
        self._delay = delay

    @property
    def name(self) -> str:
        return self._name

    @property
    def definition(self) -> ToolDefinition:
        return ToolDefinition(
            name=self._name,
            description="Records its calls.",
            parameters={
                "type": "object",
                "properties": {"label": {"type": "string"}},
                "required": ["label"],
                "additionalProperties": False,
            },
        )

    @property
    def read_only(self) -> bool:
        return self._read_only

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        self._log.append(f"start {arguments['label']}")
        await asyncio.sleep(self._delay)
        self._log.append(f"end {arguments['label']}")
        return ToolResult(text=f"{arguments['label']} ({context.call_id})")


class Shell:
    """Runs a shell script through the environment, like a minimal bash tool."""

    name = "shell"
    read_only = False
    definition = ToolDefinition(
        name="shell",
        description="Runs a script.",
        parameters={"type": "object", "properties": {"script": {"type": "string"}}},
    )

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        result = await context.environment.exec(["sh", "-c", str(arguments["script"])])
        return ToolResult(text=result.stdout.decode())


class Broken:
    name = "broken"
    read_only = True
    definition = ToolDefinition(name="broken", description="Always fails.")

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        raise RuntimeError("the disk is on fire")


@pytest.fixture
def context(tmp_path: Path) -> ToolContext:
    return ToolContext(environment=LocalEnvironment(str(tmp_path)))


def call(name: str, label: str = "", call_id: str = "", **arguments: JsonValue) -> ToolCall:
    if label:
        arguments["label"] = label
    return ToolCall(id=call_id or f"id-{label or name}", name=name, arguments=arguments)


async def test_results_carry_the_tool_output_and_the_call_id_reaches_the_tool(
    context: ToolContext,
) -> None:
    registry = ToolRegistry([Recorder("look", read_only=True, log=[], delay=0)])
    result = await registry.run(call("look", "a", call_id="call_7"), context)
    assert result == ToolResult(text="a (call_7)")


async def test_registering_a_second_tool_of_the_same_name_is_refused() -> None:
    registry = ToolRegistry([Recorder("look", read_only=True, log=[])])
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Recorder("look", read_only=False, log=[]))
    registry.register(Recorder("look", read_only=False, log=[]), replace=True)
    assert not registry.get("look").read_only  # type: ignore[union-attr]


async def test_unregistered_tools_are_no_longer_offered_or_run(context: ToolContext) -> None:
    registry = ToolRegistry([Recorder("look", read_only=True, log=[]), Broken()])
    assert registry.unregister("look") is not None
    assert [d.name for d in registry.definitions()] == ["broken"]
    result = await registry.run(call("look", "a"), context)
    assert result.is_error
    assert "no tool named 'look'" in result.text
    assert "Available: broken" in result.text


def test_definitions_can_be_filtered_for_the_model() -> None:
    registry = ToolRegistry([Recorder("look", read_only=True, log=[]), Shell()])
    assert [d.name for d in registry.definitions(lambda tool: tool.read_only)] == ["look"]


async def test_bad_arguments_get_an_error_that_says_what_to_fix(context: ToolContext) -> None:
    registry = ToolRegistry([Recorder("look", read_only=True, log=[])])
    result = await registry.run(
        ToolCall(id="1", name="look", arguments={"label": 5, "colour": "red"}), context
    )
    assert result.is_error
    assert "argument 'label' must be of type string, got int 5" in result.text
    assert "'colour' was unexpected" in result.text
    missing = await registry.run(ToolCall(id="2", name="look", arguments={}), context)
    assert "'label' is a required property; add it" in missing.text


async def test_arguments_that_are_not_json_are_reported_not_run(context: ToolContext) -> None:
    log: list[str] = []
    registry = ToolRegistry([Recorder("look", read_only=True, log=log)])
    result = await registry.run(ToolCall.from_raw("1", "look", '{"label": "a"'), context)
    assert result.is_error
    assert "could not be read" in result.text and "one JSON object" in result.text
    assert log == []


async def test_an_exception_inside_a_tool_becomes_an_error_result(context: ToolContext) -> None:
    result = await ToolRegistry([Broken()]).run(call("broken"), context)
    assert result == ToolResult.error("broken failed: RuntimeError: the disk is on fire")


async def test_read_only_calls_overlap_and_mutating_calls_run_alone_in_order(
    context: ToolContext,
) -> None:
    log: list[str] = []
    registry = ToolRegistry(
        [Recorder("look", read_only=True, log=log), Recorder("change", read_only=False, log=log)]
    )
    calls = [call("look", "r1"), call("look", "r2"), call("change", "w1"), call("look", "r3")]
    started = time.monotonic()
    results = await registry.run_all(calls, context)
    assert [r.text.split()[0] for r in results] == ["r1", "r2", "w1", "r3"]
    assert log[:2] == ["start r1", "start r2"]  # r1 and r2 overlap
    assert log[2:] == ["end r1", "end r2", "start w1", "end w1", "start r3", "end r3"]
    assert time.monotonic() - started < 0.4 + 0.25  # three steps of 0.1 s, not four


async def test_results_come_back_in_call_order_even_when_later_calls_finish_first(
    context: ToolContext,
) -> None:
    log: list[str] = []
    registry = ToolRegistry(
        [
            Recorder("slow", read_only=True, log=log, delay=0.2),
            Recorder("fast", read_only=True, log=log, delay=0),
        ]
    )
    results = await registry.run_all([call("slow", "s"), call("fast", "f")], context)
    assert log.index("end f") < log.index("end s")
    assert [r.text[0] for r in results] == ["s", "f"]


async def test_a_call_that_overruns_its_timeout_is_stopped_and_its_process_killed(
    context: ToolContext, tmp_path: Path
) -> None:
    registry = ToolRegistry([Shell()], timeout=0.5)
    script = "sleep 30 & echo $! > child.pid; wait"
    started = time.monotonic()
    result = await registry.run(call("shell", script=script), context)
    assert result.is_error
    assert "did not finish within 0.5 seconds" in result.text
    assert time.monotonic() - started < 3
    child = int((tmp_path / "child.pid").read_text())
    assert await _gone(child)


async def test_cancelling_the_dispatch_kills_the_running_process_group(
    context: ToolContext, tmp_path: Path
) -> None:
    registry = ToolRegistry([Shell()])
    script = "sleep 30 & echo $! > child.pid; wait"
    task = asyncio.create_task(registry.run_all([call("shell", script=script)], context))
    pid_file = tmp_path / "child.pid"
    while not (pid_file.exists() and pid_file.read_text().strip()):
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _gone(int(pid_file.read_text()))


async def test_large_output_is_cut_in_the_middle_with_a_note(context: ToolContext) -> None:
    registry = ToolRegistry([Shell()], max_output_chars=2_000)
    result = await registry.run(call("shell", script="seq 1 100000"), context)
    assert result.text.startswith("1\n2\n3\n")
    assert result.text.endswith("99999\n100000\n")
    assert "cut from the middle" in result.text
    assert len(result.text) < 2_400


async def test_a_gate_can_refuse_a_call_before_it_runs(context: ToolContext) -> None:
    log: list[str] = []
    registry = ToolRegistry([Recorder("change", read_only=False, log=log)])

    async def deny(tool_call: ToolCall, tool: Tool) -> ToolResult | None:
        return ToolResult.error(f"{tool.name} was denied by the user")

    result = await registry.run(call("change", "x"), context, gate=deny)
    assert result == ToolResult.error("change was denied by the user")
    assert log == []


async def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "State:\tZ" in status:
            return True
        await asyncio.sleep(0.05)
    return False
