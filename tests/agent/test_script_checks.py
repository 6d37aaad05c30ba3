"""The strictness rules both scripted models apply, on any dialect's messages."""

from __future__ import annotations

from tau_cli.agent import SeenMessage, check_tool_pairing

ASK = SeenMessage("user", "go")
CALLS = SeenMessage("assistant", tool_call_ids=("a", "b"))


def test_calls_answered_in_order_pass() -> None:
    history = [ASK, CALLS, SeenMessage("tool", answers="a"), SeenMessage("tool", answers="b")]

    assert check_tool_pairing(history) is None


def test_results_out_of_order_are_refused() -> None:
    history = [ASK, CALLS, SeenMessage("tool", answers="b"), SeenMessage("tool", answers="a")]

    assert check_tool_pairing(history) == "tool result for 'b' where 'a' was expected"


def test_a_result_without_a_call_is_refused() -> None:
    history = [ASK, SeenMessage("tool", answers="zzz")]

    problem = check_tool_pairing(history)

    assert problem is not None and "'zzz', which no pending call has" in problem


def test_a_call_left_open_at_the_end_is_refused() -> None:
    problem = check_tool_pairing([ASK, CALLS, SeenMessage("tool", answers="a")])

    assert problem == "tool calls without results: b"
