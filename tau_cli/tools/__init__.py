"""tau's tool system: the Environment seam, tools, registry, permissions, built-ins.

Every built-in tool reaches files and processes only through an ``Environment``;
``LocalEnvironment`` is this machine, and ``tau_cli.tools.contract`` is the test
suite any other environment (sandbox, container) must pass unchanged.
"""

from tau_cli.tools.base import BackgroundJob, FileStamp, Tool, ToolContext, ToolSession
from tau_cli.tools.environment import (
    DEFAULT_OUTPUT_LIMIT,
    Environment,
    ExecResult,
    FileInfo,
    FileKind,
    OutputCallback,
    Process,
)
from tau_cli.tools.local import (
    SAFE_VARIABLES,
    LocalEnvironment,
    LocalProcess,
    allowed_environment,
)
from tau_cli.tools.registry import DEFAULT_TIMEOUT, Gate, ToolRegistry
from tau_cli.tools.shaping import DEFAULT_MAX_CHARS, cut_middle

__all__ = [
    "DEFAULT_MAX_CHARS",
    "DEFAULT_OUTPUT_LIMIT",
    "DEFAULT_TIMEOUT",
    "SAFE_VARIABLES",
    "BackgroundJob",
    "Environment",
    "ExecResult",
    "FileInfo",
    "FileKind",
    "FileStamp",
    "Gate",
    "LocalEnvironment",
    "LocalProcess",
    "OutputCallback",
    "Process",
    "Tool",
    "ToolContext",
    "ToolRegistry",
    "ToolSession",
    "allowed_environment",
    "cut_middle",
]
