"""tau's memory: what an agent knows when a session starts and keeps between sessions.

Three tiers, all plain files a user can read and edit:

- bootstrap memory (``TAU.md`` and friends), compiled into the system prompt;
- working memory under ``.tau/memory/``: the progress hand-off and the feature list;
- structured notes under ``.tau/notes/``.

This package imports no other tau package: token costs are measured with a
counting function the caller passes in, and errors are ``MemoryFileError``, which
callers translate into their own.
"""

from tau_cli.memory._errors import MemoryFileError
from tau_cli.memory.bootstrap import (
    COMPAT_FILES,
    LOCAL_MEMORY_FILE,
    MEMORY_FILE,
    BootstrapMemory,
    BootstrapOptions,
    MemorySource,
    MemoryWarning,
    SourceKind,
    find_repo_root,
    load_bootstrap,
)
from tau_cli.memory.shortcut import memory_targets, parse_memory_shortcut, remember

__all__ = [
    "COMPAT_FILES",
    "LOCAL_MEMORY_FILE",
    "MEMORY_FILE",
    "BootstrapMemory",
    "BootstrapOptions",
    "MemoryFileError",
    "MemorySource",
    "MemoryWarning",
    "SourceKind",
    "find_repo_root",
    "load_bootstrap",
    "memory_targets",
    "parse_memory_shortcut",
    "remember",
]
