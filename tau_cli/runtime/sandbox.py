"""``SandboxEnvironment``: the ``Environment`` contract inside a bubblewrap sandbox.

Every process runs under ``bwrap`` with the host's filesystem read-only, the
workspace and any extra writable folders read-write, a private ``/tmp``, ``/proc``
and ``/dev``, denied paths (``~/.ssh``...) replaced by empty read-only stand-ins,
its own pid namespace (so it cannot see or signal tau, nor read tau's environment
through ``/proc``) and no network unless allowed. File operations run on the host
through a ``LocalEnvironment`` after the same rule (``Confinement``) has checked the
resolved path, so the model's ``write`` tool cannot do what its ``bash`` tool cannot.

When ``bwrap`` is missing or cannot create a sandbox on this machine, construction
fails with ``SandboxUnavailableError``: tau never runs "sandboxed" without one.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Collection, Iterable, Mapping, Sequence

from tau_cli.core import TauError
from tau_cli.runtime._confinement import Confinement
from tau_cli.tools import (
    DEFAULT_OUTPUT_LIMIT,
    ExecBySpawn,
    FileInfo,
    LocalEnvironment,
    LocalProcess,
    OutputCallback,
)

_PROBE_TIMEOUT = 10.0

SANDBOX_ENV = {"TMPDIR": "/tmp"}
"""What every sandboxed child's environment must say: its temporary folder is the
sandbox's private ``/tmp``, not wherever the host's ``TMPDIR`` points."""


class SandboxUnavailableError(TauError):
    """bubblewrap is missing or cannot create a sandbox here, so tau will not pretend."""


class SandboxEnvironment(ExecBySpawn):
    """Files and processes confined to a workspace by bubblewrap.

    Args:
        cwd: where relative paths and processes start.
        workspace: the folder processes may write (default ``cwd``).
        writable: more folders processes may write (missing ones are skipped).
        denied: paths hidden from processes and file operations (missing ones are
            skipped when a process starts; file operations still refuse them).
        read_only: paths inside writable roots that stay read-only (missing ones are
            skipped when a process starts; file operations still refuse to write them).
        network: let processes use the host's network; off by default.
        env: the base environment of children, as for ``LocalEnvironment``.
        secrets: values never passed to a child, as for ``LocalEnvironment``.
        bwrap: the bubblewrap program (default: ``bwrap`` on ``PATH``).

    Raises:
        SandboxUnavailableError: bwrap is not installed or cannot sandbox here.
    """

    def __init__(
        self,
        cwd: str,
        *,
        workspace: str | None = None,
        writable: Iterable[str] = (),
        denied: Iterable[str] = (),
        read_only: Iterable[str] = (),
        network: bool = False,
        env: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        bwrap: str | None = None,
    ) -> None:
        self._local = LocalEnvironment(cwd, env=env, secrets=secrets)
        root = workspace if workspace is not None else self._local.cwd
        self.confinement = Confinement.of([root, *writable], denied, read_only)
        self.network = network
        self._bwrap = _find_bwrap(bwrap)
        _probe(self._bwrap, self._namespaces())

    @property
    def cwd(self) -> str:
        return self._local.cwd

    @property
    def description(self) -> str:
        """One line saying what the sandbox allows, for status lines and ``tau run``."""
        network = "network allowed" if self.network else "no network"
        return f"bubblewrap sandbox (writable: {', '.join(self.confinement.writable)}; {network})"

    def resolve(self, path: str) -> str:
        return self._local.resolve(path)

    async def realpath(self, path: str) -> str:
        return await self._local.realpath(path)

    # -- files, checked on the host --------------------------------------------

    async def read_bytes(self, path: str) -> bytes:
        await self._readable(path)
        return await self._local.read_bytes(path)

    async def read_text(self, path: str, encoding: str = "utf-8") -> str:
        data = await self.read_bytes(path)
        return data.decode(encoding)

    async def read_many(self, paths: Sequence[str]) -> list[bytes | None]:
        shown = await asyncio.to_thread(self._visible, paths)
        contents = await self._local.read_many([p for p in paths if p in shown])
        found = dict(zip([p for p in paths if p in shown], contents, strict=True))
        return [found.get(p) for p in paths]

    async def write_bytes(self, path: str, data: bytes) -> None:
        real = await asyncio.to_thread(self._opened, path)
        self.confinement.check_write(real, self.resolve(path))
        await self._local.write_bytes(path, data)

    async def write_text(self, path: str, text: str, encoding: str = "utf-8") -> None:
        await self.write_bytes(path, text.encode(encoding))

    async def stat(self, path: str, *, follow_symlinks: bool = True) -> FileInfo:
        await self._readable(path, follow_symlinks=follow_symlinks)
        return await self._local.stat(path, follow_symlinks=follow_symlinks)

    async def exists(self, path: str) -> bool:
        try:
            await self._readable(path, follow_symlinks=False)
        except PermissionError:
            return False
        return await self._local.exists(path)

    async def list_dir(self, path: str) -> list[FileInfo]:
        await self._readable(path)
        return await self._local.list_dir(path)

    async def glob(
        self, pattern: str, root: str | None = None, *, skip_dirs: Collection[str] = ()
    ) -> list[str]:
        base = self.resolve(root or ".")
        real_base = await self._local.realpath(base)
        if self.confinement.access(real_base) == "hidden":
            return []
        found = await self._local.glob(pattern, base, skip_dirs=skip_dirs)
        return await asyncio.to_thread(self._listable, found)

    async def stat_many(self, paths: Sequence[str]) -> list[FileInfo | None]:
        shown = await asyncio.to_thread(self._visible, paths)
        infos = await self._local.stat_many([p for p in paths if p in shown])
        found = dict(zip([p for p in paths if p in shown], infos, strict=True))
        return [found.get(p) for p in paths]

    def _opened(self, path: str) -> str:
        """The real path the local environment will open for ``path``.

        It opens ``resolve(path)`` (``..`` removed before symlinks are followed), so
        that, and not the OS's reading of the raw path, is what must be checked.
        """
        return os.path.realpath(self.resolve(path))

    async def _readable(self, path: str, *, follow_symlinks: bool = True) -> None:
        if follow_symlinks:
            real = await asyncio.to_thread(self._opened, path)
        else:
            # The link itself: its folder resolved, its own name kept.
            folder, name = os.path.split(self.resolve(path))
            real = os.path.join(await asyncio.to_thread(os.path.realpath, folder), name)
        self.confinement.check_read(real, self.resolve(path))

    def _visible(self, paths: Sequence[str]) -> set[str]:
        """The paths (as given) whose resolved target a sandboxed process could read."""
        return {p for p in paths if self.confinement.access(self._opened(p)) != "hidden"}

    def _listable(self, paths: list[str]) -> list[str]:
        """The found paths not inside a hidden folder (a glob may start anywhere)."""
        real_folders: dict[str, str] = {}
        shown = []
        for path in paths:
            folder, name = os.path.split(path)
            if folder not in real_folders:
                real_folders[folder] = os.path.realpath(folder)
            if self.confinement.access(os.path.join(real_folders[folder], name)) != "hidden":
                shown.append(path)
        return shown

    # -- processes, run under bwrap --------------------------------------------

    async def spawn(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        merge_stderr: bool = True,
        on_output: OutputCallback | None = None,
        stdin: bytes | None = None,
    ) -> LocalProcess:
        if not argv:
            raise ValueError("argv must name a program")
        workdir = self.resolve(cwd or ".")
        real_workdir = await self._local.realpath(workdir)
        if not os.path.isdir(real_workdir) or self.confinement.access(real_workdir) == "hidden":
            raise FileNotFoundError(f"working directory does not exist in the sandbox: {workdir}")
        child_env = {**self._local.base_env, **SANDBOX_ENV, **(env or {})}
        self._find_program(argv[0], workdir, child_env.get("PATH", os.defpath))
        return await self._local.spawn(
            self.command(argv, cwd=real_workdir),
            cwd=workdir,
            env={**SANDBOX_ENV, **(env or {})},
            output_limit=output_limit,
            merge_stderr=merge_stderr,
            on_output=on_output,
            stdin=stdin,
        )

    def command(self, argv: Sequence[str], *, cwd: str, network: bool | None = None) -> list[str]:
        """The command line that runs ``argv`` inside this sandbox, starting in ``cwd``.

        The one place a bwrap command is put together: ``spawn`` uses it for the
        tools' processes, and so do processes tau starts for other reasons while the
        sandbox is on (hooks, stdio MCP servers), so they are confined by the same
        rule. The caller starts the result on the host, adding ``SANDBOX_ENV`` to
        the child's environment.

        Args:
            argv: the program and its arguments, as they would run unconfined.
            cwd: the real path of the folder the program starts in.
            network: override the sandbox's network policy for this one command
                (``None`` keeps it).
        """
        if not argv:
            raise ValueError("argv must name a program")
        allowed = self.network if network is None else network
        return [
            self._bwrap,
            *_base_namespaces(network=allowed),
            *self.confinement.mounts(),
            "--chdir",
            cwd,
            "--",
            *argv,
        ]

    def _namespaces(self) -> list[str]:
        """The fixed part of every bwrap command line: what the process can see at all.

        The process group tau kills on timeout is bwrap's own (``LocalEnvironment``
        starts every child in a new session); ``--die-with-parent`` and the pid
        namespace take everything inside down with it.
        """
        return _base_namespaces(network=self.network)

    def _find_program(self, program: str, workdir: str, path: str) -> None:
        """Raise ``FileNotFoundError`` as ``LocalEnvironment`` would for a missing program.

        bwrap would only report it as exit status 1; the sandbox sees the host's
        files, so the host can answer, minus what the sandbox hides.
        """
        candidate: str | None
        if "/" in program:
            candidate = os.path.join(workdir, program)
            if not os.access(candidate, os.X_OK):
                candidate = None
        else:
            candidate = shutil.which(program, path=path)
        if candidate is None or self.confinement.access(os.path.realpath(candidate)) == "hidden":
            raise FileNotFoundError(f"no such program in the sandbox: {program}")


def sandbox_unavailable_reason(bwrap: str | None = None) -> str | None:
    """Why no sandbox can be made here, or ``None`` when bubblewrap works."""
    try:
        _probe(_find_bwrap(bwrap), _base_namespaces(network=False))
    except SandboxUnavailableError as exc:
        return str(exc)
    return None


def _base_namespaces(*, network: bool) -> list[str]:
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    args += ["--tmpfs", "/run", *_resolver(network)]
    # Run as root, bwrap would keep every capability, and CAP_SYS_ADMIN could simply
    # unmount what hides a denied path.
    args += ["--unshare-all", "--die-with-parent", "--cap-drop", "ALL"]
    if network:
        args.append("--share-net")
    return args


def _resolver(network: bool) -> list[str]:
    """With the network allowed, keep name lookups working where resolv.conf lives in /run."""
    if not network:
        return []
    real = os.path.realpath("/etc/resolv.conf")
    if real.startswith("/run/") and os.path.exists(real):
        return ["--ro-bind", real, real]
    return []


def _find_bwrap(program: str | None) -> str:
    found = shutil.which(program or "bwrap")
    if found is None:
        raise SandboxUnavailableError(
            f"the sandbox needs bubblewrap, but {program or 'bwrap'!r} was not found; "
            "install it (Debian/Ubuntu: apt install bubblewrap) or run without --sandbox"
        )
    return found


def _probe(bwrap: str, namespaces: Sequence[str]) -> None:
    """Start one empty sandbox, so a machine that cannot sandbox says so up front."""
    try:
        done = subprocess.run(
            [bwrap, *namespaces, "--", "true"],
            capture_output=True,
            timeout=_PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailableError(f"bubblewrap ({bwrap}) does not run: {exc}") from exc
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}"
        raise SandboxUnavailableError(
            f"bubblewrap ({bwrap}) cannot create a sandbox on this machine: {reason}. "
            "Unprivileged user namespaces may be disabled; run without --sandbox, "
            "or enable them (sysctl kernel.unprivileged_userns_clone=1)"
        )
