"""``LocalEnvironment``: the ``Environment`` contract on this machine.

Blocking file work runs in a worker thread so a large glob never stalls the event
loop. Every child process starts in its own session (so it leads a new process
group) with an allow-listed environment; killing it kills the whole group.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import os
import re
import signal
import stat as stat_module
import subprocess
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence

from tau_cli.tools._globbing import (
    any_depth_name,
    compile_glob,
    max_depth,
    split_literal_prefix,
)
from tau_cli.tools.environment import (
    DEFAULT_OUTPUT_LIMIT,
    ExecBySpawn,
    ExecResult,
    FileInfo,
    FileKind,
    OutputCallback,
)

SAFE_VARIABLES = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TERM",
    "COLORTERM",
    "TZ",
    "TMPDIR",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "GOPATH",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "JAVA_HOME",
    "NODE_PATH",
    "XDG_*",
)
"""Variables a child process inherits; patterns use ``fnmatch`` syntax."""

_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
_DRAIN_GRACE = 0.5
"""Seconds to keep reading after the main process ended (a daemon may hold the pipe)."""
_READ_CHUNK = 65536


def allowed_environment(
    parent: Mapping[str, str],
    allow: Iterable[str] = SAFE_VARIABLES,
    secrets: Iterable[str] = (),
) -> dict[str, str]:
    """The part of ``parent`` a child may see.

    Only names matching ``allow`` pass, never one that looks like a credential
    (``*KEY*``, ``*TOKEN*``, ``*SECRET*`` …), and never a variable whose value is one
    of ``secrets`` (keys tau itself loaded from settings), whatever its name.
    """
    patterns = list(allow)
    hidden = {value for value in secrets if value}
    return {
        name: value
        for name, value in parent.items()
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
        and not _SECRET_NAME.search(name)
        and value not in hidden
    }


class _OutputBuffer:
    """Keeps the first and last ``limit // 2`` bytes of a stream and counts the rest."""

    def __init__(self, limit: int) -> None:
        self._half = max(limit // 2, 1)
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self._half - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self._tail += chunk
            if len(self._tail) > self._half:
                del self._tail[: len(self._tail) - self._half]

    @property
    def truncated(self) -> bool:
        return self.total > len(self._head) + len(self._tail)

    def value(self) -> bytes:
        return bytes(self._head + self._tail)


class _Protocol(asyncio.SubprocessProtocol):
    """Collects output per pipe and notices the exit without waiting for pipes to close.

    (``asyncio``'s ``Process.wait()`` also waits for every pipe to close, which a
    backgrounded grandchild such as ``server &`` can postpone forever.)
    """

    def __init__(self, output_limit: int, on_output: OutputCallback | None) -> None:
        self.buffers = {1: _OutputBuffer(output_limit), 2: _OutputBuffer(output_limit)}
        self.on_output = on_output
        self.exited = asyncio.Event()
        self.drained = asyncio.Event()
        self._open_pipes = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.SubprocessTransport)
        self._open_pipes = sum(transport.get_pipe_transport(fd) is not None for fd in (1, 2))
        if not self._open_pipes:
            self.drained.set()

    def pipe_data_received(self, fd: int, data: bytes | str) -> None:
        chunk = data.encode() if isinstance(data, str) else data
        self.buffers[fd].add(chunk)
        if self.on_output is not None:
            self.on_output(chunk)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd in self.buffers:
            self._open_pipes -= 1
            if self._open_pipes <= 0:
                self.drained.set()

    def process_exited(self) -> None:
        self.exited.set()


