"""``tau --version`` and ``tau --help`` stay instant: no heavy imports on those paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import tau_cli
from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

HEAVY = ["textual", "httpx", "mcp", "yaml", "prompt_toolkit"]

_PROBE = """
import json, sys
sys.argv = ["tau"] + ARGS
from tau_cli.__main__ import start
try:
    start()
except SystemExit:
    pass
loaded = [name for name, module in sys.modules.items() if module is not None]
sys.__stderr__.write(json.dumps(sorted(name.split(".")[0] for name in loaded)))
"""


def _modules_after(*args: str, env: dict[str, str] | None = None) -> set[str]:
    code = _PROBE.replace("ARGS", repr(list(args)))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_version_prints_the_version_without_loading_the_cli_framework() -> None:
    modules = _modules_after("--version")
    assert "typer" not in modules
    assert "click" not in modules
    assert "pydantic" not in modules
    for name in HEAVY:
        assert name not in modules


@pytest.mark.parametrize("args", [("--help",), ("config", "--help")])
def test_help_does_not_import_heavy_modules(args: tuple[str, ...]) -> None:
    modules = _modules_after(*args)
    assert "typer" in modules  # the probe really went through the CLI
    for name in HEAVY:
        assert name not in modules, f"{name} imported by tau {' '.join(args)}"


def test_version_output() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tau_cli", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.stdout == f"tau {tau_cli.__version__}\n"


def test_run_talks_to_the_model_without_httpx_command_line_client() -> None:
    with ScriptedModelServer([Turn(text="done")]) as server:
        env = {
            **os.environ,
            "TAU_MODEL": "openai:scripted-model",
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-0000",
        }
        modules = _modules_after("run", "hi", env=env)
        assert len(server.requests) == 1  # the run really reached the model over httpx

    assert "httpx" in modules
    assert "click" not in modules
    assert "pygments" not in modules


def test_resume_may_stand_without_its_id_on_the_main_command_only() -> None:
    from tau_cli.cli.prompt_group import _resume_without_id

    commands = {"run", "chat"}
    assert _resume_without_id(["--resume"], commands) == ["--resume="]
    assert _resume_without_id(["-r", "--model", "x:y"], commands) == ["--resume=", "--model", "x:y"]
    assert _resume_without_id(["--resume", "3f2a9c1d"], commands) == ["--resume", "3f2a9c1d"]
    assert _resume_without_id(["--resume", "fix the bug"], commands) == [
        "--resume=",
        "fix the bug",
    ]
    assert _resume_without_id(["run", "--resume"], commands) == ["run", "--resume"]


def test_start_up_holds_the_garbage_collector_and_then_gives_it_back() -> None:
    code = """
import gc, time
from tau_cli.__main__ import _hold_collector
_hold_collector(0.05)
held = gc.isenabled()
deadline = time.monotonic() + 10
while not gc.isenabled() and time.monotonic() < deadline:
    time.sleep(0.01)
print(held, gc.isenabled(), gc.get_freeze_count() > 0)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["False", "True", "True"]


def test_tau_leaves_a_users_pydantic_plugin_setting_alone() -> None:
    code = """
import os, sys
from tau_cli.__main__ import _skip_pydantic_plugins
_skip_pydantic_plugins()
print(os.environ["PYDANTIC_DISABLE_PLUGINS"])
"""
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "logfire"}
    kept = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    env.pop("PYDANTIC_DISABLE_PLUGINS")
    unset = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert (kept.stdout.strip(), unset.stdout.strip()) == ("logfire", "__all__")


def test_the_quick_exit_keeps_sys_exits_meaning(capsys: pytest.CaptureFixture[str]) -> None:
    from tau_cli.__main__ import _status

    assert [_status(None), _status(0), _status(3)] == [0, 0, 3]
    assert _status("tau: no such session") == 1
    assert capsys.readouterr().err == "tau: no such session\n"


def test_the_quick_exit_still_runs_exit_handlers_and_flushes_output() -> None:
    code = """
import atexit, sys, threading, time
import tau_cli.__main__ as entry
def late():
    time.sleep(0.2)
    sys.stdout.write("thread done\\n")
atexit.register(lambda: sys.stdout.write("handler ran\\n"))
entry.start = lambda: (threading.Thread(target=late).start(), sys.stdout.write("x" * 100000))
entry.main()
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.startswith("x" * 100000)
    assert result.stdout.endswith("thread done\nhandler ran\n")
