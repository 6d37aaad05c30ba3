"""The exit codes scripts branch on are documented, every one of them."""

from __future__ import annotations

import re
from pathlib import Path

from tau_cli.cli.exit_codes import ExitCode
from tau_cli.cli.run_command import EXIT_FOR

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"


def test_the_guide_documents_every_exit_code() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("### Exit codes") :]
    documented = {int(m) for m in re.findall(r"^\| (\d) \|", table, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}


def test_every_way_a_turn_ends_has_an_exit_code() -> None:
    from typing import get_args

    from tau_cli.runtime.events import TurnEnd

    assert set(EXIT_FOR) == set(get_args(TurnEnd))
