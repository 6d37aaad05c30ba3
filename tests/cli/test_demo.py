"""``tau --model scripted:demo``: the recorded tour a newcomer can watch without a model."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pexpect

from tau_cli.agent import Script, ScriptedProvider
from tau_cli.agent.script import script_path

from .conftest import TAU, run_tau, tau_env


def test_the_demo_ships_with_tau_and_says_it_is_a_recording() -> None:
    script = Script.load(script_path("demo"))
    texts = [turn.text for turn in script.turns]
    assert all("recording" in t.lower() or "recorded demo" in t.lower() for t in texts)
    called = [call.name for turn in script.turns for call in turn.tool_calls]
    assert called == ["glob", "grep", "bash", "enter_plan_mode", "propose_plan"]
    assert ScriptedProvider("demo").name == "scripted:demo"


def test_a_file_named_like_the_demo_wins_over_the_shipped_one(tmp_path: Path) -> None:
    own = tmp_path / "demo"
    own.write_text("turns: [{text: mine}]\n")
    assert script_path(own) == own
    assert script_path("demo").name == "demo.yaml"


def test_the_demo_completes_in_tau_run(repo: Path) -> None:
    (repo / "notes.md").write_text("# Notes\n")
    result = run_tau(
        "--model", "scripted:demo", "run", "--output-format", "json", "show me", cwd=repo
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["reason"] == "completed"
    assert payload["result"].startswith("That was the tour, and it was a recording")
    # Nobody could approve: the command was refused and the plan left unapproved.
    assert not list(repo.glob("ls*"))
    assert len(list((repo / ".tau" / "plans").glob("*.md"))) == 1


def test_the_demo_plays_in_the_plain_chat_with_an_approval_and_a_plan(repo: Path) -> None:
    (repo / "app.py").write_text("def main():\n    pass\n")
    child = pexpect.spawn(
        TAU,
        ["--model", "scripted:demo", "chat", "--plain"],
        cwd=str(repo),
        env=tau_env(TERM="xterm"),
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )
    child.expect("scripted:demo")
    child.sendline("hello")
    child.expect_exact("(Recorded demo: no model is running.")
    child.expect_exact("→ glob")
    child.expect_exact("→ grep")
    child.expect_exact("tau asks to use bash · Run: ls -la")
    child.expect_exact("[y]es")
    child.sendline("y")
    child.expect(r"→ .*ls -la")  # approved, so it runs
    child.expect_exact("Try tau with a real model")
    child.expect_exact("Approve this plan?")
    child.sendline("y")
    child.expect_exact("That was the tour, and it was a recording")
    child.sendline("/exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_the_package_data_puts_the_demo_in_the_wheel() -> None:
    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["tau_cli"]
    package = root / "tau_cli"
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    assert script_path("demo") in shipped
