"""What the sandbox stops, each proven against a control run that does the same without it.

Every check runs one command (or file operation) twice: through ``LocalEnvironment``,
where it must succeed, then through ``SandboxEnvironment``, where it must fail. The
control is what keeps a test from passing because a path never existed or the
machine is offline.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tau_cli.runtime.sandbox import SandboxEnvironment
from tau_cli.tools import LocalEnvironment

# The scripts need only the standard library. The interpreter behind the virtual
# environment is used because a checkout under /tmp (as CI's may be) is invisible
# inside the sandbox's private /tmp, and with it the environment's python.
_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))


@dataclass
class Layout:
    """A workspace with a sibling folder beside it and a private key in a fake home."""

    work: Path
    sibling: Path
    ssh: Path
    key: Path


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A scratch folder outside ``/tmp``.

    Each sandboxed process gets its own empty ``/tmp``, so a sibling folder under
    pytest's ``/tmp`` would be invisible to it and a refused write would prove
    nothing; ``/var/tmp`` is seen read-only, as the rest of the host is.
    """
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="tau-sandbox-") as folder:
        yield Path(folder).resolve()


@pytest.fixture
def layout(outside_tmp: Path) -> Layout:
    root = outside_tmp
    work, sibling, ssh = root / "work", root / "sibling", root / "home" / ".ssh"
    for folder in (work, sibling, ssh):
        folder.mkdir(parents=True)
    key = ssh / "id_ed25519"
    key.write_text("PRIVATE-KEY-MATERIAL\n")
    return Layout(work, sibling, ssh, key)


def sandbox(layout: Layout, **options: object) -> SandboxEnvironment:
    return SandboxEnvironment(str(layout.work), denied=[str(layout.ssh)], **options)  # type: ignore[arg-type]


# -- writing outside the workspace ------------------------------------------------


async def test_a_command_cannot_write_outside_the_workspace(layout: Layout) -> None:
    command = ["sh", "-c", f"echo escaped > {layout.sibling}/out.txt"]

    control = await LocalEnvironment(str(layout.work)).exec(command)
    assert control.exit_code == 0
    assert (layout.sibling / "out.txt").read_text() == "escaped\n"
    (layout.sibling / "out.txt").unlink()

    confined = await sandbox(layout).exec(command)
    assert confined.exit_code != 0
    assert b"Read-only file system" in confined.stdout
    assert not (layout.sibling / "out.txt").exists()


async def test_a_command_still_writes_inside_the_workspace(layout: Layout) -> None:
    result = await sandbox(layout).exec(["sh", "-c", "mkdir -p src && echo ok > src/made.txt"])
    assert result.exit_code == 0
    assert (layout.work / "src" / "made.txt").read_text() == "ok\n"


async def test_file_operations_cannot_write_outside_the_workspace(layout: Layout) -> None:
    target = str(layout.sibling / "written.txt")
    await LocalEnvironment(str(layout.work)).write_text(target, "control")
    assert Path(target).read_text() == "control"
    os.unlink(target)

    env = sandbox(layout)
    with pytest.raises(PermissionError, match="only inside the workspace"):
        await env.write_text(target, "escaped")
    with pytest.raises(PermissionError):
        await env.write_text("../sibling/dotdot.txt", "escaped")
    assert list(layout.sibling.iterdir()) == []


async def test_a_symlink_in_the_workspace_does_not_lead_a_write_out(layout: Layout) -> None:
    env = sandbox(layout)
    await env.exec(["ln", "-s", str(layout.sibling), "door"])
    assert os.path.islink(layout.work / "door")
    with pytest.raises(PermissionError):
        await env.write_text("door/through.txt", "escaped")
    with pytest.raises(PermissionError):
        await env.write_text("door/../door/through.txt", "escaped")
    assert list(layout.sibling.iterdir()) == []


async def test_extra_writable_folders_are_writable(layout: Layout) -> None:
    env = sandbox(layout, writable=[str(layout.sibling)])
    result = await env.exec(["sh", "-c", f"echo shared > {layout.sibling}/by-process.txt"])
    assert result.exit_code == 0
    await env.write_text(str(layout.sibling / "by-tool.txt"), "shared")
    assert sorted(p.name for p in layout.sibling.iterdir()) == ["by-process.txt", "by-tool.txt"]


