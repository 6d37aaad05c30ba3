"""``ContainerEnvironment``: the ``Environment`` contract inside a Docker or Podman container.

tau starts one container per session from a configured image, with the workspace
(and any extra folders) bind-mounted at the same paths, so a path means the same
thing to tau, to the model and to a command inside. Processes run with ``exec``
in the container; file operations on the mounted folders run on the host, and only
there: a path is handled on the host only when resolving it one component at a
time, symlinks included, never leaves a mounted folder. Every step of that walk
then reads the same directory entries the container's kernel view would (a bind
mount shows the same inodes at the same path), so the host's answer is the
container's answer. Any other path (``/etc/os-release`` of the image, a symlink
leading out of the workspace) is read or written inside the container with
``cat``, ``stat`` and ``ls``.

Timeouts and kills reach into the container: each command reports its pid (it
leads its own process group there) and tau kills that group with ``exec kill``.
The container is removed on ``close()``, at interpreter exit, and — should tau
crash — by the next tau that starts a container: containers are labelled with
their owner's ``host:pid`` and removed when that process is gone.

When no engine works, construction fails with ``ContainerUnavailableError``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial

from tau_cli.core import TauError
from tau_cli.runtime import _container_commands as commands
from tau_cli.runtime._container_commands import ContainerSpec
from tau_cli.tools import (
    DEFAULT_OUTPUT_LIMIT,
    SAFE_VARIABLES,
    ExecBySpawn,
    ExecResult,
    FileInfo,
    FileKind,
    LocalEnvironment,
    LocalProcess,
    OutputCallback,
    allowed_environment,
)

ENGINES = ("podman", "docker")
"""Tried in this order when no engine is configured."""

_ENGINE_TIMEOUT = 60.0
_STATUS_TIMEOUT = 60.0
_STATUS_POLL = 0.01
_KILL_TIMEOUT = 10.0
_ENGINE_VARIABLES = (
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_CONFIG",
    "CONTAINER_*",
    "CONTAINERS_*",
)
"""Host variables the engine's client needs to find its daemon (never passed inside)."""


class ContainerUnavailableError(TauError):
    """No container engine works here, or the container would not start."""


