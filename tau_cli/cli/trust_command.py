"""``tau trust``: let a folder's project settings take effect (or stop them)."""

from __future__ import annotations

from pathlib import Path

import typer

from tau_cli.cli.display import home_relative
from tau_cli.runtime.paths import project_root, tau_home
from tau_cli.runtime.trust import TrustStore


def run_trust(cwd: Path, folder: Path | None, *, revoke: bool, list_only: bool) -> None:
    store = TrustStore(tau_home())
    if list_only:
        for trusted in store.folders():
            typer.echo(home_relative(str(trusted)))
        return
    target = folder.resolve() if folder else project_root(cwd)
    if not target.is_dir():
        typer.echo(f"tau: error: {folder}: no such folder", err=True)
        raise typer.Exit(2)
    shown = home_relative(str(target))
    if revoke:
        if store.revoke(target):
            typer.echo(f"No longer trusted: {shown}")
        else:
            typer.echo(f"{shown} was not trusted by its own entry; nothing changed.")
        return
    store.trust(target)
    typer.echo(
        f"Trusted: {shown}\n"
        "Its project settings (hooks, allow rules, MCP servers, providers) now take effect."
    )
