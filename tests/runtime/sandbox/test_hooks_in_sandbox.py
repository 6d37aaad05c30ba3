"""With the sandbox on, hook commands run inside it: a hook cannot do what the tools cannot."""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.environments import process_sandbox
from tau_cli.runtime.events import Notice, TurnFinished
from tau_cli.runtime.hooks import HookRunner
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.sandbox import SandboxEnvironment
from tau_cli.runtime.settings import HookCommand, HookEvent, HookMatcher
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.testing import ScriptedModelServer

from ..loop_helpers import collect, make_repo, turns


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_repo(tmp_path.resolve() / "repo")


@pytest.fixture
def outside() -> Iterator[Path]:
    """A folder outside the project and outside ``/tmp`` (the sandbox has its own ``/tmp``)."""
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="tau-hook-") as name:
        yield Path(name).resolve()


def _sandbox(project: Path, tau_home: Path) -> SandboxEnvironment:
    settings = load_settings(project, flags={"sandbox.enabled": True}).settings
    sandbox = process_sandbox(settings, project_root=project, tau_home=tau_home)
    assert sandbox is not None
    return sandbox


def _runner(
    project: Path, command: str, sandbox: SandboxEnvironment | None, event: HookEvent = "Stop"
) -> HookRunner:
    return HookRunner(
        {event: [HookMatcher(hooks=[HookCommand(command=command, on_failure="block")])]},
        project_dir=project,
        environ={"PATH": os.environ["PATH"], "HOME": str(project)},
        sandbox=sandbox,
    )


async def test_a_hook_writing_outside_the_project_fails_in_the_sandbox_only(
    project: Path, outside: Path, tau_home: Path
) -> None:
    command = f"touch {outside}/escaped"

    unconfined = await _runner(project, command, None).run("Stop", {})
    assert not unconfined.blocked, unconfined
    assert (outside / "escaped").exists()
    (outside / "escaped").unlink()

    confined = await _runner(project, command, _sandbox(project, tau_home)).run("Stop", {})
    assert confined.blocked  # on_failure: block, so the refused write is visible
    assert "Read-only file system" in (confined.reason or "")
    assert not (outside / "escaped").exists()


async def test_a_sandboxed_hook_still_works_in_the_project(project: Path, tau_home: Path) -> None:
    # It reads the event on stdin, writes in the project and in the sandbox's own /tmp,
    # and its exit code 2 still blocks with stderr for the model.
    command = (
        'cat > "$TAU_PROJECT_DIR/seen.json"; echo scratch > "$TMPDIR/x"; '
        'cat "$TMPDIR/x" >&2; exit 2'
    )
    runner = _runner(project, command, _sandbox(project, tau_home), event="PreToolUse")
    outcome = await runner.run("PreToolUse", {"tool_name": "bash"}, tool_name="bash")
    assert outcome.blocked and outcome.decision == "deny"
    assert outcome.reason == "scratch"
    assert '"tool_name": "bash"' in (project / "seen.json").read_text()


async def test_a_sandboxed_hook_cannot_change_tau_settings(project: Path, tau_home: Path) -> None:
    (project / ".tau").mkdir()
    command = "echo 'hooks: {}' >> .tau/settings.yaml"
    outcome = await _runner(project, command, _sandbox(project, tau_home)).run("Stop", {})
    assert "Read-only file system" in (outcome.reason or "")
    assert not (project / ".tau" / "settings.yaml").exists()


