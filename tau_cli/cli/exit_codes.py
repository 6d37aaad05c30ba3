"""tau's exit codes, one meaning each, so scripts can branch on them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    """Something failed: bad settings, a provider error, a crash."""
    USAGE = 2
    """The command line itself was wrong."""
    ABORTED = 3
    """The work was stopped: by a hook, or by the user (Ctrl-C). A refused tool call is
    not this: the model is told, and the run goes on."""
    LIMIT = 4
    """A limit ended the work (iterations, budget)."""
