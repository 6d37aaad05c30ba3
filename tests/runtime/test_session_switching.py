"""A front end switches conversations through the runtime: new, resume, fork, list."""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.testing import ScriptedModelServer

from .loop_helpers import collect, make_repo, runtime_for, turns


def roles(request: dict[str, object]) -> list[str]:
    return [m["role"] for m in request["messages"]]  # type: ignore[index, union-attr]


async def test_new_resume_fork_and_list(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns(
        {"text": "first answer"},
        {"expect": {"last_user_contains": "fresh start"}, "text": "second answer"},
        {"expect": {"last_user_contains": "back again"}, "text": "third answer"},
        {"expect": {"last_user_contains": "in the fork"}, "text": "fourth answer"},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        first = runtime.session_id
        await collect(runtime, "the first question")

        second = await runtime.new_session()
        await collect(runtime, "a fresh start")

        assert await runtime.resume_session(first) == first
        await collect(runtime, "and back again")

        fork = await runtime.fork_session()
        await collect(runtime, "now in the fork")
        listed = runtime.list_sessions()
        requests = [r.json() for r in server.requests]
        await runtime.aclose()

    assert len({first, second, fork}) == 3
    assert roles(requests[1]) == ["system", "user"]  # the new session starts clean
    assert roles(requests[2]) == ["system", "user", "assistant", "user"]  # resumed history
    assert roles(requests[3]) == ["system", "user", "assistant", "user", "assistant", "user"]
    assert requests[1]["messages"][0] == requests[0]["messages"][0]  # same system prompt
    assert {s.id for s in listed} == {first, second, fork}
    assert next(s for s in listed if s.id == second).message_count == 3


async def test_switching_is_refused_while_a_turn_runs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns({"text": "slow " * 50, "chunk_chars": 5, "tokens_per_second": 100})
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        with pytest.raises(RuntimeError, match="cancel it before switching"):
            async for _ in runtime.submit("talk"):
                await runtime.new_session()
        await runtime.aclose()
