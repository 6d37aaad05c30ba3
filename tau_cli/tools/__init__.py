"""tau's tool system: the Environment seam, tools, registry, permissions, built-ins.

Every built-in tool reaches files and processes only through an ``Environment``;
``LocalEnvironment`` is this machine, and ``tau_cli.tools.contract`` is the test
suite any other environment (sandbox, container) must pass unchanged.
"""

from tau_cli.tools.base import (
    BackgroundJob,
    FileStamp,
    Previewable,
    ProgressSink,
    Tool,
    ToolContext,
    ToolSession,
)
from tau_cli.tools.builtin import builtin_tools
from tau_cli.tools.environment import (
    DEFAULT_OUTPUT_LIMIT,
    Environment,
    ExecBySpawn,
    ExecResult,
    FileInfo,
    FileKind,
    OutputCallback,
    Process,
)
from tau_cli.tools.gate import PermissionGate, SaveRule, summarize
from tau_cli.tools.local import (
    SAFE_VARIABLES,
    LocalEnvironment,
    LocalProcess,
    allowed_environment,
)
from tau_cli.tools.permissions import (
    MODE_ALIASES,
    TOOL_ALIASES,
    Behavior,
    Decision,
    PermissionMode,
    PermissionPolicy,
    Rule,
    canonical_tool_name,
)
from tau_cli.tools.registry import DEFAULT_TIMEOUT, Gate, ToolRegistry
from tau_cli.tools.shaping import DEFAULT_MAX_CHARS, cut_middle

__all__ = [
    "DEFAULT_MAX_CHARS",
    "DEFAULT_OUTPUT_LIMIT",
    "DEFAULT_TIMEOUT",
    "MODE_ALIASES",
    "SAFE_VARIABLES",
    "TOOL_ALIASES",
    "BackgroundJob",
    "Behavior",
    "Decision",
    "Environment",
    "ExecBySpawn",
    "ExecResult",
    "FileInfo",
    "FileKind",
    "FileStamp",
    "Gate",
    "LocalEnvironment",
    "LocalProcess",
    "OutputCallback",
    "PermissionGate",
    "PermissionMode",
    "PermissionPolicy",
    "Previewable",
    "Process",
    "ProgressSink",
    "Rule",
    "SaveRule",
    "Tool",
    "ToolContext",
    "ToolRegistry",
    "ToolSession",
    "allowed_environment",
    "builtin_tools",
    "canonical_tool_name",
    "cut_middle",
    "summarize",
]
