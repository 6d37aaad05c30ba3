"""Docs and shipped skills stay true: generated references are current, every Python
example runs, and every relative link in docs/ resolves."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tau_cli.runtime.settings_reference import render

ROOT = Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _documents() -> list[Path]:
    return sorted([ROOT / "README.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("skills/**/*.md")])


def _examples() -> list[tuple[str, str]]:
    found = []
    for doc in _documents():
        for i, match in enumerate(_FENCE.finditer(doc.read_text(encoding="utf-8"))):
            found.append((f"{doc.relative_to(ROOT)}#{i + 1}", match.group(1)))
    return found


def test_the_settings_reference_is_generated_from_the_code() -> None:
    committed = (ROOT / "docs" / "reference" / "settings.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/reference/settings.md is stale; regenerate it with "
        "python -m tau_cli.runtime.settings_reference > docs/reference/settings.md"
    )


@pytest.mark.parametrize(("where", "code"), _examples(), ids=[w for w, _ in _examples()])
def test_every_python_example_runs(where: str, code: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{where} failed:\n{result.stderr}"


def test_there_are_examples_to_run() -> None:
    assert len(_examples()) >= 2


def _anchors(doc: Path) -> set[str]:
    anchors = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("doc", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_and_anchors_resolve(doc: Path) -> None:
    for target in _LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue  # an absolute URL: not checked offline
        path_part, _, anchor = target.partition("#")
        resolved = (doc.parent / path_part).resolve() if path_part else doc
        assert resolved.exists(), f"{doc.relative_to(ROOT)} links to missing {target}"
        if anchor and resolved.is_file():
            assert anchor in _anchors(resolved), f"{doc.relative_to(ROOT)}: no anchor {target}"


SUBSYSTEMS = (
    "core",
    "agent",
    "orchestrate",
    "memory",
    "tools",
    "session",
    "skills",
    "mcp",
    "runtime",
)


def test_each_subsystem_has_a_usage_skill_with_an_example_and_a_contributing_skill() -> None:
    for name in SUBSYSTEMS:
        usage = ROOT / "skills" / f"tau-{name}" / "SKILL.md"
        contributing = ROOT / "skills" / f"tau-{name}-dev" / "SKILL.md"
        assert usage.is_file(), f"no usage skill for {name}"
        assert contributing.is_file(), f"no contributing skill for {name}"
        assert _FENCE.search(usage.read_text(encoding="utf-8")), f"{usage} has no python example"


def test_every_shipped_skill_loads_with_taus_own_loader() -> None:
    from tau_cli.skills import check_skills

    skills, diagnostics = check_skills(ROOT / "skills")

    assert diagnostics == []
    names = [s.name for s in skills]
    assert len(names) == len(set(names))
    assert {f"tau-{n}" for n in SUBSYSTEMS} | {f"tau-{n}-dev" for n in SUBSYSTEMS} <= set(names)
    for skill in skills:
        assert skill.name == skill.path.parent.name
        assert 20 <= len(skill.description) <= 1024
