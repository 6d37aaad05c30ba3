"""Checkpoints and ``tau rewind``: three turns of edits, writes and shell changes, undone
turn by turn, each time exactly (bytes, created files gone, deleted files back)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pexpect

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, run_tau, tau_env


def files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but the user's own ``.git``, with its exact bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def test_rewind_restores_each_earlier_turn_byte_for_byte(repo: Path) -> None:
    (repo / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    (repo / "data.bin").write_bytes(bytes(range(256)))
    (repo / ".gitignore").write_text("build/\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.o").write_bytes(b"\x7fELF")
    notes, calc = str(repo / "notes.txt"), str(repo / "calc.py")
    raw: list[dict[str, Any]] = [
        # turn 1: write creates a file, edit changes one
        {
            "tool_calls": [
                call("write", file_path=notes, content="first\n"),
                call("read", file_path=calc),
            ]
        },
        {"tool_calls": [call("edit", file_path=calc, old_string="a - b", new_string="a + b")]},
        {"text": "turn one done"},
        # turn 2: a shell command deletes, creates binary files and folders
        {
            "tool_calls": [
                call(
                    "bash",
                    command="rm data.bin && mkdir -p deep/er"
                    " && printf '\\000\\377' > deep/er/new.bin && echo rebuilt > build/out.o",
                )
            ]
        },
        {"text": "turn two done"},
        # turn 3: write over a file, and a shell command appends to another
        {"tool_calls": [call("read", file_path=notes)]},
        {
            "tool_calls": [
                call("write", file_path=notes, content="second\n"),
                call("bash", command="printf 'tail' >> calc.py"),
            ]
        },
        {"text": "turn three done"},
    ]
    states = [files(repo)]
    env = {"TAU_MODEL": "openai:scripted-model", "OPENAI_API_KEY": "sk-test-0000000000000000"}
    with ScriptedModelServer([Turn.model_validate(t) for t in raw]) as server:
        env["OPENAI_BASE_URL"] = f"{server.url}/v1"
        for i, prompt in enumerate(("one", "two", "three")):
            more = ["--continue"] if i else []
            result = run_tau("--permission-mode", "bypass", "run", *more, prompt, cwd=repo, **env)
            assert result.returncode == 0, result.stderr
            states.append(files(repo))
    assert states[1] != states[0] and states[2] != states[1] and states[3] != states[2]
    assert "deep/er/new.bin" in states[2] and "data.bin" not in states[2]

    listing = run_tau("rewind", cwd=repo)
    assert "before: one" in listing.stdout and "before: three" in listing.stdout

    for turn in (3, 2, 1):
        result = run_tau("rewind", str(turn), cwd=repo)
        assert result.returncode == 0, result.stderr
        expected = dict(states[turn - 1])
        # build/ is git-ignored: never recorded, so no rewind touches it.
        expected["build/out.o"] = b"rebuilt\n"
        assert files(repo) == expected
    assert not (repo / "deep").exists()
    assert list((repo / ".git").iterdir()) == []  # the user's own git is never touched
    assert len(list((Path(os.environ["TAU_HOME"]) / "checkpoints").iterdir())) == 1


def test_an_unknown_turn_is_a_clear_error(repo: Path) -> None:
    turn = Turn.model_validate({"text": "hi"})
    with ScriptedModelServer([turn]) as server:
        result = run_tau(
            "run",
            "hello",
            cwd=repo,
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
    assert result.returncode == 0, result.stderr
    refused = run_tau("rewind", "7", cwd=repo)
    assert refused.returncode == 1
    assert "no checkpoint for turn 7 (this session has: 1)" in refused.stderr
    assert "Traceback" not in refused.stderr


def model_env(server: ScriptedModelServer) -> dict[str, str]:
    return {
        "TAU_MODEL": "openai:scripted-model",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0000000000000000",
    }


def test_a_turn_ends_by_saying_which_files_it_changed(repo: Path) -> None:
    (repo / "calc.py").write_text("a\nb\n")
    script = [
        Turn.model_validate(t)
        for t in (
            {
                "tool_calls": [
                    call("bash", command="printf 'a\\nc\\nd\\n' > calc.py; echo x > n.txt")
                ]
            },
            {"text": "done"},
        )
    ]
    with ScriptedModelServer(script) as server:
        result = run_tau(
            "--permission-mode",
            "bypass",
            "run",
            "--output-format",
            "stream-json",
            "change things",
            cwd=repo,
            **model_env(server),
        )
    assert result.returncode == 0, result.stderr
    notices = [
        json.loads(line)["message"]
        for line in result.stdout.splitlines()
        if json.loads(line)["type"] == "notice"
    ]
    assert notices == ["changed 2 files (+3 -1): calc.py, n.txt"]


def test_undo_in_the_chat_puts_the_last_turn_back(repo: Path) -> None:
    (repo / "calc.py").write_text("original\n")
    script = [
        Turn.model_validate(t)
        for t in (
            {"tool_calls": [call("bash", command="echo changed > calc.py; echo new > made.txt")]},
            {"text": "Changed it."},
        )
    ]
    with ScriptedModelServer(script) as server:
        child = pexpect.spawn(
            TAU,
            ["--permission-mode", "bypass", "chat", "--plain"],
            cwd=str(repo),
            env=tau_env(TERM="xterm", **model_env(server)),
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 160),
        )
        child.expect("local \\(no sandbox\\) · /help for commands")
        child.sendline("change calc")
        child.expect("Changed it.")
        assert (repo / "made.txt").exists()
        child.sendline("/undo")
        child.expect("undone: restored calc.py, deleted made.txt")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
        child.close()

    assert child.exitstatus == 0
    assert (repo / "calc.py").read_bytes() == b"original\n"
    assert not (repo / "made.txt").exists()


def test_without_git_each_turn_warns_that_it_has_no_checkpoint(repo: Path) -> None:
    script = [Turn.model_validate({"text": "hi"})]
    with ScriptedModelServer(script) as server:
        result = run_tau(
            "run",
            "--output-format",
            "stream-json",
            "hello",
            cwd=repo,
            PATH=str(repo),
            **model_env(server),
        )
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    notices = [e["message"] for e in events if e["type"] == "notice"]
    assert notices == ["no checkpoint for this turn: checkpoints need git, which is not installed"]
    assert events[-1]["type"] == "turn_finished" and events[-1]["reason"] == "completed"


def test_rewind_can_take_the_conversation_back_too(repo: Path) -> None:
    from tau_cli.session import SessionStore

    raw: list[dict[str, Any]] = [
        {"tool_calls": [call("bash", command="echo 1 > one.txt")]},
        {"text": "made one"},
        {"tool_calls": [call("bash", command="echo 2 > two.txt")]},
        {"text": "made two"},
        {"expect": {"last_user_contains": "instead"}, "text": "fresh start"},
    ]
    with ScriptedModelServer([Turn.model_validate(t) for t in raw]) as server:
        for i, prompt in enumerate(("one", "two")):
            more = ["--continue"] if i else []
            done = run_tau(
                "--permission-mode", "bypass", "run", *more, prompt, cwd=repo, **model_env(server)
            )
            assert done.returncode == 0, done.stderr
        original = SessionStore().list(repo)[0].id

        rewound = run_tau("rewind", "2", "--conversation", cwd=repo)
        assert rewound.returncode == 0, rewound.stderr
        assert "deleted  two.txt" in rewound.stdout
        assert "continues as session" in rewound.stdout
        assert not (repo / "two.txt").exists() and (repo / "one.txt").exists()

        again = run_tau("run", "--continue", "do it instead", cwd=repo, **model_env(server))
        assert again.returncode == 0, again.stderr
        assert again.stdout == "fresh start\n"

    def prompts(session_id: str) -> list[str]:
        messages = SessionStore().load(session_id).session.messages
        return [m.text for m in messages if m.role == "user"]

    newest = SessionStore().list(repo)[0].id
    assert newest != original
    assert prompts(newest) == ["one", "do it instead"]
    assert prompts(original) == ["one", "two"]