async def test_tmp_is_private_to_each_process(layout: Layout) -> None:
    marker = f"tau-sandbox-private-{os.getpid()}-{id(layout)}"
    env = sandbox(layout)
    result = await env.exec(["sh", "-c", f"echo inside > /tmp/{marker} && cat /tmp/{marker}"])
    assert (result.exit_code, result.stdout) == (0, b"inside\n")
    assert not os.path.exists(f"/tmp/{marker}")
    again = await env.exec(["sh", "-c", f"cat /tmp/{marker}"])
    assert again.exit_code != 0


async def test_project_settings_and_git_hooks_stay_read_only(layout: Layout) -> None:
    # A command that could add a hook here would run code outside the sandbox later.
    settings = layout.work / ".tau" / "settings.yaml"
    settings.parent.mkdir()
    settings.write_text("model: ollama:qwen3:8b\n")
    (layout.work / ".git" / "hooks").mkdir(parents=True)
    command = ["sh", "-c", "echo 'hooks: {}' >> .tau/settings.yaml"]
    hook = ["sh", "-c", "echo 'curl evil' > .git/hooks/pre-commit"]

    local = LocalEnvironment(str(layout.work))
    assert (await local.exec(command)).exit_code == 0
    assert (await local.exec(hook)).exit_code == 0
    settings.write_text("model: ollama:qwen3:8b\n")
    (layout.work / ".git" / "hooks" / "pre-commit").unlink()

    env = sandbox(layout, read_only=[str(layout.work / ".tau"), str(layout.work / ".git/hooks")])
    assert (await env.exec(command)).exit_code != 0
    assert (await env.exec(hook)).exit_code != 0
    assert settings.read_text() == "model: ollama:qwen3:8b\n"
    assert not (layout.work / ".git" / "hooks" / "pre-commit").exists()
    assert (await env.exec(["cat", ".tau/settings.yaml"])).stdout == b"model: ollama:qwen3:8b\n"
    assert (await env.exec(["sh", "-c", "echo ref > .git/HEAD"])).exit_code == 0
    with pytest.raises(PermissionError, match="read-only"):
        await env.write_text(".tau/settings.local.yaml", "hooks: {}\n")


async def test_a_denied_file_inside_the_workspace_stays_hidden(layout: Layout) -> None:
    (layout.work / ".env").write_text("DB_PASSWORD=hunter2\n")
    command = ["cat", ".env"]
    assert b"hunter2" in (await LocalEnvironment(str(layout.work)).exec(command)).stdout
    env = SandboxEnvironment(str(layout.work), denied=[str(layout.work / ".env")])
    assert b"hunter2" not in (await env.exec(command)).stdout
    with pytest.raises(PermissionError):
        await env.read_text(".env")
    assert (await env.exec(["sh", "-c", "echo ok > other.txt"])).exit_code == 0


# -- reading a denied path ---------------------------------------------------------


async def test_a_command_cannot_read_a_denied_path(layout: Layout) -> None:
    command = ["cat", str(layout.key)]

    control = await LocalEnvironment(str(layout.work)).exec(command)
    assert (control.exit_code, control.stdout) == (0, b"PRIVATE-KEY-MATERIAL\n")

    confined = await sandbox(layout).exec(command)
    assert confined.exit_code != 0
    assert b"PRIVATE-KEY-MATERIAL" not in confined.stdout
    listing = await sandbox(layout).exec(["ls", "-A", str(layout.ssh)])
    assert (listing.exit_code, listing.stdout) == (0, b"")


async def test_no_capability_is_left_to_unmount_what_hides_a_path(layout: Layout) -> None:
    env = sandbox(layout)
    status = await env.exec(["grep", "^CapEff:", "/proc/self/status"])
    assert status.stdout.split() == [b"CapEff:", b"0000000000000000"]
    unmask = await env.exec(["sh", "-c", f"umount {layout.ssh}; cat {layout.key}"])
    assert b"PRIVATE-KEY-MATERIAL" not in unmask.stdout


