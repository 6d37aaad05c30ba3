"""The generated references match the code they describe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.docs.references import (
    CLI_REFERENCE,
    FIELD_NOTES,
    HOOKS_REFERENCE,
    common_keys,
    fired_events,
    render_cli,
    render_hooks,
    stdout_fields,
)

_STALE = "{} is stale; regenerate it with python -m tests.docs.references --write"


@pytest.mark.parametrize(
    ("path", "render"), [(CLI_REFERENCE, render_cli), (HOOKS_REFERENCE, render_hooks)]
)
def test_each_reference_is_generated_from_the_current_code(
    path: Path, render: Callable[[], str]
) -> None:
    assert path.read_text(encoding="utf-8") == render(), _STALE.format(path.name)


def test_the_cli_reference_reaches_sub_commands_their_arguments_and_options() -> None:
    # If the walk over typer's commands broke, the reference would shrink to one line.
    text = render_cli()
    for heading in ("## `tau run`", "## `tau skills list`", "## `tau mcp add`", "## `tau trust`"):
        assert heading in text
    for row in (
        "`--output-format <str>`",
        "`-m, --model <str>`",
        "`prompt <str>` | The task; read from stdin when omitted.",
    ):
        assert row in text


def test_the_hook_reading_is_found_where_the_runtime_fires_and_reads_hooks() -> None:
    # If these came back empty the reference would silently say nothing.
    assert {"session_id", "cwd", "hook_event_name"} <= set(common_keys())
    assert {"PreToolUse", "PostToolUse", "UserPromptSubmit"} <= set(fired_events())
    assert "hookSpecificOutput.permissionDecision" in stdout_fields()
    assert set(stdout_fields()) - {"reason"} <= set(FIELD_NOTES)
