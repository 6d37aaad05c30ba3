"""Deploy mode's command line: ``tau acp`` in a container, this host's tau mounted if need be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import tau_cli
from tau_cli.runtime.container import default_ulimits
from tau_cli.runtime.deploy import HostTau, deploy_argv


def test_the_runtime_starts_interactively_in_the_workspace_with_keys_passed_by_name(
    tmp_path: Path,
) -> None:
    argv = deploy_argv(
        "localhost/tau:1",
        workspace=tmp_path / "project",
        tau_home=tmp_path / "home" / ".tau",
        engine="podman",
        environ={"OPENAI_API_KEY": "sk-secret-value", "TAU_MODEL": "openai:x", "OTHER": "1"},
    )
    assert argv[:4] == ["podman", "run", "-i", "--rm"]
    assert argv[-5:] == ["-w", str(tmp_path / "project"), "localhost/tau:1", "tau", "acp"]
    assert f"{tmp_path / 'project'}:{tmp_path / 'project'}:rw" in argv
    assert f"{tmp_path / 'home' / '.tau'}:{tmp_path / 'home' / '.tau'}:rw" in argv
    assert f"TAU_HOME={tmp_path / 'home' / '.tau'}" in argv
    # Keys travel by name (the engine copies them), never as values on the command line.
    at = argv.index("OPENAI_API_KEY")
    assert argv[at - 1 : at + 1] == ["-e", "OPENAI_API_KEY"]
    assert not any("sk-secret-value" in part for part in argv)
    assert "OTHER" not in " ".join(argv)
    assert argv[argv.index("--network") + 1] == "host"


def test_the_hosts_python_and_tau_are_mounted_read_only_and_run(tmp_path: Path) -> None:
    host = HostTau.current()
    assert host.python == sys.executable
    package_parent = str(Path(tau_cli.__file__).resolve().parent.parent)
    assert any(package_parent.startswith(folder) for folder in host.folders)
    argv = deploy_argv(
        "localhost/img:1",
        workspace=tmp_path,
        tau_home=tmp_path / ".tau",
        engine="docker",
        environ={},
        host_tau=host,
    )
    assert argv[-5:] == ["localhost/img:1", sys.executable, "-m", "tau_cli", "acp"]
    for folder in host.folders:
        assert f"{folder}:{folder}:ro" in argv
    nested = [a for a in host.folders for b in host.folders if a != b and a.startswith(b + "/")]
    assert nested == []


def test_this_tau_runs_inside_the_test_image(tmp_path: Path, image: str, engine: str) -> None:
    project = tmp_path.resolve() / "project"
    project.mkdir()
    (project / ".git").mkdir()
    (tmp_path / ".tau").mkdir()
    (tmp_path / ".tau" / "settings.yaml").write_text("small_model: ollama:from-settings\n")
    environ = {"TAU_MODEL": "ollama:from-environment"}
    argv = deploy_argv(
        image,
        workspace=project,
        tau_home=tmp_path.resolve() / ".tau",
        engine=engine,
        environ=environ,
        host_tau=HostTau.current(),
        ulimits=default_ulimits(),
        tau_args=("config", "show", "--json"),
    )
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **environ},
    )
    assert done.returncode == 0, done.stderr
    # The whole application ran inside: it read the mounted tau home, the variable
    # passed by name, and took the mounted workspace as its project.
    shown = json.loads(done.stdout)
    assert shown["settings"]["small_model"] == "ollama:from-settings"
    assert shown["settings"]["model"] == "ollama:from-environment"
    assert shown["project_root"] == str(project)


def test_the_dockerfile_copies_files_that_exist_and_starts_tau_acp() -> None:
    """The image is not built here (no registry); what it copies and runs is checked."""
    root = Path(__file__).resolve().parents[3]
    lines = (root / "Dockerfile").read_text().splitlines()
    copied = [line.split()[1] for line in lines if line.startswith("COPY ")]
    assert copied and all((root / source).exists() for source in copied)
    assert 'CMD ["tau", "acp"]' in lines


async def test_the_chat_attached_to_tau_in_a_container_completes_a_task(
    tmp_path: Path, image: str, engine: str
) -> None:
    """Deploy mode end to end: ``tau acp`` runs in the test image (this host's Python and
    tau mounted read-only), the full-screen chat here drives it over ACP, the approval
    is asked here, and the command runs in the container on the mounted workspace."""
    from tau_cli.agent import Turn
    from tau_cli.api import AcpRuntimeClient
    from tau_cli.testing import ScriptedModelServer
    from tau_cli.tui import PermissionPrompt, TauApp, TuiInteraction
    from tau_cli.tui.widgets import Answer
    from tests.tui.conftest import wait_for

    project = tmp_path.resolve() / "project"
    (project / ".git").mkdir(parents=True)
    home = tmp_path.resolve() / ".tau"
    home.mkdir()
    where_runs = {"name": "bash", "arguments": {"command": "cat /proc/1/comm | tee where"}}
    script = [
        Turn.model_validate({"tool_calls": [where_runs]}),
        Turn.model_validate({"expect": {"last_tool_result_contains": "\n"}, "text": "Written."}),
    ]
    interaction = TuiInteraction()
    with ScriptedModelServer(script) as server:
        environ = {
            **os.environ,
            "TAU_HOME": str(home),
            "TAU_MODEL": "openai:scripted-model",
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-0000000000000000",
        }
        argv = deploy_argv(
            image,
            workspace=project,
            tau_home=home,
            engine=engine,
            environ=environ,
            host_tau=HostTau.current(),
            ulimits=default_ulimits(),
        )
        client = await AcpRuntimeClient.start(
            argv, cwd=project, interaction=interaction, environ=environ
        )
        try:
            app = TauApp(
                client,
                interaction,
                model="tau in a container",
                location="~/project",
                mode=client.mode,
                root=str(project),
            )
            async with app.run_test(size=(100, 30)) as pilot:
                app.prompt_input.text = "note where you run"
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.focused, PermissionPrompt), seconds=60)
                await pilot.press("y")
                await wait_for(pilot, lambda: not app.working, seconds=60)
                answers = [a.text for a in app.query(Answer)]
        finally:
            await client.aclose()

    assert answers == ["Written."]
    # the command ran in the container, whose first process is the runtime itself (here
    # it is something else), and the model was shown what it printed
    where = (project / "where").read_text().strip()
    assert where.startswith("python")
    assert where != Path("/proc/1/comm").read_text().strip()
    assert where in server.requests[-1].body.decode()
    assert server.turns_left == 0
