"""The skills in skills/ ship inside the wheel, and an installed tau finds them.

This builds the wheel the way ``pip``/``pipx`` would, installs it into a fresh virtual
environment (no index, no dependency resolution: the dependencies already installed
here are made importable through a ``.pth`` line) and runs that environment's own
``tau skills list`` from a folder that is not a checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _build_wheel(tmp_path: Path) -> Path:
    # Build from a copy, so the checkout gets no build/ or egg-info litter.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "tau_cli", source / "tau_cli", ignore=shutil.ignore_patterns("__pycache__")
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, source],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("tau_cli-*.whl")
    return wheel


def _fresh_environment(tmp_path: Path, wheel: Path) -> Path:
    home = tmp_path / "venv"
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    install = ["install", "--quiet", "--no-index", "--no-deps", str(wheel)]
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), *install],
        check=True,
        timeout=120,
    )
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies come from this environment; tau_cli itself must not.
    (Path(site) / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return home


def _files(root: Path) -> set[str]:
    """Every file of every skill (resources in sub-folders too), relative to ``root``."""
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    return {f for f in found if "__pycache__" not in f}


def test_an_installed_tau_lists_the_skills_it_ships(tmp_path: Path) -> None:
    shipped = sorted(p.parent.name for p in (ROOT / "skills").glob("*/SKILL.md"))
    environment = _fresh_environment(tmp_path, _build_wheel(tmp_path))
    elsewhere = tmp_path / "some-project"
    elsewhere.mkdir()
    env = {
        "PATH": os.defpath,
        "HOME": str(tmp_path / "home"),
        "TAU_HOME": str(tmp_path / "home" / ".tau"),
        "COLUMNS": "200",
    }

    where = subprocess.run(
        [environment / "bin" / "python", "-c", "import tau_cli; print(tau_cli.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    def tau_skills_list() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [environment / "bin" / "tau", "skills", "list"],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    listed = tau_skills_list()
    (tmp_path / "home" / ".tau").mkdir(parents=True, exist_ok=True)
    (tmp_path / "home" / ".tau" / "settings.yaml").write_text("skills:\n  shipped: all\n")
    listed_all = tau_skills_list()

    installed = Path(where.stdout.strip()).parent
    assert installed.is_relative_to(environment)
    assert _files(installed / "skills" / "shipped") == _files(ROOT / "skills")
    assert listed.returncode == 0, listed.stderr
    usage = [name for name in shipped if not name.endswith("-dev")]
    assert all(name in listed.stdout for name in usage)
    assert "-dev " not in listed.stdout  # contributors' skills only when asked for
    assert f"{len(usage)} skill(s)" in listed.stdout
    assert "skills.shipped: all" in listed.stdout
    assert listed_all.returncode == 0, listed_all.stderr
    assert all(name in listed_all.stdout for name in shipped)
    assert "shipped" in listed_all.stdout
    assert f"{len(shipped)} skill(s)" in listed_all.stdout