class LocalProcess:
    """A child of this process, leading its own process group."""

    def __init__(self, transport: asyncio.SubprocessTransport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self._timed_out = False

    @property
    def pid(self) -> int:
        return self._transport.get_pid()

    @property
    def exit_code(self) -> int | None:
        return self._transport.get_returncode()

    def output(self) -> ExecResult:
        out, err = self._protocol.buffers[1], self._protocol.buffers[2]
        return ExecResult(
            exit_code=self._transport.get_returncode(),
            stdout=out.value(),
            stderr=err.value(),
            timed_out=self._timed_out,
            truncated=out.truncated or err.truncated,
            output_bytes=out.total + err.total,
        )

    async def wait(self, timeout: float | None = None) -> ExecResult:
        try:
            await asyncio.wait_for(self._protocol.exited.wait(), timeout)
        except TimeoutError:
            self._timed_out = True
            await self.kill()
        except asyncio.CancelledError:
            await asyncio.shield(self.kill())
            raise
        await self._drain()
        return self.output()

    async def _drain(self) -> None:
        """Read what is left, but not forever: a background grandchild may keep the pipe."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._protocol.drained.wait(), _DRAIN_GRACE)
        self._transport.close()

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        await self._protocol.exited.wait()
        await self._drain()


class LocalEnvironment(ExecBySpawn):
    """Files and processes of this machine, seen from ``cwd``.

    Args:
        cwd: where relative paths and processes start; made absolute.
        env: the base environment children get (default: the allow-listed part of
            ``os.environ``, see ``allowed_environment``). Names that look like
            credentials are dropped even here; pass those per call to ``exec``.
        secrets: values tau loaded as secrets (API keys from settings); a variable
            holding one is never passed to a child, whatever its name.
    """

    def __init__(
        self,
        cwd: str,
        *,
        env: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self._cwd = os.path.abspath(cwd)
        parent = os.environ if env is None else env
        allow = SAFE_VARIABLES if env is None else ("*",)
        self._env = allowed_environment(parent, allow=allow, secrets=secrets)

    @property
    def cwd(self) -> str:
        return self._cwd

    @property
    def base_env(self) -> dict[str, str]:
        """A copy of the environment every child starts from."""
        return dict(self._env)

    def resolve(self, path: str) -> str:
        if _is_normal_absolute(path):
            return path  # most paths tools pass are: a walk of 50,000 files found them
        return os.path.normpath(os.path.join(self._cwd, os.path.expanduser(path)))

    def _resolve_all(self, paths: Sequence[str]) -> list[str]:
        if _all_normal_absolute(paths):
            return list(paths)  # what a walk found: one scan instead of a check per path
        return [self.resolve(path) for path in paths]

    async def realpath(self, path: str) -> str:
        # Not through resolve(): ".." must apply after the symlink before it is followed.
        joined = os.path.join(self._cwd, os.path.expanduser(path))
        return await asyncio.to_thread(os.path.realpath, joined)

    async def read_bytes(self, path: str) -> bytes:
        return await asyncio.to_thread(_read, self.resolve(path))

    async def read_many(self, paths: Sequence[str]) -> list[bytes | None]:
        return await asyncio.to_thread(_read_many, self._resolve_all(paths))

    async def read_text(self, path: str, encoding: str = "utf-8") -> str:
        data = await self.read_bytes(path)
        return data.decode(encoding)

    async def write_bytes(self, path: str, data: bytes) -> None:
        await asyncio.to_thread(_atomic_write, self.resolve(path), data)

    async def write_text(self, path: str, text: str, encoding: str = "utf-8") -> None:
        await self.write_bytes(path, text.encode(encoding))

    async def stat(self, path: str, *, follow_symlinks: bool = True) -> FileInfo:
        return await asyncio.to_thread(_stat, self.resolve(path), follow_symlinks)

    async def exists(self, path: str) -> bool:
        return await asyncio.to_thread(os.path.lexists, self.resolve(path))

    async def list_dir(self, path: str) -> list[FileInfo]:
        return await asyncio.to_thread(_list_dir, self.resolve(path))

    async def glob(
        self, pattern: str, root: str | None = None, *, skip_dirs: Collection[str] = ()
    ) -> list[str]:
        base = self.resolve(root or ".")
        return await asyncio.to_thread(_glob, base, pattern, frozenset(skip_dirs))

    async def stat_many(self, paths: Sequence[str]) -> list[FileInfo | None]:
        return await asyncio.to_thread(_stat_many, self._resolve_all(paths))

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
        if not os.path.isdir(workdir):
            raise FileNotFoundError(f"working directory does not exist: {workdir}")
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.subprocess_exec(
            lambda: _Protocol(output_limit, on_output),
            *argv,
            cwd=workdir,
            env={**self._env, **(env or {})},
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            start_new_session=True,
        )
        if stdin is not None:
            pipe = transport.get_pipe_transport(0)
            if isinstance(pipe, asyncio.WriteTransport):
                pipe.write(stdin)
                pipe.write_eof()
        return LocalProcess(transport, protocol)


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _read_many(paths: list[str]) -> list[bytes | None]:
    contents: list[bytes | None] = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                contents.append(f.read())
        except OSError:
            contents.append(None)
    return contents


def _atomic_write(path: str, data: bytes) -> None:
    """Write beside the target and rename over it, so a reader never sees half a file.

    A symlink is written through (its target changes, the link stays), and an
    existing file keeps its permission bits.
    """
    target = os.path.realpath(path)
    if os.path.isdir(target):
        raise IsADirectoryError(f"is a directory: {path}")
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    try:
        mode: int | None = stat_module.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".tau-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _is_normal_absolute(path: str) -> bool:
    """Whether ``path`` is absolute with nothing ``normpath`` would change."""
    return (
        path.startswith("/")
        and "//" not in path
        and "/./" not in path
        and "/../" not in path
        and not path.endswith(("/", "/.", "/.."))
    )


def _all_normal_absolute(paths: Sequence[str]) -> bool:
    """``_is_normal_absolute`` of every path, by a few scans of them joined."""
    # A path holding a NUL is refused by the OS whatever it is resolved to, so every
    # "\0" that matters below is a separator.
    joined = "\0".join(paths) + "\0"
    return (
        joined.startswith("/")
        and joined.count("\0/") == len(paths) - 1
        and "//" not in joined
        and "/./" not in joined
        and "/../" not in joined
        and "/\0" not in joined
        and "/.\0" not in joined
        and "/..\0" not in joined
    )


_KINDS: dict[int, FileKind] = {
    stat_module.S_IFLNK: "symlink",
    stat_module.S_IFDIR: "dir",
    stat_module.S_IFREG: "file",
}


def _kind(mode: int) -> FileKind:
    return _KINDS.get(stat_module.S_IFMT(mode), "other")


def _stat(path: str, follow_symlinks: bool) -> FileInfo:
    st = os.stat(path, follow_symlinks=follow_symlinks)
    return FileInfo(
        path=path,
        kind=_kind(st.st_mode),
        size=st.st_size,
        mtime=st.st_mtime,
        mode=stat_module.S_IMODE(st.st_mode),
    )


def _list_dir(path: str) -> list[FileInfo]:
    infos = []
    with os.scandir(path) as entries:
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            infos.append(
                FileInfo(
                    path=entry.path,
                    kind=_kind(st.st_mode),
                    size=st.st_size,
                    mtime=st.st_mtime,
                    mode=stat_module.S_IMODE(st.st_mode),
                )
            )
    return sorted(infos, key=lambda info: info.path)


def _stat_many(paths: list[str]) -> list[FileInfo | None]:
    # _stat inlined: glob stats every match, and a call per file costs a fifth more
    infos: list[FileInfo | None] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            infos.append(None)
            continue
        mode = st.st_mode
        kind = _KINDS.get(mode & 0o170000, "other")  # _kind(mode), without two calls
        infos.append(FileInfo(path, kind, st.st_size, st.st_mtime, mode & 0o7777))
    return infos


def _glob(base: str, pattern: str, skip: frozenset[str]) -> list[str]:
    if os.path.isabs(pattern):
        pattern = os.path.relpath(pattern, base)
    prefix, rest = split_literal_prefix(pattern)
    start = os.path.normpath(os.path.join(base, prefix))
    found: list[str] = []
    name = any_depth_name(rest)
    if name is not None:
        _walk_names(start, compile_glob(name), skip, found)
    else:
        _walk(start, "", compile_glob(rest), max_depth(rest), skip, found)
    found.sort()
    return found


def _walk_names(folder: str, regex: re.Pattern[str], skip: frozenset[str], out: list[str]) -> None:
    """``_walk`` for a pattern that only names the file (see ``any_depth_name``)."""
    folders = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in skip:
                        folders.append(entry.path)
                elif regex.match(entry.name):
                    out.append(entry.path)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for path in folders:  # after the listing is closed: one open folder at a time
        _walk_names(path, regex, skip, out)


def _walk(
    folder: str,
    rel: str,
    regex: re.Pattern[str],
    depth: int | None,
    skip: frozenset[str],
    out: list[str],
) -> None:
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for entry in entries:
        name = f"{rel}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            if (depth is None or depth > 1) and entry.name not in skip:
                deeper = None if depth is None else depth - 1
                _walk(entry.path, name + "/", regex, deeper, skip, out)
        elif regex.match(name):
            out.append(entry.path)
