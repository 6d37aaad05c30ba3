"""The layer table of ARCHITECTURE.md, checked against pyproject.toml and the code.

ALLOWED is the table. For every subpackage that exists, pyproject.toml must hold a
``forbidden`` contract listing exactly the existing tau packages it may not import;
``lint-imports`` then proves the code keeps to it. After adding a subpackage (and
its row here), ``python -m tests.test_layers --write`` rewrites the contracts.
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import tau_cli

ROOT = Path(__file__).resolve().parents[1]

_LIBRARIES = {"core", "memory", "agent", "tools", "session", "skills", "mcp", "orchestrate"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "memory": set(),
    "agent": {"core"},
    "tools": {"core"},
    "session": {"core"},
    "skills": {"memory", "core"},
    "mcp": {"tools", "core"},
    "orchestrate": {"agent", "core"},
    "runtime": _LIBRARIES,
    "testing": {"agent", "core"},
    "api": _LIBRARIES | {"runtime"},
    "tui": {"api", "runtime", "core"},
    "cli": _LIBRARIES | {"runtime", "api", "tui"},
}


def _existing() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(tau_cli.__path__) if m.ispkg}


def _contracts() -> list[dict[str, object]]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return list(tomllib.load(f)["tool"]["importlinter"]["contracts"])


_BEGIN = "# BEGIN layer contracts"
_END = "# END layer contracts"


def render_contracts(existing: set[str]) -> str:
    """The import-linter contracts for the packages that exist, as TOML."""
    blocks = []
    for name in sorted(existing):
        allowed = sorted(ALLOWED[name] & existing)
        forbidden = sorted(existing - ALLOWED[name] - {name})
        what = "no other tau package" if not allowed else "only " + ", ".join(allowed)
        blocks.append(
            "[[tool.importlinter.contracts]]\n"
            f'name = "{name} imports {what}"\n'
            'type = "forbidden"\n'
            f'source_modules = ["tau_cli.{name}"]\n'
            f"forbidden_modules = [{', '.join(_quoted(forbidden))}]\n"
        )
    return "\n".join(blocks)


def _quoted(names: list[str]) -> list[str]:
    return [f'"tau_cli.{name}"' for name in names]


def _write_contracts() -> None:
    path = ROOT / "pyproject.toml"
    text = path.read_text()
    head, rest = text.split(_BEGIN, 1)
    _, tail = rest.split(_END, 1)
    first_line, _ = (_BEGIN + rest).split("\n", 1)
    path.write_text(f"{head}{first_line}\n{render_contracts(_existing())}{_END}{tail}")


def test_every_subpackage_has_a_row_in_the_layer_table() -> None:
    assert _existing() <= ALLOWED.keys(), "a new subpackage needs a row in ALLOWED"


def test_contracts_name_exactly_the_subpackages_that_exist() -> None:
    existing = _existing()
    by_source = {}
    for contract in _contracts():
        assert contract["type"] == "forbidden"
        (source,) = contract["source_modules"]  # type: ignore[misc]
        by_source[source.removeprefix("tau_cli.")] = {
            m.removeprefix("tau_cli.")
            for m in contract["forbidden_modules"]  # type: ignore[attr-defined]
        }
    assert set(by_source) == existing
    for name, forbidden in by_source.items():
        expected = existing - ALLOWED[name] - {name}
        assert forbidden == expected, f"contract for {name}"


def test_the_code_keeps_to_the_contracts() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_build(tmp_path: Path) -> None:
    shutil.copytree(
        ROOT / "tau_cli", tmp_path / "tau_cli", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    offender = tmp_path / "tau_cli" / "core" / "_upward.py"
    offender.write_text("import tau_cli.runtime\n")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    assert "tau_cli.core._upward -> tau_cli.runtime" in result.stdout


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


if __name__ == "__main__":
    import sys as _sys

    if _sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python -m tests.test_layers --write")
    _write_contracts()
