"""``tau memory show`` and ``tau skills list|check``: what tau loads into context."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from tau_cli.cli.display import home_relative
from tau_cli.core import EstimatingTokenCounter
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.runtime.skill_catalog import left_out, load_skill_catalog
from tau_cli.runtime.skill_grants import may_grant
from tau_cli.skills import Skill, check_skills


def show_memory(cwd: Path, resolved: ResolvedSettings) -> None:
    from tau_cli.runtime.builder import load_memory

    typer.echo(load_memory(resolved, cwd, EstimatingTokenCounter().count_text).describe())


def list_skills(resolved: ResolvedSettings) -> None:
    catalog = load_skill_catalog(resolved.settings, resolved.project_root, tau_home())
    console = Console()
    if not catalog.skills:
        console.print("No skills found.")
    else:
        table = Table(title_justify="left", show_lines=False)
        table.add_column("skill", style="bold")
        table.add_column("scope")
        table.add_column("description")
        for name in sorted(catalog.skills):
            skill = catalog.skills[name]
            table.add_row(name, skill.scope, skill.description)
        console.print(table)
        tokens = catalog.index_tokens(EstimatingTokenCounter().count_text)
        console.print(f"{len(catalog.skills)} skill(s); their index costs about {tokens} tokens.")
        for name in sorted(catalog.skills):
            line = _grant_line(catalog.skills[name], trusted=resolved.trusted)
            if line:
                console.print(line, highlight=False)
    note = left_out(resolved.settings)
    if note:
        console.print(note, highlight=False)
    for diagnostic in catalog.diagnostics:
        console.print(home_relative(str(diagnostic)), style="yellow", highlight=False)


def _grant_line(skill: Skill, *, trusted: bool) -> str | None:
    """What a skill's ``allowed-tools`` will let run without asking once it is active."""
    if not skill.allowed_tools:
        return None
    listed = " ".join(skill.allowed_tools)
    if may_grant(skill, trusted=trusted):
        return f"{skill.name}: once active, runs {listed} without asking"
    return f"{skill.name}: lists {listed}, but grants nothing until this folder is trusted"


def check_skill_folder(path: Path) -> bool:
    """Print what is wrong with the skills under ``path``; True when nothing is."""
    skills, diagnostics = check_skills(path)
    for skill in skills:
        typer.echo(f"ok: {skill.name} ({home_relative(str(skill.path))})")
    for diagnostic in diagnostics:
        typer.echo(home_relative(str(diagnostic)), err=True)
    return not any(d.severity == "error" for d in diagnostics)
