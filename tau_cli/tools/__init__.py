"""tau's tool system: the Environment seam, tools, registry, permissions, built-ins.

Every built-in tool reaches files and processes only through an ``Environment``;
``LocalEnvironment`` is this machine, and ``tau_cli.tools.contract`` is the test
suite any other environment (sandbox, container) must pass unchanged.
"""

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

__all__ = [
    "DEFAULT_OUTPUT_LIMIT",
    "SAFE_VARIABLES",
    "Environment",
    "ExecResult",
    "FileInfo",
    "FileKind",
    "LocalEnvironment",
    "LocalProcess",
    "OutputCallback",
    "Process",
    "allowed_environment",
]
