"""Finding ``@`` mentions, ranking completion choices, reading MCP prompt arguments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.mcp import PromptArgumentInfo, PromptInfo
from tau_cli.runtime.commands import command_name
from tau_cli.runtime.fuzzy import fuzzy_filter, fuzzy_score
from tau_cli.runtime.mentions import find_mentions, resource_of
from tau_cli.runtime.workspace import CommandError, prompt_arguments


def test_mentions_are_words_that_start_with_an_at_sign() -> None:
    text = "compare @src/a.py and @src/b.py, then @docs:file:///x.md. mail me@example.com @src/a.py"
    assert find_mentions(text) == ["src/a.py", "src/b.py", "docs:file:///x.md"]
    assert find_mentions("@start of the line") == ["start"]
    assert find_mentions("no mention here, not even @ alone") == []


def test_a_resource_mention_names_a_server_and_a_uri() -> None:
    assert resource_of("docs:file:///guide.md") == ("docs", "file:///guide.md")
    assert resource_of("db:postgres://h/t") == ("db", "postgres://h/t")
    assert resource_of("src/calc.py") is None
    assert resource_of("notes.md") is None


def test_the_file_itself_ranks_above_a_folder_that_happens_to_match() -> None:
    files = ["calc/other.py", "src/calc.py", "tests/test_calc.py", "docs/cal.txt", "README.md"]
    assert fuzzy_filter("calc", files)[0] == "src/calc.py"
    assert fuzzy_filter("scp", files)[0] == "src/calc.py"  # s-c-p, at the starts of parts
    assert fuzzy_filter("zzz", files) == []
    assert fuzzy_filter("", files[:2]) == ["calc/other.py", "src/calc.py"]


@given(st.text(min_size=1, max_size=8), st.text(max_size=30))
def test_a_match_has_every_query_character_in_order(query: str, candidate: str) -> None:
    score = fuzzy_score(query, candidate)
    if score is None:
        return
    at = -1
    for char in query.lower():
        at = candidate.lower().find(char, at + 1)
        assert at >= 0


def test_slash_commands_and_paths_are_told_apart() -> None:
    assert command_name("/mode plan") == "/mode"
    assert command_name("/exit") == "/quit"
    assert command_name("/etc/hosts is broken") is None
    assert command_name("/") is None
    assert command_name("plain text") is None


PROMPT = PromptInfo(
    server="docs",
    name="review",
    arguments=[
        PromptArgumentInfo(name="topic", required=True),
        PromptArgumentInfo(name="tone"),
    ],
)


def testprompt_arguments_by_name_by_position_or_as_one_free_text() -> None:
    assert prompt_arguments(PROMPT, 'tone=dry topic="error handling"') == {
        "tone": "dry",
        "topic": "error handling",
    }
    assert prompt_arguments(PROMPT, '"error handling" dry') == {
        "topic": "error handling",
        "tone": "dry",
    }
    assert prompt_arguments(PROMPT, "") == {}
    single = PromptInfo(server="docs", name="ask", arguments=[PromptArgumentInfo(name="q")])
    assert prompt_arguments(single, "how do I log in?") == {"q": "how do I log in?"}
    with pytest.raises(CommandError, match="takes 2 argument"):
        prompt_arguments(PROMPT, "a b c")
    with pytest.raises(CommandError, match="cannot read the arguments"):
        prompt_arguments(PROMPT, 'topic="unclosed')
