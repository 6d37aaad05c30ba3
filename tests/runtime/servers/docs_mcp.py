"""A FastMCP server with what users reach for by name: a prompt and a resource."""

from __future__ import annotations

from mcp.server.fastmcp import FastMCP

server = FastMCP("docs")


@server.prompt()
def review(topic: str, tone: str = "plain") -> str:
    """Review one part of the code."""
    return f"Please review how this project handles {topic}, in a {tone} tone."


@server.resource("docs://guide", name="guide", description="the style guide")
def guide() -> str:
    return "Guide: functions are short; names say what things are."


if __name__ == "__main__":
    server.run()
