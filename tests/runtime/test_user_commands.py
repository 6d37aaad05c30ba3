"""What a user types besides prompts, run through the shared command table on a real
runtime: ``!command``, ``#note``, ``@`` mentions, MCP prompts and the slash commands
that ask the runtime for something (``/model``, ``/compact``, ``/permissions``, ...)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tau_cli.core import QuestionAnswer
from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.commands import interpret
from tau_cli.runtime.events import Notice, TurnFinished
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import ScriptedPerson, collect, make_repo, runtime_for, turns

DOCS_SERVER = Path(__file__).parent / "servers" / "docs_mcp.py"
MODES = ("default", "accept_edits", "plan")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def _sent(server: ScriptedModelServer, index: int = -1) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = server.requests[index].json()["messages"]
    return messages


def _text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content)


async def _run(runtime: Runtime, text: str) -> str:
    outcome = await interpret(runtime, text, modes=MODES)
    assert outcome is not None, f"{text!r} was not taken as a command"
    return outcome.text


async def test_a_shell_command_the_user_runs_is_in_the_models_next_request(repo: Path) -> None:
    script = turns(
        {"expect": {"last_user_contains": "what did it say?"}, "text": "It said hello."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        outcome = await interpret(runtime, "!echo hello from the user", modes=MODES)
        assert outcome is not None and outcome.action == "shell"
        assert outcome.result is not None and "hello from the user" in outcome.result.text
        await collect(runtime, "what did it say?")
        await runtime.aclose()

    texts = [_text(m) for m in _sent(server) if m["role"] == "user"]
    assert any(
        "$ echo hello from the user" in t and "hello from the user\n" in t + "\n" for t in texts
    )
    assert not server.turns_left


async def test_a_note_goes_to_the_projects_memory_file(repo: Path) -> None:
    with ScriptedModelServer(turns()) as server:
        runtime = runtime_for(repo, server)
        said = await _run(runtime, "#  always run the tests with -q ")
        await runtime.aclose()
    assert said == "remembered in TAU.md"
    assert (repo / "TAU.md").read_text() == "- always run the tests with -q\n"
    assert not server.requests


async def test_undo_takes_back_the_turn_but_keeps_a_note_taken_after_it(repo: Path) -> None:
    (repo / "TAU.md").write_text("# Project\n")
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "echo broken > calc.py"}}]},
        {"text": "Changed it."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings={"permissions": {"allow": ["Bash"]}})
        await collect(runtime, "change calc")
        assert await _run(runtime, "#the adder must stay pure") == "remembered in TAU.md"
        said = await _run(runtime, "/undo")
        await runtime.aclose()

    assert said == "undone: restored calc.py; kept your note in TAU.md"
    assert (repo / "calc.py").read_text().startswith("def add(a, b):")
    assert (repo / "TAU.md").read_text() == "# Project\n- the adder must stay pure\n"


async def test_undo_does_not_write_a_note_twice_when_the_memory_file_is_ignored(
    repo: Path,
) -> None:
    (repo / ".gitignore").write_text("TAU.md\n")  # never in the snapshots: undo leaves it
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "echo broken > calc.py"}}]},
        {"text": "Changed it."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings={"permissions": {"allow": ["Bash"]}})
        await collect(runtime, "change calc")
        await _run(runtime, "#the adder must stay pure")
        await _run(runtime, "/undo")
        await runtime.aclose()

    assert (repo / "TAU.md").read_text() == "- the adder must stay pure\n"


async def test_a_mentioned_file_is_attached_and_a_denied_one_is_not(repo: Path) -> None:
    (repo / "secret.txt").write_text("the password is swordfish\n")
    script = turns(
        {"expect": {"last_user_contains": "return a - b"}, "text": "It subtracts."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(
            repo, server, settings={"permissions": {"deny": ["Read(secret.txt)"]}}
        )
        events = await collect(runtime, "why does @calc.py fail? see @secret.txt, ask @everyone")
        await runtime.aclose()

    (user,) = [m for m in _sent(server) if m["role"] == "user"]
    sent = _text(user)
    assert sent.startswith("why does @calc.py fail? see @secret.txt, ask @everyone")
    assert '<file path="calc.py">\ndef add(a, b):\n    return a - b\n' in sent
    assert "swordfish" not in sent
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert "attached calc.py" in notices
    assert "not attached: secret.txt a deny rule keeps it from being read" in notices
    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"


async def test_completion_offers_the_files_git_would_show(repo: Path) -> None:
    (repo / ".gitignore").write_text("build/\n*.log\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.py").write_text("")
    (repo / "run.log").write_text("")
    (repo / "src").mkdir()
    (repo / "src" / "main.py").write_text("")
    with ScriptedModelServer(turns()) as server:
        runtime = runtime_for(repo, server)
        files = (await runtime.completions()).files
        await runtime.aclose()
    assert "calc.py" in files and "src/main.py" in files and ".gitignore" in files
    assert "build/out.py" not in files and "run.log" not in files


async def test_model_switches_the_model_for_the_next_prompt(repo: Path) -> None:
    script = turns({"text": "From the first."}, {"text": "From the second."})
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        await collect(runtime, "one")
        assert await _run(runtime, "/model") == "model: openai:scripted-model"
        assert await _run(runtime, "/model openai:another-model") == "model: openai:another-model"
        await collect(runtime, "two")
        bad = await _run(runtime, "/model not-a-model")
        await runtime.aclose()

    assert [r.json()["model"] for r in server.requests] == ["scripted-model", "another-model"]
    assert "not a model reference" in bad
    assert runtime.describe().model == "openai:another-model"


async def test_compact_condenses_older_turns_now(repo: Path) -> None:
    long = "word " * 1600
    script = turns(
        {"text": long},
        {"text": long},
        {"text": long},
        {"expect": {"last_user_contains": "and now?"}, "text": "Short again."},
    )
    settings = {"models": {"openai:scripted-model": {"capabilities": {"context_window": 16000}}}}
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings)
        assert await _run(runtime, "/compact") == "nothing to compact yet"
        for prompt in ("first", "second", "third"):
            await collect(runtime, prompt)
        said = await _run(runtime, "/compact")
        await collect(runtime, "and now?")
        await runtime.aclose()

    assert said.startswith("context compacted: ")
    before, after = (
        int(n.replace(",", "")) for n in said.split(": ")[1].split(" tokens")[0].split(" → ")
    )
    assert after < before
    assert len(_sent(server, -1)) < len(_sent(server, -2)) + 2  # older turns left out


async def test_permissions_lists_each_rule_with_where_it_was_set(repo: Path) -> None:
    settings = {"permissions": {"allow": ["Bash(git status)"], "deny": ["Read(.env)"]}}
    with ScriptedModelServer(turns()) as server:
        runtime = runtime_for(repo, server, settings=settings)
        runtime.loop.policy.add_rule("Bash(ls)")  # "allow for this session"
        said = await _run(runtime, "/permissions")
        await runtime.aclose()
    lines = said.splitlines()
    assert lines[0].startswith("deny   read(.env)") and "settings.yaml" in lines[0]
    assert lines[1].startswith("allow  bash(git status)") and "project" in lines[1]
    assert lines[2].split() == ["allow", "bash(ls)", "this", "session"]
    assert len(lines) == 3  # tau's own conversation-only tools are not listed


async def test_cost_and_sessions(repo: Path) -> None:
    usage = {"prompt_tokens": 1200, "completion_tokens": 80}
    script = turns({"text": "First.", "usage": usage}, {"text": "Second.", "usage": usage})
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        await collect(runtime, "the first conversation")
        first = runtime.session_id
        cleared = await interpret(runtime, "/clear", modes=MODES)
        await collect(runtime, "the second conversation")
        cost = await _run(runtime, "/cost")
        listing = await interpret(runtime, "/sessions", modes=MODES)
        resumed = await interpret(runtime, "/resume 2", modes=MODES)
        await runtime.aclose()

    assert cleared is not None and cleared.action == "cleared"
    assert cost.startswith("1,280 tokens: 1,200 in (0 cached), 80 out")
    assert listing is not None and listing.action == "pick_session"
    assert [s.id for s in listing.sessions][1] == first
    assert resumed is not None and resumed.action == "resumed"
    assert runtime.session_id == first
    assert [m.text for m in runtime.messages() if m.role == "user"] == ["the first conversation"]


async def test_unknown_commands_and_paths(repo: Path) -> None:
    with ScriptedModelServer(turns()) as server:
        runtime = runtime_for(repo, server)
        unknown = await _run(runtime, "/frobnicate")
        a_path = await interpret(runtime, "/etc/hosts looks wrong", modes=MODES)
        a_skill = await interpret(runtime, "/review the diff", modes=MODES, extra={"/review"})
        await runtime.aclose()
    assert unknown == "unknown command /frobnicate; /help lists them"
    assert a_path is None and a_skill is None  # both are prompts for the model


async def _docs_runtime(repo: Path, server: ScriptedModelServer, person: ScriptedPerson) -> Runtime:
    env = {
        "HOME": str(repo.parent),
        "TAU_HOME": str(repo.parent / "tau-home"),
        "PATH": "/usr/bin:/bin",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0000000000",
    }
    flags = {
        "model": "openai:scripted-model",
        "mcp_servers": {"docs": {"command": sys.executable, "args": [str(DOCS_SERVER)]}},
    }
    resolved = load_settings(repo, environ=env, flags=flags)
    return await open_runtime(resolved, Launch(cwd=repo, interaction=person), environ=env)


async def test_mcp_prompts_resources_and_server_status(repo: Path) -> None:
    script = turns(
        {
            "expect": {"last_user_contains": "handles error handling, in a plain tone"},
            "text": "Reviewed.",
        },
        {"expect": {"last_user_contains": "handles logging, in a plain tone"}, "text": "Again."},
        {"expect": {"last_user_contains": "names say what things are"}, "text": "Guided."},
    )
    person = ScriptedPerson(answers=[QuestionAnswer(text="logging")])
    with ScriptedModelServer(script) as server:
        runtime = await _docs_runtime(repo, server, person)
        try:
            offered = await runtime.completions()
            status = await _run(runtime, "/mcp")
            first = await collect(runtime, '/mcp__docs__review topic="error handling"')
            second = await collect(runtime, "/mcp__docs__review")  # the topic is asked for
            third = await collect(runtime, "follow @docs:docs://guide please")
            missing = await collect(runtime, "/mcp__docs__nothing")
        finally:
            await runtime.aclose()

    review = next(c for c in offered.commands if c.name == "/mcp__docs__review")
    assert review.source == "mcp" and review.arguments == ("topic", "tone")
    assert offered.resources == ["@docs:docs://guide"]
    assert status.startswith("docs  stdio  connected  0 tools")
    assert person.questions[0].question.startswith("/mcp__docs__review needs topic")
    for events in (first, second, third):
        end = events[-1]
        assert isinstance(end, TurnFinished) and end.reason == "completed", end
    end = missing[-1]
    assert isinstance(end, TurnFinished) and end.error is not None
    assert end.error.message == "MCP server 'docs' has no prompt 'nothing'"
    assert not server.turns_left
