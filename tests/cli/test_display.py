"""How scrolling-text front ends (``tau run`` on a terminal, the plain REPL) show progress."""

from __future__ import annotations

from tau_cli.cli.display import progress_line
from tau_cli.runtime.events import ToolProgress


def test_a_counted_report_is_one_line_with_its_count() -> None:
    event = ToolProgress(call_id="c1", message="exported part 2", progress=2, total=3)
    assert progress_line(event) == "    … 2/3 exported part 2\n"


def test_a_report_without_a_total_still_counts() -> None:
    event = ToolProgress(call_id="c1", message="", progress=0.5)
    assert progress_line(event) == "    … 0.5\n"


def test_a_commands_latest_line_stays_out_of_scrolling_text() -> None:
    assert progress_line(ToolProgress(call_id="c1", message="step 3")) is None


def test_the_status_bar_names_where_tools_run_unless_it_is_this_machine() -> None:
    from tau_cli.cli.tui_chat import with_environment

    assert with_environment("~/repo (main)", "local (no sandbox)") == "~/repo (main)"
    sandboxed = "bubblewrap sandbox (writable: /w, /tmp; no network)"
    assert with_environment("~/repo", sandboxed) == "~/repo · bubblewrap sandbox"
    contained = "podman container localhost/tau:1 (workspace: /w; no network)"
    assert with_environment("~/repo", contained) == "~/repo · podman container localhost/tau:1"