async def test_a_denied_file_is_unreadable_too(layout: Layout) -> None:
    command = ["cat", str(layout.key)]
    assert (await LocalEnvironment(str(layout.work)).exec(command)).exit_code == 0
    env = SandboxEnvironment(str(layout.work), denied=[str(layout.key)])
    confined = await env.exec(command)
    assert confined.exit_code != 0
    assert b"PRIVATE-KEY-MATERIAL" not in confined.stdout


async def test_file_operations_cannot_read_a_denied_path(layout: Layout) -> None:
    local = LocalEnvironment(str(layout.work))
    assert await local.read_text(str(layout.key)) == "PRIVATE-KEY-MATERIAL\n"

    env = sandbox(layout)
    with pytest.raises(PermissionError, match="hides"):
        await env.read_text(str(layout.key))
    with pytest.raises(PermissionError):
        await env.list_dir(str(layout.ssh))
    with pytest.raises(PermissionError):
        await env.stat(str(layout.key))
    assert not await env.exists(str(layout.key))
    assert await env.read_many([str(layout.key)]) == [None]
    assert await env.stat_many([str(layout.key)]) == [None]
    assert await env.glob("*", root=str(layout.ssh)) == []


async def test_a_symlink_in_the_workspace_does_not_lead_a_read_out(layout: Layout) -> None:
    (layout.work / "key-link").symlink_to(layout.key)
    (layout.work / "ssh-link").symlink_to(layout.ssh)
    local = LocalEnvironment(str(layout.work))
    assert await local.read_text("key-link") == "PRIVATE-KEY-MATERIAL\n"

    env = sandbox(layout)
    with pytest.raises(PermissionError):
        await env.read_text("key-link")
    with pytest.raises(PermissionError):
        await env.read_text("ssh-link/id_ed25519")
    assert await env.glob("**/*", root="ssh-link") == []
    assert await env.read_many(["key-link"]) == [None]


async def test_dotdot_after_a_symlink_cannot_smuggle_a_path_past_the_check(
    layout: Layout,
) -> None:
    # The OS would read "deep/../../.." from the link's target, but the environment
    # removes ".." first: the check must judge the path that is really opened.
    target = layout.work / "a" / "b" / "c"
    target.mkdir(parents=True)
    (layout.work / "deep").symlink_to(target)
    depth = len(layout.work.parts) - 1
    sneaky = "deep/.." + "/.." * depth + str(layout.key)
    local = LocalEnvironment(str(layout.work))
    assert await local.read_text(sneaky) == "PRIVATE-KEY-MATERIAL\n"

    env = sandbox(layout)
    with pytest.raises(PermissionError):
        await env.read_text(sneaky)
    assert await env.read_many([sneaky]) == [None]
    with pytest.raises(PermissionError):
        await env.write_text("deep/.." + "/.." * depth + str(layout.sibling / "x.txt"), "x")
    assert list(layout.sibling.iterdir()) == []


async def test_a_glob_pattern_that_climbs_out_finds_nothing_hidden(layout: Layout) -> None:
    pattern = "../home/.ssh/*"
    assert await LocalEnvironment(str(layout.work)).glob(pattern) == [str(layout.key)]
    assert await sandbox(layout).glob(pattern) == []


async def test_a_glob_from_above_skips_denied_folders(layout: Layout) -> None:
    home = str(layout.ssh.parent)
    (layout.ssh.parent / "notes.txt").write_text("visible")
    local = await LocalEnvironment(str(layout.work)).glob("**/*", root=home)
    assert str(layout.key) in local
    found = await sandbox(layout).glob("**/*", root=home)
    assert found == [os.path.join(home, "notes.txt")]


async def test_the_host_tmp_and_proc_are_hidden_from_file_operations(layout: Layout) -> None:
    # tau's own /proc entry holds its environment, API keys included.
    own_environ = f"/proc/{os.getpid()}/environ"
    assert await LocalEnvironment(str(layout.work)).read_bytes(own_environ)
    with pytest.raises(PermissionError):
        await sandbox(layout).read_bytes(own_environ)


