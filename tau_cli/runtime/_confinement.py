"""Which paths a sandbox shows, and how: the one rule both processes and file operations obey.

A sandboxed process sees the host's filesystem read-only, its own ``/tmp``, ``/proc``
and ``/dev``, the writable roots read-write, and each denied path as an empty,
read-only stand-in. File operations run on the host, so they ask the same rule
before they touch anything: the deepest root that contains a path decides, and on a
tie a denial beats a writable root, which beats the sandbox's private system folders.
Paths are checked after symlinks and ``..`` are resolved, so a link inside the
workspace cannot lead a write or a read past the rule.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Access = Literal["write", "read", "hidden"]

PRIVATE_ROOTS = ("/tmp", "/proc", "/dev", "/run")
"""Folders every sandboxed process gets its own copy of; the host's are not shown.

``/run`` holds the sockets of the daemons that would run anything for a caller
(Docker, D-Bus, systemd): a read-only mount does not stop ``connect()``."""

_PRIVATE, _WRITABLE, _READ_ONLY, _DENIED = 0, 1, 2, 3
"""Rule kinds, in the order a tie between equally deep roots is settled."""


@dataclass(frozen=True)
class Confinement:
    """The writable roots, read-only islands and denied paths of one sandbox.

    All absolute and real. ``read_only`` paths sit inside writable roots and stay
    read-only there (tau's project settings, git hooks: what would run on the host).
    """

    writable: tuple[str, ...]
    denied: tuple[str, ...]
    read_only: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, writable: Iterable[str], denied: Iterable[str], read_only: Iterable[str] = ()
    ) -> Confinement:
        """Resolve the given paths (``~`` expanded, symlinks followed) into a confinement."""
        return cls(
            writable=_real(writable),
            denied=_real(denied),
            read_only=_real(read_only),
        )

    def access(self, real: str) -> Access:
        """What a sandboxed process may do with the real path ``real``."""
        best: tuple[int, int] | None = None
        for kind, roots in (
            (_PRIVATE, PRIVATE_ROOTS),
            (_WRITABLE, self.writable),
            (_READ_ONLY, self.read_only),
            (_DENIED, self.denied),
        ):
            for root in roots:
                if _within(real, root):
                    rank = (root.count("/") if root != "/" else 0, kind)
                    if best is None or rank >= best:
                        best = rank
        if best is None:
            return "read"
        return ("hidden", "write", "read", "hidden")[best[1]]

    def check_read(self, real: str, shown: str) -> None:
        """Raise ``PermissionError`` unless a sandboxed process could read ``real``."""
        if self.access(real) == "hidden":
            raise PermissionError(errno.EACCES, "the sandbox hides this path", shown)

    def check_write(self, real: str, shown: str) -> None:
        """Raise ``PermissionError`` unless a sandboxed process could write ``real``."""
        access = self.access(real)
        if access == "hidden":
            raise PermissionError(errno.EACCES, "the sandbox hides this path", shown)
        if access != "write":
            raise PermissionError(
                errno.EACCES,
                "the sandbox allows writing only inside the workspace and its writable "
                "folders, and keeps tau's project settings and git hooks read-only",
                shown,
            )

    def mounts(self) -> list[str]:
        """bwrap arguments for the writable roots and denied paths that exist now.

        Shallow paths are mounted first, so a writable project inside a denied home
        folder stays usable and a denied file inside the project stays hidden,
        matching ``access``.
        """
        rules = [(root, _WRITABLE) for root in self.writable]
        rules += [(path, _READ_ONLY) for path in self.read_only]
        rules += [(path, _DENIED) for path in self.denied]
        rules.sort(key=lambda rule: (rule[0].count("/"), rule[1]))
        args: list[str] = []
        read_only: list[str] = []
        for path, kind in rules:
            if kind == _WRITABLE and os.path.isdir(path):
                args += ["--bind", path, path]
            elif kind == _READ_ONLY and os.path.lexists(path):
                args += ["--ro-bind", path, path]
            elif kind == _DENIED and os.path.isdir(path):
                # Made read-only last: a writable root below it needs its mount point.
                args += ["--tmpfs", path]
                read_only += ["--remount-ro", path]
            elif kind == _DENIED and os.path.lexists(path):
                args += ["--ro-bind", "/dev/null", path]
        return args + read_only


def _within(path: str, root: str) -> bool:
    return root == "/" or path == root or path.startswith(root + "/")


def _real(paths: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(os.path.realpath(os.path.expanduser(p)) for p in paths))
