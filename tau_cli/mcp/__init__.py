"""tau's MCP client: servers from ``mcpServers`` files, started together, their tools as tau's.

How a session uses it::

    config = load_mcp_config(tau_home=..., project_root=..., project_trusted=...)
    startable, awaiting = split_by_approval(config.servers.values(), root, ApprovalStore(home))
    async with McpManager(startable, interaction=..., roots=[root]) as manager:
        tools = [*manager.tools(), *manager.resource_tools()]   # name, definition, read_only, call
        manager.statuses(), manager.instructions(), await manager.list_prompts()

The official SDK (``mcp``, 1.x; see docs/decisions/0004) is imported only inside the
functions that connect to a server, so importing this package costs nothing when no
server is configured.
"""

from tau_cli.mcp._connection import ALLOWED_ENVIRONMENT, ProgressCallback
from tau_cli.mcp.approvals import ApprovalStore, fingerprint, split_by_approval
from tau_cli.mcp.catalog import (
    ListResourcesTool,
    McpServerError,
    PromptArgumentInfo,
    PromptInfo,
    ReadResourceTool,
    ResourceInfo,
    parse_mention,
)
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
from tau_cli.mcp.manager import McpManager, ServerState, ServerStatus, probe_server
from tau_cli.mcp.oauth import (
    AuthorizationFlow,
    AuthorizationRequired,
    FileTokenStorage,
    LoopbackAuthorization,
    OAuthSupport,
)
from tau_cli.mcp.results import cut_middle, to_tool_result
from tau_cli.mcp.tool import McpTool, tau_tool_name

__all__ = [
    "ALLOWED_ENVIRONMENT",
    "ApprovalStore",
    "AuthorizationFlow",
    "AuthorizationRequired",
    "FileTokenStorage",
    "ListResourcesTool",
    "LoopbackAuthorization",
    "McpConfig",
    "McpManager",
    "McpServerError",
    "McpTool",
    "OAuthSupport",
    "ProgressCallback",
    "PromptArgumentInfo",
    "PromptInfo",
    "ReadResourceTool",
    "RemoteServer",
    "ResourceInfo",
    "ServerConfig",
    "ServerState",
    "ServerStatus",
    "StdioServer",
    "add_server",
    "cut_middle",
    "expand_variables",
    "fingerprint",
    "load_mcp_config",
    "parse_mention",
    "parse_servers",
    "probe_server",
    "project_config_files",
    "read_config_file",
    "remove_server",
    "split_by_approval",
    "tau_tool_name",
    "to_tool_result",
    "user_config_file",
]
