"""tau's MCP client: servers from ``mcpServers`` files, started together, their tools as tau's.

The official SDK (``mcp``, 1.x; see docs/decisions/0004) is imported only inside the
functions that connect to a server, so importing this package costs nothing when no
server is configured.
"""

__all__: list[str] = []
