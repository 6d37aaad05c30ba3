"""install.sh, the README's first command, run for real in a throwaway home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def _install(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "HOME": str(home),
        "PATH": os.pathsep.join([str(Path(BASE_PYTHON).parent), "/usr/bin", "/bin"]),
        "PYTHON": BASE_PYTHON,
        **env,
    }
    return subprocess.run(
        ["bash", str(ROOT / "install.sh"), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )


def _fake_python(tmp_path: Path, script: str) -> str:
    fake = tmp_path / "fake-python"
    fake.write_text(f"#!/bin/bash\n{script}\n")
    fake.chmod(0o755)
    return str(fake)


def test_user_install_links_a_working_tau_and_is_idempotent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()

    first = _install(home)
    second = _install(home)

    for result in (first, second):
        assert result.returncode == 0, result.stdout + result.stderr
    tau = home / ".local" / "bin" / "tau"
    assert "pipx not found" in first.stdout
    assert f"is at {tau}" in second.stdout
    assert "is not on your PATH" in second.stdout  # and it says how to fix that
    version = subprocess.run([str(tau), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("tau ")


def test_a_python_that_is_too_old_is_refused_with_a_way_out(tmp_path: Path) -> None:
    old = _fake_python(tmp_path, 'case "$2" in *print*) echo 3.9;; *) exit 1;; esac')

    result = _install(tmp_path, PYTHON=old)

    assert result.returncode == 1
    assert "needs Python 3.11 or newer" in result.stderr
    assert "is 3.9" in result.stderr


def test_a_python_without_venv_or_pip_is_refused_with_the_fix(tmp_path: Path) -> None:
    no_venv = _fake_python(
        tmp_path, 'case "$2" in *print*) echo 3.12;; *ensurepip*) exit 1;; *) exit 0;; esac'
    )

    result = _install(tmp_path, "--dev", PYTHON=no_venv)

    assert result.returncode == 1
    assert "apt install python3-venv" in result.stderr


def test_an_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    result = _install(tmp_path, "--bogus")
    assert result.returncode == 2
    assert "unknown option '--bogus'" in result.stderr
