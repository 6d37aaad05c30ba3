"""What the screen looks like: compared with SVG snapshots kept beside this file.

After an intended change to the look, refresh them with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy.assertion import SnapshotAssertion
from textual.widgets import Input

from tau_cli.tui import PermissionPrompt, PlanPrompt
from tau_cli.tui.widgets import ToolCard

from .conftest import make_repo, running_app, wait_for

ANSWER = """\
## The bug

`add` subtracts: it returns `a - b`.

```python
def add(a, b):
    return a + b
```

- change the operator
- run the tests again
"""


@pytest.fixture
def svg(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(SVGImageExtension)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


async def test_the_main_screen_after_an_answer(repo: Path, svg: SnapshotAssertion) -> None:
    usage = {"prompt_tokens": 2400, "completion_tokens": 120}
    script = [{"reasoning": "Look at calc.py first.", "text": ANSWER, "usage": usage}]
    async with running_app(repo, script, size=(80, 30), context_window=32_000) as (
        app,
        pilot,
        _,
    ):
        app.query_one("#prompt", Input).value = "why do the tests fail?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.working)
        await pilot.pause()
        assert app.export_screenshot(title="tau") == svg


async def test_a_permission_request_inline(repo: Path, svg: SnapshotAssertion) -> None:
    script = [{"tool_calls": [{"name": "bash", "arguments": {"command": "rm -rf build"}}]}]
    async with running_app(repo, script, size=(80, 24)) as (app, pilot, _):
        app.query_one("#prompt", Input).value = "clean the build"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.focused, PermissionPrompt))
        await pilot.pause()
        assert app.export_screenshot(title="tau") == svg


async def test_a_tool_card_with_its_diff(repo: Path, svg: SnapshotAssertion) -> None:
    edit = {"file_path": str(repo / "calc.py"), "old_string": "a - b", "new_string": "a + b"}
    usage = {"prompt_tokens": 900, "completion_tokens": 30}
    read = {"name": "read", "arguments": {"file_path": str(repo / "calc.py")}}
    script = [
        {"tool_calls": [read], "usage": usage},
        {"tool_calls": [{"name": "edit", "arguments": edit}], "usage": usage},
        {"text": "Fixed `add`.", "usage": usage},
    ]
    async with running_app(repo, script, mode="accept_edits", size=(80, 20)) as (app, pilot, _):
        app.query_one("#prompt", Input).value = "fix add"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.working)
        for card in app.query(ToolCard):
            card.duration_ms = 12.0  # the one thing that differs from run to run
            card.watch_status()
        await pilot.pause()
        assert app.export_screenshot(title="tau") == svg


PLAN = """\
## Steps

- [ ] Change `a - b` to `a + b` in calc.py
- [ ] Run the tests
"""


async def test_a_plan_waiting_for_approval(repo: Path, svg: SnapshotAssertion) -> None:
    propose = {"name": "propose_plan", "arguments": {"title": "Fix add", "plan": PLAN}}
    script = [{"tool_calls": [propose]}]
    async with running_app(repo, script, mode="plan", size=(80, 24)) as (app, pilot, _):
        app.query_one("#prompt", Input).value = "fix add, plan first"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.focused, PlanPrompt))
        await pilot.pause()
        assert app.export_screenshot(title="tau") == svg
