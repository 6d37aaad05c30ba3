"""tau's MCP client against the official reference server, over stdio, SSE and HTTP."""

from __future__ import annotations

from pathlib import Path

from tau_cli.mcp import (
    McpManager,
    McpTool,
    RemoteServer,
    StdioServer,
    parse_mention,
    probe_server,
)


def _by_mcp_name(manager: McpManager) -> dict[str, McpTool]:
    return {tool.mcp_name: tool for tool in manager.tools()}


async def _exercise(server: StdioServer | RemoteServer) -> None:
    async with McpManager([server], startup_timeout=30) as manager:
        (status,) = manager.statuses()
        assert status.state == "connected", status
        assert status.server_info is not None and "everything" in status.server_info
        tools = _by_mcp_name(manager)
        assert {"echo", "get-sum", "trigger-long-running-operation"} <= set(tools)
        assert tools["echo"].name == "mcp__everything__echo"
        assert tools["echo"].definition.parameters["required"] == ["message"]

        echoed = await tools["echo"].call({"message": "hello tau"})
        summed = await tools["get-sum"].call({"a": 19, "b": 23})

        assert (echoed.text, echoed.is_error) == ("Echo: hello tau", False)
        assert "42" in summed.text

        seen: list[tuple[float, float | None]] = []

        async def progress(done: float, total: float | None, message: str | None) -> None:
            seen.append((done, total))

        long = await tools["trigger-long-running-operation"].call(
            {"duration": 0.6, "steps": 3}, on_progress=progress
        )
        assert "completed" in long.text
        assert seen == [(1, 3), (2, 3), (3, 3)]

        resources = await manager.list_resources()
        document = next(r for r in resources if r.uri.startswith("demo://resource/static/"))
        read = await manager.read_resource("everything", document.uri)
        assert read.text.startswith(f"[resource {document.uri} (")
        assert len(read.text.splitlines()) > 1
        assert document.mention == f"@everything:{document.uri}"

        prompts = {p.name: p for p in await manager.list_prompts()}
        assert prompts["args-prompt"].command == "/mcp__everything__args-prompt"
        assert [(a.name, a.required) for a in prompts["args-prompt"].arguments] == [
            ("city", True),
            ("state", False),
        ]
        (message,) = await manager.get_prompt("everything", "args-prompt", {"city": "Oslo"})
        assert (message.role, message.text) == ("user", "What's weather in Oslo?")


async def test_stdio_initialize_list_call_and_progress(everything_stdio: StdioServer) -> None:
    await _exercise(everything_stdio)


async def test_sse_and_streamable_http_do_the_same(everything_remote: RemoteServer) -> None:
    await _exercise(everything_remote)


async def test_results_keep_images_structured_content_and_embedded_resources(
    everything_stdio: StdioServer,
) -> None:
    async with McpManager([everything_stdio]) as manager:
        tools = _by_mcp_name(manager)

        image = await tools["get-tiny-image"].call({})
        structured = await tools["get-structured-content"].call({"location": "New York"})
        resource = await tools["get-resource-reference"].call(
            {"resourceType": "Text", "resourceId": 2}
        )

    assert [(p.media_type, bool(p.data)) for p in image.images] == [("image/png", True)]
    assert structured.structured is not None and "temperature" in structured.structured
    assert "[resource demo://resource/" in resource.text
    assert "Resource 2" in resource.text


async def test_read_only_comes_from_the_tools_annotation(everything_stdio: StdioServer) -> None:
    async with McpManager([everything_stdio]) as manager:
        tools = _by_mcp_name(manager)

    assert tools["get-sum"].read_only is True
    assert tools["toggle-simulated-logging"].read_only is False
    assert manager.statuses()[0].state == "stopped"


async def test_resources_reach_the_model_through_two_read_only_tools(
    everything_stdio: StdioServer,
) -> None:
    async with McpManager([everything_stdio]) as manager:
        listing, reader = manager.resource_tools()
        listed = await listing.call({})
        uri = next(w for w in listed.text.split() if w.startswith("demo://resource/static/"))
        read = await reader.call({"server": "everything", "uri": uri})
        missing = await reader.call({"server": "nowhere", "uri": uri})
        bad = await reader.call({"uri": uri})

    assert (listing.name, reader.name, listing.read_only, reader.read_only) == (
        "mcp__list_resources",
        "mcp__read_resource",
        True,
        True,
    )
    assert not read.is_error and read.text.startswith(f"[resource {uri}")
    assert missing.is_error and "no MCP server named 'nowhere'" in missing.text
    assert bad.is_error and "needs 'server' and 'uri'" in bad.text


def test_mentions_name_a_server_and_a_uri() -> None:
    assert parse_mention("@docs:file:///guide.md") == ("docs", "file:///guide.md")
    assert parse_mention("@docs") is None
    assert parse_mention("plain:text") is None


async def test_probing_a_server_gives_its_status_and_tool_schemas(
    everything_stdio: StdioServer,
) -> None:
    status, tools = await probe_server(everything_stdio)

    assert status.state == "connected" and status.tool_count == len(tools)
    assert status.instructions is not None
    sum_tool = next(t for t in tools if t.mcp_name == "get-sum")
    assert sum_tool.definition.description == "Returns the sum of two numbers"
    properties = sum_tool.definition.parameters["properties"]
    assert isinstance(properties, dict) and set(properties) == {"a", "b"}


async def test_servers_asking_for_roots_get_the_folders_tau_works_in(
    everything_stdio: StdioServer, tmp_path: Path
) -> None:
    async with McpManager([everything_stdio]) as manager:
        without = _by_mcp_name(manager)
    async with McpManager([everything_stdio], roots=[tmp_path]) as manager:
        result = await _by_mcp_name(manager)["get-roots-list"].call({})

    assert "get-roots-list" not in without  # offered only to clients that have roots
    assert tmp_path.resolve().as_uri() in result.text