def find_engine(preferred: str | None = None) -> str:
    """The first of ``preferred`` or ``ENGINES`` whose engine answers ``info``.

    Raises:
        ContainerUnavailableError: none is installed, or none has a working engine.
    """
    problems = []
    for name in [preferred] if preferred else ENGINES:
        program = shutil.which(name)
        if program is None:
            problems.append(f"{name}: not installed")
            continue
        try:
            done = subprocess.run(
                [program, "info"],
                capture_output=True,
                timeout=_ENGINE_TIMEOUT,
                check=False,
                env=_engine_env(),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            problems.append(f"{name}: {exc}")
            continue
        if done.returncode == 0:
            return program
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        problems.append(f"{name}: {reason[-1] if reason else f'exit status {done.returncode}'}")
    raise ContainerUnavailableError(
        "no working container engine (" + "; ".join(problems) + "); "
        "install Podman (Debian/Ubuntu: apt install podman) or start Docker, "
        "or run without --container"
    )


def container_unavailable_reason(engine: str | None = None) -> str | None:
    """Why no container can be run here, or ``None`` when an engine answers."""
    try:
        find_engine(engine)
    except ContainerUnavailableError as exc:
        return str(exc)
    return None


def default_ulimits() -> tuple[str, ...]:
    """Explicit limits no higher than this process's own.

    Engines ask for generous defaults (over a million open files) that a confined
    host — a CI runner, a container running tau — may not grant, and then refuse
    to start anything; the host's own soft limits are always allowed.
    """
    soft_files, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    files = 65536 if soft_files == resource.RLIM_INFINITY else min(soft_files, 65536)
    return (f"nofile={files}:{files}", "nproc=4096:4096")


def remove_stale_containers(engine: str) -> list[str]:
    """Remove the containers a tau on this host started and did not live to remove.

    Returns:
        The ids removed. Containers of other hosts, and of live processes, stay.
    """
    listed = _run(commands.list_owned_command(engine))
    ids = listed.stdout.decode().split()
    if listed.returncode != 0 or not ids:
        return []
    owners = _run(commands.owners_command(engine, ids))
    host = socket.gethostname()
    removed = []
    for line in owners.stdout.decode().splitlines():
        container, _, owner = line.partition(" ")
        owner_host, _, pid = owner.strip().rpartition(":")
        if owner_host == host and pid.isdigit() and not _alive(int(pid)):
            _run(commands.remove_command(engine, container))
            removed.append(container)
    return removed


class ContainerEnvironment(ExecBySpawn):
    """Files and processes of a container started from ``image`` for this session.

    Args:
        cwd: where relative paths and processes start; inside ``workspace``.
        image: the image to start (it must offer ``sh``, ``sleep`` and ``kill``).
        workspace: the folder mounted read-write at the same path (default ``cwd``).
        mounts: more ``(host, container, read_only)`` bind mounts.
        engine: ``podman`` or ``docker`` (default: the first that works).
        network: give the container a network; off by default.
        env: the base environment of commands inside (default: ``PATH``, ``HOME``,
            ``LANG``); the host's environment is never passed in.
        secrets: values never passed to a command, as for ``LocalEnvironment``.
        ulimits: ``--ulimit`` values (default: ``default_ulimits()``).
        runtime: the OCI runtime to ask for (``--runtime``).

    Raises:
        ContainerUnavailableError: no engine works, or the container does not start.
    """

    def __init__(
        self,
        cwd: str,
        *,
        image: str,
        workspace: str | None = None,
        mounts: Iterable[tuple[str, str, bool]] = (),
        engine: str | None = None,
        network: bool = False,
        env: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        ulimits: Sequence[str] | None = None,
        runtime: str | None = None,
    ) -> None:
        self._cwd = os.path.realpath(cwd)
        root = os.path.realpath(workspace) if workspace is not None else self._cwd
        self.image = image
        self.engine = find_engine(engine)
        self.network = network
        extra = [(os.path.realpath(h), c, ro) for h, c, ro in mounts]
        # Host folders the container shows at the same path: only these are handled here.
        same_path = [(h, ro) for h, c, ro in extra if os.path.normpath(c) == h and os.path.isdir(h)]
        self._shared = (root, *[h for h, _ in same_path])
        # Writes go through the host only where the container may write too.
        self._writable = (root, *[h for h, ro in same_path if not ro])
        base = env if env is not None else {"PATH": commands.DEFAULT_PATH, "HOME": "/root"}
        self._env = allowed_environment({"LANG": "C.UTF-8", **base}, ("*",), secrets)
        self._secrets = [s for s in secrets if s]
        self._status_dir = tempfile.mkdtemp(prefix="tau-container-")
        engine_env = _engine_env()
        # The engine's client runs here; its own output pipes are the command's.
        self._client = LocalEnvironment(self._status_dir, env=engine_env)
        # File operations on shared folders, always given real absolute paths.
        self._files = LocalEnvironment("/", env={})
        self.name = f"tau-{uuid.uuid4().hex[:12]}"
        self.spec = ContainerSpec(
            engine=self.engine,
            image=image,
            name=self.name,
            mounts=((root, root, False), *extra, (self._status_dir, commands.STATUS_MOUNT, False)),
            workdir=self._cwd,
            env=self._env,
            owner=f"{socket.gethostname()}:{os.getpid()}",
            network=network,
            ulimits=tuple(default_ulimits() if ulimits is None else ulimits),
            runtime=runtime,
        )
        remove_stale_containers(self.engine)
        started = _run(commands.run_command(self.spec))
        if started.returncode != 0:
            shutil.rmtree(self._status_dir, ignore_errors=True)
            reason = started.stderr.decode(errors="replace").strip()
            raise ContainerUnavailableError(
                f"the container ({self.engine}, image {image!r}) did not start: {reason}"
            )
        self._closed = False
        atexit.register(self.close)

    @property
    def description(self) -> str:
        """One line saying where commands run, for status lines and ``tau run``."""
        network = "network allowed" if self.network else "no network"
        engine = os.path.basename(self.engine)
        return f"{engine} container {self.image} (workspace: {self._shared[0]}; {network})"

    def close(self) -> None:
        """Remove the container and its status folder; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        _run(commands.remove_command(self.engine, self.name))
        shutil.rmtree(self._status_dir, ignore_errors=True)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    async def __aenter__(self) -> ContainerEnvironment:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def cwd(self) -> str:
        return self._cwd

    def resolve(self, path: str) -> str:
        return os.path.normpath(os.path.join(self._cwd, path))

    # -- where a path is handled -------------------------------------------------

    def _shared_path(
        self, path: str, *, follow_last: bool = True, writing: bool = False
    ) -> str | None:
        """The host's real path of ``path`` if resolving it never leaves a shared folder.

        For a write only read-write mounts count: on the host, a read-only mount's
        folder is as writable as anything else.
        """
        roots = self._writable if writing else self._shared
        return _confined_realpath(self.resolve(path), roots, follow_last=follow_last)

    async def _inside(self, script: str, *args: str, stdin: bytes | None = None) -> ExecResult:
        """Run a small shell script in the container (for paths not shared with the host)."""
        return await self.exec(["sh", "-c", script, "tau", *args], stdin=stdin, merge_stderr=False)

    # -- files -------------------------------------------------------------------

    async def realpath(self, path: str) -> str:
        shared = await asyncio.to_thread(self._shared_path, path)
        if shared is not None:
            return shared
        done = await self._inside('readlink -f "$1" || echo "$1"', self.resolve(path))
        return done.stdout.decode().strip() or self.resolve(path)

    async def read_bytes(self, path: str) -> bytes:
        shared = await asyncio.to_thread(self._shared_path, path)
        if shared is not None:
            return await self._files.read_bytes(shared)
        target = self.resolve(path)
        done = await self._inside(_READ, target)
        if done.exit_code != 0:
            raise _os_error(done, target)
        return done.stdout

    async def read_text(self, path: str, encoding: str = "utf-8") -> str:
        return (await self.read_bytes(path)).decode(encoding)

    async def read_many(self, paths: Sequence[str]) -> list[bytes | None]:
        # Shared files in one batch on the host (a search reads thousands); others inside.
        shared = await asyncio.to_thread(self._shared_paths, paths)
        batch = iter(await self._files.read_many([p for p in shared if p is not None]))
        contents: list[bytes | None] = []
        for path, real in zip(paths, shared, strict=True):
            if real is not None:
                contents.append(next(batch))
                continue
            try:
                contents.append(await self.read_bytes(path))
            except OSError:
                contents.append(None)
        return contents

    async def write_bytes(self, path: str, data: bytes) -> None:
        shared = await asyncio.to_thread(partial(self._shared_path, writing=True), path)
        if shared is not None:
            await self._files.write_bytes(shared, data)
            return
        target = self.resolve(path)
        done = await self._inside(_WRITE, target, stdin=data)
        if done.exit_code != 0:
            raise _os_error(done, target)

    async def write_text(self, path: str, text: str, encoding: str = "utf-8") -> None:
        await self.write_bytes(path, text.encode(encoding))

    async def stat(self, path: str, *, follow_symlinks: bool = True) -> FileInfo:
        target = self.resolve(path)
        shared = await asyncio.to_thread(self._shared_path, path, follow_last=follow_symlinks)
        if shared is not None:
            info = await self._files.stat(shared, follow_symlinks=follow_symlinks)
            return replace(info, path=target)
        flag = "-L" if follow_symlinks else ""
        done = await self._inside(_STAT.replace("FLAG", flag), target)
        if done.exit_code != 0:
            raise _os_error(done, target)
        return _parse_stat(done.stdout.decode().strip(), target)

    async def exists(self, path: str) -> bool:
        try:
            await self.stat(path, follow_symlinks=False)
        except OSError:
            return False
        return True

    async def list_dir(self, path: str) -> list[FileInfo]:
        target = self.resolve(path)
        shared = await asyncio.to_thread(self._shared_path, path)
        if shared is not None:
            infos = await self._files.list_dir(shared)
            return [replace(i, path=os.path.join(target, os.path.basename(i.path))) for i in infos]
        done = await self._inside(_LIST, target)
        if done.exit_code != 0:
            raise _os_error(done, target)
        lines = [line for line in done.stdout.decode().splitlines() if line]
        infos = [_parse_stat(line, "") for line in lines]
        return sorted(infos, key=lambda info: info.path)

    async def glob(
        self, pattern: str, root: str | None = None, *, skip_dirs: Collection[str] = ()
    ) -> list[str]:
        base = self.resolve(root or ".")
        shared = await asyncio.to_thread(self._shared_path, base)
        if shared is None:
            if not os.path.isdir(base) and _within_any(base, self._shared):
                return []  # a missing folder in the workspace, as locally
            raise PermissionError(
                f"searching outside the folders mounted into the container is not supported: {base}"
            )
        found = await self._files.glob(pattern, shared, skip_dirs=skip_dirs)
        return [base + p[len(shared) :] for p in found]

    async def stat_many(self, paths: Sequence[str]) -> list[FileInfo | None]:
        shared = await asyncio.to_thread(self._shared_paths, paths)
        batch = iter(await self._files.stat_many([p for p in shared if p is not None]))
        infos: list[FileInfo | None] = []
        for path, real in zip(paths, shared, strict=True):
            if real is not None:
                info = next(batch)
                infos.append(None if info is None else replace(info, path=self.resolve(path)))
                continue
            try:
                infos.append(await self.stat(path))
            except OSError:
                infos.append(None)
        return infos

    def _shared_paths(self, paths: Sequence[str]) -> list[str | None]:
        return [self._shared_path(p) for p in paths]

    # -- processes -----------------------------------------------------------------

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
    ) -> ContainerProcess:
        if not argv:
            raise ValueError("argv must name a program")
        workdir = self.resolve(cwd or ".")
        status = uuid.uuid4().hex
        extra = allowed_environment(env or {}, ("*",), self._secrets) if env else {}
        command = commands.exec_command(
            self.engine,
            self.name,
            argv,
            status=f"{commands.STATUS_MOUNT}/{status}",
            workdir=workdir,
            env=extra,
            interactive=stdin is not None,
        )
        client = await self._client.spawn(
            command,
            output_limit=output_limit,
            merge_stderr=merge_stderr,
            on_output=on_output,
            stdin=stdin,
        )
        started = await self._started(client, os.path.join(self._status_dir, status))
        if started == "nodir":
            raise FileNotFoundError(f"working directory does not exist in the container: {workdir}")
        if started == "noprog":
            raise FileNotFoundError(f"no such program in the container: {argv[0]}")
        kill = commands.kill_command(self.engine, self.name, int(started))
        return ContainerProcess(client, int(started), kill, self._client)

    async def _started(self, client: LocalProcess, status: str) -> str:
        """Wait for the wrapper's report: a pid, ``nodir`` or ``noprog``."""
        deadline = time.monotonic() + _STATUS_TIMEOUT
        while True:
            with contextlib.suppress(FileNotFoundError):
                with open(status) as f:
                    report = f.read().strip()
                os.unlink(status)
                if report:
                    if report in ("nodir", "noprog"):
                        await client.wait()
                    return report
            ended = client.exit_code is not None or time.monotonic() > deadline
            if ended and not os.path.exists(status):
                result = await client.wait(timeout=1)
                said = (result.stderr or result.stdout).decode(errors="replace").strip()
                raise ContainerUnavailableError(
                    f"the container {self.name} did not run the command: {said}"
                )
            await asyncio.sleep(_STATUS_POLL)


class ContainerProcess:
    """A command running in the container, seen through the engine's ``exec`` client.

    Killing the client alone would leave the command running inside, so every
    kill — on timeout, on cancellation, on request — also kills the command's
    process group in the container.
    """

    def __init__(
        self,
        client: LocalProcess,
        pid: int,
        kill_inside: list[str],
        host: LocalEnvironment,
    ) -> None:
        self._client = client
        self._pid = pid
        self._kill_inside = kill_inside
        self._host = host
        self._timed_out = False

    @property
    def pid(self) -> int:
        """The pid inside the container (its own pid namespace)."""
        return self._pid

    @property
    def exit_code(self) -> int | None:
        return self._client.exit_code

    def output(self) -> ExecResult:
        return replace(self._client.output(), timed_out=self._timed_out)

    async def wait(self, timeout: float | None = None) -> ExecResult:
        try:
            await asyncio.wait_for(self._client.wait(), timeout)
        except TimeoutError:
            self._timed_out = True
            await self.kill()
        except asyncio.CancelledError:
            await asyncio.shield(self.kill())
            raise
        return self.output()

    async def kill(self) -> None:
        # The client first, so the result says "killed" (a negative exit status).
        await self._client.kill()
        await self._host.exec(self._kill_inside, timeout=_KILL_TIMEOUT)


# Podman can lose the output of a command that fails at once (its issue 9096), so the
# scripts say why a file operation failed in their exit status, which is never lost:
# ``why PATH r|w`` looks at the path and exits with its errno.
# Writability is tried, not asked: busybox's ``test -w`` says yes to root on a
# read-only mount. ``l`` (listing) fails on a folder only for want of permission.
_WHY = (
    'why() { if [ -d "$1" ]; then [ "$2" = l ] && exit 13; exit 21; fi; '
    'd=$(dirname -- "$1"); '
    'while [ ! -e "$d" ] && [ ! -L "$d" ]; do d=$(dirname -- "$d"); done; '
    '[ -d "$d" ] || exit 20; [ -x "$d" ] || exit 13; '
    'if [ -e "$1" ]; then [ -r "$1" ] || exit 13; '
    '[ "$2" = w ] && { ( : >> "$1" ) 2>/dev/null || exit 13; }; '
    'elif [ "$2" = w ]; then p="$d/.tau-why-$$"; ( : > "$p" ) 2>/dev/null || exit 13; '
    'rm -f -- "$p"; else exit 2; fi; exit 5; }; '
)
_ERRNO: dict[int, type[OSError]] = {
    2: FileNotFoundError,
    13: PermissionError,
    20: NotADirectoryError,
    21: IsADirectoryError,
}
_READ = _WHY + 'if [ -d "$1" ]; then exit 21; fi; cat -- "$1" || why "$1" r'
_WRITE = _WHY + (
    'if [ -d "$1" ]; then exit 21; fi; t=; '
    '{ mkdir -p -- "$(dirname -- "$1")" && t="$1.tau-$$.tmp" && cat > "$t" && '
    '{ [ ! -e "$1" ] || chmod "$(stat -L -c %a -- "$1")" "$t"; } && mv -f -- "$t" "$1"; } || '
    '{ [ -z "$t" ] || rm -f -- "$t"; why "$1" w; }'
)
_STAT = _WHY + 'stat FLAG -c "%f|%s|%Y|%n" -- "$1" || why "$1" r'
_LIST = _WHY + (
    '[ -d "$1" ] || { [ -e "$1" ] && exit 20; why "$1" r; }; cd -- "$1" || why "$1" l; '
    'for f in * .*; do case "$f" in .|..) continue;; esac; '
    '{ [ -e "$f" ] || [ -L "$f" ]; } && stat -c "%f|%s|%Y|%n" -- "$1/$f"; done; exit 0'
)


def _parse_stat(line: str, path: str) -> FileInfo:
    """A ``%f|%s|%Y|%n`` line (raw mode in hex, size, mtime, name) as ``FileInfo``."""
    raw_mode, size, mtime, name = line.split("|", 3)
    mode = int(raw_mode, 16)
    kinds: dict[int, FileKind] = {0o100000: "file", 0o040000: "dir", 0o120000: "symlink"}
    kind = kinds.get(mode & 0o170000, "other")
    return FileInfo(
        path=path or name,
        kind=kind,
        size=int(size),
        mtime=float(mtime),
        mode=mode & 0o7777,
    )


def _os_error(result: ExecResult, path: str) -> OSError:
    """The ``OSError`` a failed in-container file command stands for."""
    known = _ERRNO.get(result.exit_code) if result.exit_code is not None else None
    if known is not None:
        what = {
            FileNotFoundError: "no such file in the container",
            PermissionError: "permission denied in the container",
            NotADirectoryError: "not a directory",
            IsADirectoryError: "is a directory",
        }[known]
        return known(f"{what}: {path}")
    said = result.stderr.decode(errors="replace")
    if "EISDIR" in said or "Is a directory" in said:
        return IsADirectoryError(f"is a directory: {path}")
    if "Not a directory" in said:
        return NotADirectoryError(f"not a directory: {path}")
    if "ermission denied" in said or "Read-only" in said:
        return PermissionError(f"permission denied in the container: {path}")
    return FileNotFoundError(f"no such file in the container: {path}")


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _within_any(path: str, roots: Sequence[str]) -> bool:
    return any(_within(path, root) for root in roots)


def _confined_realpath(path: str, roots: Sequence[str], *, follow_last: bool = True) -> str | None:
    """``path`` (absolute, normalised) resolved step by step; ``None`` once it leaves ``roots``.

    Unlike ``os.path.realpath`` this notices a detour: ``work/link/../x`` where
    ``link`` points outside resolves, on the host, through folders the container
    does not have. Missing components are kept as they are, as ``realpath`` does.
    """
    root = next((r for r in roots if _within(path, r)), None)
    if root is None:
        return None
    pending = [p for p in os.path.relpath(path, root).split("/") if p not in ("", ".")]
    current = root
    hops = 0
    while pending:
        name = pending.pop(0)
        if name == "..":
            current = os.path.dirname(current)
            if not _within_any(current, roots):
                return None
            continue
        candidate = os.path.join(current, name)
        if not pending and not follow_last:
            return candidate
        try:
            target = os.readlink(candidate)
        except OSError:
            current = candidate
            continue
        hops += 1
        if hops > 40:
            return None
        if os.path.isabs(target):
            target = os.path.normpath(target)
            if ".." in target.split("/"):
                return None
            new_root = next((r for r in roots if _within(target, r)), None)
            if new_root is None:
                return None
            current = new_root
            rest = os.path.relpath(target, new_root)
            pending = [p for p in rest.split("/") if p not in ("", ".")] + pending
        else:
            pending = [p for p in target.split("/") if p not in ("", ".")] + pending
    return current


def _engine_env() -> dict[str, str]:
    return allowed_environment(os.environ, (*SAFE_VARIABLES, *_ENGINE_VARIABLES))


def _run(command: list[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            command, capture_output=True, timeout=_ENGINE_TIMEOUT, check=False, env=_engine_env()
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(command, 1, b"", str(exc).encode())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
