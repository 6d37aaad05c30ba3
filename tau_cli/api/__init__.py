"""The standard API on the wire: tau as an Agent Client Protocol (ACP) agent.

``AcpAgent`` serves editors and other ACP clients (``tau acp``); ``serve_stdio``
runs it on stdin/stdout. ``EventMapper`` is the one place where runtime events
become ACP updates, and ``AcpInteraction`` answers the runtime's questions with
ACP round trips. ``AcpRuntimeClient`` is the other side: a ``RuntimeClient`` over
any ACP agent's stdio, which is how ``tau --connect`` attaches the TUI.
``EditorFiles`` lets an editor that offers it serve the text files tools read and write.
"""

from tau_cli.api.acp_agent import MODES, AcpAgent
from tau_cli.api.acp_client import AcpRuntimeClient, AgentGone
from tau_cli.api.acp_files import EditorFiles
from tau_cli.api.acp_interaction import AcpInteraction
from tau_cli.api.acp_mapping import EventMapper, Extension, permission_options
from tau_cli.api.acp_stdio import LineTransport, serve_stdio

__all__ = [
    "MODES",
    "AcpAgent",
    "AcpInteraction",
    "AcpRuntimeClient",
    "AgentGone",
    "EditorFiles",
    "EventMapper",
    "Extension",
    "LineTransport",
    "permission_options",
    "serve_stdio",
]