async def test_a_sandboxed_hook_has_no_network_unless_the_sandbox_allows_it(
    project: Path, tau_home: Path
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        connect = f'import socket; socket.create_connection(("127.0.0.1", {port}), 5)'
        command = f"python3 -c '{connect}'"
        assert not (await _runner(project, command, None).run("Stop", {})).blocked

        refused = await _runner(project, command, _sandbox(project, tau_home)).run("Stop", {})
        assert refused.blocked and "ConnectionRefusedError" in (refused.reason or "")

        settings = load_settings(
            project, flags={"sandbox.enabled": True, "sandbox.network": True}
        ).settings
        networked = process_sandbox(settings, project_root=project, tau_home=tau_home)
        assert not (await _runner(project, command, networked).run("Stop", {})).blocked


async def test_the_session_runs_its_hooks_in_the_sandbox_it_was_asked_for(
    project: Path, outside: Path, tmp_path: Path, tau_home: Path
) -> None:
    hook = {"hooks": [{"command": f"touch {outside}/escaped"}]}
    script = turns({"text": "done"})
    with ScriptedModelServer(script) as server:
        env = {
            "HOME": str(tmp_path),
            "TAU_HOME": str(tau_home),
            "PATH": os.environ["PATH"],
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-0000000000",
        }
        flags = {
            "model": "openai:scripted-model",
            "sandbox.enabled": True,
            "hooks": {"UserPromptSubmit": [hook]},
        }
        resolved = load_settings(project, environ=env, flags=flags)
        runtime = await open_runtime(
            resolved, Launch(cwd=project, interaction=NonInteractive()), environ=env
        )
        events = await collect(runtime, "hello")
        await runtime.aclose()

    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert any("Read-only file system" in n for n in notices), notices
    assert not (outside / "escaped").exists()


async def test_a_sandboxed_hook_that_times_out_is_killed_with_all_it_started(
    project: Path, tau_home: Path
) -> None:
    marker = f"{os.getpid()}.271828"  # a sleep no other process runs
    runner = HookRunner(
        {
            "Stop": [
                HookMatcher(
                    hooks=[
                        HookCommand(
                            command=f"sleep {marker} & touch started; sleep 30", timeout="300ms"
                        )
                    ]
                )
            ]
        },
        project_dir=project,
        environ={"PATH": os.environ["PATH"]},
        sandbox=_sandbox(project, tau_home),
    )
    outcome = await runner.run("Stop", {})
    assert "timed out after 0.3s" in outcome.messages[0]
    assert (project / "started").exists()
    assert _gone_within(marker, seconds=5)


async def test_a_hook_let_out_of_the_sandbox_runs_on_this_machine_and_is_named(
    project: Path, outside: Path, tmp_path: Path, tau_home: Path
) -> None:
    confined = {"command": f"touch {outside}/confined"}
    let_out = {"command": f"touch {outside}/let-out", "sandbox": False}
    script = turns({"text": "done"})
    with ScriptedModelServer(script) as server:
        env = {
            "HOME": str(tmp_path),
            "TAU_HOME": str(tau_home),
            "PATH": os.environ["PATH"],
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-0000000000",
        }
        flags = {
            "model": "openai:scripted-model",
            "sandbox.enabled": True,
            "hooks": {"UserPromptSubmit": [{"hooks": [confined, let_out]}]},
        }
        resolved = load_settings(project, environ=env, flags=flags)
        runtime = await open_runtime(
            resolved, Launch(cwd=project, interaction=NonInteractive()), environ=env
        )
        events = await collect(runtime, "hello")
        await runtime.aclose()

    notices = [e.message for e in events if isinstance(e, Notice)]
    assert f"hook 'touch {outside}/let-out' runs outside the sandbox (sandbox: false)" in notices
    assert sorted(p.name for p in outside.iterdir()) == ["let-out"]


def test_an_untrusted_project_cannot_let_a_hook_out(project: Path, tau_home: Path) -> None:
    (project / ".tau").mkdir()
    (project / ".tau" / "settings.yaml").write_text(
        "hooks:\n  Stop:\n    - hooks: [{command: 'true', sandbox: false}]\n"
    )
    resolved = load_settings(project)
    assert resolved.settings.hooks == {}
    assert [i.key for i in resolved.ignored] == ["hooks"]


def _gone_within(marker: str, seconds: float) -> bool:
    """No live process (zombies aside) has ``marker`` in its command line any more."""
    deadline = time.monotonic() + seconds
    while _running(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _running(marker: str) -> bool:
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker.encode() in cmdline and state != "Z":
            return True
    return False
