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
from tau_cli.memory._files import TextFile, read_text
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
from tau_cli.memory.frontmatter import Frontmatter, parse_frontmatter, read_frontmatter
from tau_cli.memory.notes import (
    HANDOFF_REQUEST,
    NOTE_KINDS,
    NOTES_DIR,
    Note,
    NoteHit,
    NoteKind,
    NoteStore,
)
from tau_cli.memory.shortcut import memory_targets, parse_memory_shortcut, remember
from tau_cli.memory.working import (
    MEMORY_DIR,
    Feature,
    FeatureStatus,
    ProgressSection,
    WorkingMemory,
)

__all__ = [
    "COMPAT_FILES",
    "HANDOFF_REQUEST",
    "LOCAL_MEMORY_FILE",
    "MEMORY_DIR",
    "MEMORY_FILE",
    "NOTES_DIR",
    "NOTE_KINDS",
    "BootstrapMemory",
    "BootstrapOptions",
    "Feature",
    "FeatureStatus",
    "Frontmatter",
    "MemoryFileError",
    "MemorySource",
    "MemoryWarning",
    "Note",
    "NoteHit",
    "NoteKind",
    "NoteStore",
    "ProgressSection",
    "SourceKind",
    "TextFile",
    "WorkingMemory",
    "find_repo_root",
    "load_bootstrap",
    "memory_targets",
    "parse_frontmatter",
    "parse_memory_shortcut",
    "read_frontmatter",
    "read_text",
    "remember",
]
