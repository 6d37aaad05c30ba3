"""./install.sh --dev installs the npm MCP servers, and says what to do when npm is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dev_install_without_npm_stops_first_with_a_way_out(tmp_path: Path) -> None:
    tools = tmp_path / "bin"  # a PATH with what install.sh needs, and no npm
    tools.mkdir()
    for name in ("bash", "dirname", "sed"):
        found = shutil.which(name)
        assert found is not None
        (tools / name).symlink_to(found)
    python = getattr(sys, "_base_executable", sys.executable)

    result = subprocess.run(
        [str(tools / "bash"), str(ROOT / "install.sh"), "--dev"],
        env={"PATH": str(tools), "HOME": str(tmp_path), "PYTHON": python},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "npm not found" in result.stderr
    assert "install Node.js 20 or newer with npm" in result.stderr
    assert "installing the dev tools" not in result.stdout  # it stopped before changing .venv
