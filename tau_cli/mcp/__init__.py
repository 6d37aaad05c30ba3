"""tau's MCP client: servers from ``mcpServers`` files, started together, their tools as tau's.

The official SDK (``mcp``, 1.x; see docs/decisions/0004) is imported only inside the
functions that connect to a server, so importing this package costs nothing when no
server is configured.
"""

from tau_cli.mcp.approvals import ApprovalStore, fingerprint, split_by_approval
from tau_cli.mcp.config import (
    McpConfig,
    RemoteServer,
    ServerConfig,
    StdioServer,
    add_server,
    expand_variables,
    load_mcp_config,
    parse_servers,
    project_config_files,
    read_config_file,
    remove_server,
    user_config_file,
)

__all__ = [
    "ApprovalStore",
    "McpConfig",
    "RemoteServer",
    "ServerConfig",
    "StdioServer",
    "add_server",
    "expand_variables",
    "fingerprint",
    "load_mcp_config",
    "parse_servers",
    "project_config_files",
    "read_config_file",
    "remove_server",
    "split_by_approval",
    "user_config_file",
]