async def test_a_process_cannot_see_tau_or_other_host_processes(layout: Layout) -> None:
    command = ["sh", "-c", f"test -e /proc/{os.getpid()}/environ && echo seen"]
    assert (await LocalEnvironment(str(layout.work)).exec(command)).stdout == b"seen\n"
    assert (await sandbox(layout).exec(command)).stdout == b""


# -- the network ------------------------------------------------------------------


@pytest.fixture
async def listener() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A TCP server on the host's 127.0.0.1 that records what each client sends."""
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(100))
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield port, received


def _connect(port: int) -> list[str]:
    script = (
        "import socket\n"
        f"s = socket.create_connection(('127.0.0.1', {port}), timeout=5)\n"
        "s.sendall(b'hello'); s.close(); print('connected')\n"
    )
    return [_PYTHON, "-c", script]


async def test_a_command_cannot_connect_when_the_network_is_off(
    layout: Layout, listener: tuple[int, list[bytes]]
) -> None:
    port, received = listener

    control = await LocalEnvironment(str(layout.work)).exec(_connect(port), timeout=20)
    assert control.stdout == b"connected\n"
    await _until(lambda: received == [b"hello"])

    confined = await sandbox(layout).exec(_connect(port), timeout=20)
    assert confined.exit_code != 0
    assert b"ConnectionRefusedError" in confined.stdout
    await asyncio.sleep(0.1)
    assert received == [b"hello"]


async def test_the_network_can_be_allowed(
    layout: Layout, listener: tuple[int, list[bytes]]
) -> None:
    port, received = listener
    result = await sandbox(layout, network=True).exec(_connect(port), timeout=20)
    assert result.stdout == b"connected\n"
    await _until(lambda: received == [b"hello"])


async def test_daemon_sockets_in_run_are_out_of_reach(layout: Layout) -> None:
    # Docker, D-Bus and systemd listen on sockets under /run; a read-only mount does
    # not stop connect(), so the sandbox gives each process an empty /run.
    if not os.access("/run", os.W_OK):
        pytest.skip("a socket under /run needs write access to /run")
    path = f"/run/tau-sandbox-test-{os.getpid()}.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen()
    script = f"import socket; socket.socket(socket.AF_UNIX).connect({path!r}); print('connected')"
    try:
        control = await LocalEnvironment(str(layout.work)).exec([_PYTHON, "-c", script])
        assert control.stdout == b"connected\n"
        for network in (False, True):
            confined = await sandbox(layout, network=network).exec([_PYTHON, "-c", script])
            assert b"connected" not in confined.stdout
            assert b"FileNotFoundError" in confined.stdout
    finally:
        server.close()
        os.unlink(path)


async def _until(condition: object) -> None:
    for _ in range(100):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the listener saw nothing")


# -- processes, seen from the host -------------------------------------------------


def _host_processes_running(marker: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


async def test_a_timeout_leaves_no_sandboxed_process_behind_on_the_host(layout: Layout) -> None:
    # The contract checks this from inside; each sandboxed process has its own pid
    # namespace, so here the host looks for the grandchild itself.
    marker = "31.4159"
    result = await sandbox(layout).exec(["sh", "-c", f"sleep {marker} & wait"], timeout=0.5)
    assert result.timed_out
    for _ in range(100):
        if not _host_processes_running(marker):
            break
        await asyncio.sleep(0.05)
    assert _host_processes_running(marker) == []


async def test_killing_a_spawned_process_kills_what_runs_inside(layout: Layout) -> None:
    marker = "27.1828"
    process = await sandbox(layout).spawn(["sh", "-c", f"sleep {marker} & echo up; wait"])
    while b"up" not in process.output().stdout:
        await asyncio.sleep(0.02)
    assert _host_processes_running(marker)
    await process.kill()
    for _ in range(100):
        if not _host_processes_running(marker):
            break
        await asyncio.sleep(0.05)
    assert _host_processes_running(marker) == []
