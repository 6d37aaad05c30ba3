"""``tau run`` as scripts and people use it: a real process, a model over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pexpect
import pytest
from pydantic import TypeAdapter

from tau_cli.agent import Turn
from tau_cli.runtime.events import RuntimeEvent
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, run_tau, tau_env


def turns(*raw: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in raw]


@pytest.fixture
def project(repo: Path) -> Path:
    (repo / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    return repo


def model_env(server: ScriptedModelServer) -> dict[str, str]:
    return {
        "TAU_MODEL": "openai:scripted-model",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0000000000000000",
    }


def test_the_answer_goes_to_stdout_and_success_exits_0(project: Path) -> None:
    script = turns(
        {"tool_calls": [{"name": "read", "arguments": {"file_path": str(project / "calc.py")}}]},
        {"expect": {"last_tool_result_contains": "a - b"}, "text": "add subtracts."},
    )
    with ScriptedModelServer(script) as server:
        result = run_tau("run", "what does add do?", cwd=project, **model_env(server))

    assert result.returncode == 0, result.stderr
    assert result.stdout == "add subtracts.\n"


def test_without_a_terminal_an_unapproved_command_is_denied_not_waited_for(
    project: Path,
) -> None:
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch made-it"}}]},
        {
            "expect": {"last_tool_result_contains": "cannot ask for permission"},
            "text": "I was not allowed.",
        },
    )
    with ScriptedModelServer(script) as server:
        result = run_tau("run", "make a file", cwd=project, **model_env(server))

    assert result.returncode == 0, result.stderr
    assert not (project / "made-it").exists()
    assert result.stdout == "I was not allowed.\n"


def test_json_output_carries_result_usage_and_session(project: Path) -> None:
    script = turns({"text": "hello", "usage": {"prompt_tokens": 50, "completion_tokens": 2}})
    with ScriptedModelServer(script) as server:
        result = run_tau("run", "--output-format", "json", "hi", cwd=project, **model_env(server))

    payload = json.loads(result.stdout)
    assert payload["result"] == "hello"
    assert payload["reason"] == "completed"
    assert payload["usage"]["prompt_tokens"] == 50
    assert len(payload["session_id"]) == 32


def test_stream_json_prints_every_event_as_one_json_line(project: Path) -> None:
    script = turns(
        {"tool_calls": [{"name": "glob", "arguments": {"pattern": "*.py"}}]},
        {"text": "one python file"},
    )
    with ScriptedModelServer(script) as server:
        result = run_tau(
            "run", "--output-format", "stream-json", "list", cwd=project, **model_env(server)
        )

    adapter: TypeAdapter[Any] = TypeAdapter(RuntimeEvent)
    events = [adapter.validate_json(line) for line in result.stdout.splitlines()]
    kinds = [e.type for e in events]
    assert kinds[0] == "turn_started" and kinds[-1] == "turn_finished"
    assert "tool_started" in kinds and "tool_finished" in kinds
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


def test_the_prompt_can_come_on_stdin(project: Path) -> None:
    import subprocess

    script = turns({"expect": {"last_user_contains": "from a pipe"}, "text": "got it"})
    with ScriptedModelServer(script) as server:
        result = subprocess.run(
            [TAU, "run"],
            input="a task from a pipe\n",
            cwd=project,
            env=tau_env(**model_env(server)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "got it\n"


def test_no_model_configured_is_one_clear_error(project: Path) -> None:
    result = run_tau("run", "hi", cwd=project)
    assert result.returncode == 1
    assert "no model is configured" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_iteration_limit_exits_4(project: Path) -> None:
    glob = {"name": "glob", "arguments": {"pattern": "*"}}
    script = turns({"tool_calls": [glob]}, {"tool_calls": [glob]})
    with ScriptedModelServer(script) as server:
        result = run_tau("run", "--max-iterations", "1", "loop", cwd=project, **model_env(server))
    assert result.returncode == 4
    assert "max iterations" in result.stderr


def test_in_a_terminal_permission_is_asked_inline(project: Path) -> None:
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch approved"}}]},
        {"expect": {"last_tool_result_contains": "(no output)"}, "text": "Created it."},
    )
    with ScriptedModelServer(script) as server:
        child = pexpect.spawn(
            TAU,
            ["run", "make the file"],
            cwd=str(project),
            env=tau_env(TERM="xterm", **model_env(server)),
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 160),
        )
        child.expect("tau asks to use bash · Run: touch approved")
        child.expect(r"\[y\]es")
        child.sendline("y")
        child.expect("Created it.")
        child.expect(pexpect.EOF)
        child.close()

    assert child.exitstatus == 0
    assert (project / "approved").exists()


def test_the_plain_chat_streams_answers_and_remembers_notes(project: Path) -> None:
    script = turns(
        {"tool_calls": [{"name": "read", "arguments": {"file_path": str(project / "calc.py")}}]},
        {"expect": {"last_tool_result_contains": "a - b"}, "text": "add subtracts b from a."},
        {"expect": {"last_user_contains": "and now?"}, "text": "Still subtracting."},
    )
    with ScriptedModelServer(script) as server:
        child = pexpect.spawn(
            TAU,
            ["chat", "--plain"],
            cwd=str(project),
            env=tau_env(TERM="xterm", **model_env(server)),
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 160),
        )
        child.expect("/help for commands")
        child.sendline("what does add do?")
        child.expect("read /")
        child.expect("add subtracts b from a.")
        child.sendline("# the calc module is legacy")
        child.expect("remembered in TAU.md")
        child.sendline("/memory")
        child.expect("TAU.md  project")
        child.sendline("and now?")
        child.expect("Still subtracting.")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
        child.close()

    assert child.exitstatus == 0
    assert (project / "TAU.md").read_text() == "- the calc module is legacy\n"
    assert server.turns_left == 0


def test_sessions_can_be_listed_shown_continued_and_deleted(project: Path) -> None:
    script = turns(
        {"text": "The first answer."},
        {"expect": {"last_user_contains": "second question"}, "text": "The second answer."},
    )
    with ScriptedModelServer(script) as server:
        first = run_tau(
            "run", "--output-format", "json", "first question", cwd=project, **model_env(server)
        )
        again = run_tau("run", "--continue", "second question", cwd=project, **model_env(server))
        requests = [r.json() for r in server.requests]
    assert first.returncode == 0 and again.returncode == 0, again.stderr
    # the continued run sent the whole conversation, answer included
    assert [m["role"] for m in requests[1]["messages"]] == ["system", "user", "assistant", "user"]

    session_id = json.loads(first.stdout)["session_id"][:12]
    listed = run_tau("sessions", "list", cwd=project)
    assert listed.returncode == 0
    assert "first question" in listed.stdout
    assert session_id in listed.stdout

    shown = run_tau("sessions", "show", session_id, cwd=project)
    assert "user: first question" in shown.stdout
    assert "assistant: The second answer." in shown.stdout

    deleted = run_tau("sessions", "delete", session_id, cwd=project)
    assert deleted.returncode == 0
    assert "No sessions" in run_tau("sessions", "list", cwd=project).stdout


def test_resuming_an_unknown_session_is_a_clear_error(project: Path) -> None:
    with ScriptedModelServer(turns({"text": "unused"})) as server:
        result = run_tau("run", "--resume", "nope", "hi", cwd=project, **model_env(server))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nope" in result.stderr


def test_run_takes_the_model_rules_and_folder_after_the_subcommand_too(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".git").mkdir(parents=True)
    (elsewhere / "only-here.txt").write_text("the folder --cwd named\n")
    script = [
        Turn.model_validate(
            {"tool_calls": [{"name": "bash", "arguments": {"command": "cat only-here.txt"}}]}
        ),
        Turn.model_validate(
            {
                "expect": {"last_tool_result_contains": "the folder --cwd named"},
                "tool_calls": [{"name": "bash", "arguments": {"command": "touch made"}}],
            }
        ),
        Turn.model_validate(
            {"expect": {"last_tool_result_contains": "Permission denied"}, "text": "Refused."}
        ),
    ]
    with ScriptedModelServer(script) as server:
        result = run_tau(
            "run",
            "--model",
            "openai:chosen-model",
            "--permission-mode",
            "bypass",
            "--deny",
            "Bash(touch:*)",
            "--cwd",
            str(elsewhere),
            "make a file",
            cwd=tmp_path,
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Refused."
    assert server.requests[0].json()["model"] == "chosen-model"
    assert not (elsewhere / "made").exists()  # deny beats bypass, in the folder given
