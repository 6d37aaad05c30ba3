"""A contributor running tau in this repository gets its conventions and its skills."""

from __future__ import annotations

from pathlib import Path

from tau_cli.memory import BootstrapOptions, load_bootstrap
from tau_cli.skills import SHIPPED_SKILLS_DIR, default_roots, discover_skills

ROOT = Path(__file__).resolve().parents[2]


def test_the_repository_memory_loads_cleanly_and_names_the_check_to_run() -> None:
    memory = load_bootstrap(
        ROOT, count_tokens=lambda text: len(text) // 4, options=BootstrapOptions()
    )

    assert [s.label for s in memory.sources if s.kind == "project"] == [".tau/TAU.md"]
    assert memory.warnings == []
    assert ".venv/bin/lint-imports" in memory.render()


def test_in_a_checkout_the_skills_are_found_once_with_nothing_hidden(tmp_path: Path) -> None:
    catalog = discover_skills(default_roots(ROOT, tau_home=tmp_path))

    assert (ROOT / "skills").resolve() == SHIPPED_SKILLS_DIR.resolve()
    assert catalog.diagnostics == []
    assert {s.scope for s in catalog.skills.values()} == {"repository"}
    assert {"tau-runtime", "tau-runtime-dev", "writing-skills"} <= set(catalog.skills)
