"""``tau rewind [TURN]``: put the project's files back as they were before a turn."""

from __future__ import annotations

from pathlib import Path

import typer

from tau_cli.cli.sessions_command import _full_id
from tau_cli.core import ConfigError
from tau_cli.runtime.checkpoints import CheckpointError, CheckpointStore
from tau_cli.runtime.paths import project_root, tau_home
from tau_cli.session import SessionStore


def run_rewind(cwd: Path, turn: int | None, session: str | None) -> None:
    store = SessionStore()
    if session is not None:
        session_id = _full_id(store, session)
    else:
        newest = store.list(cwd)
        if not newest:
            raise ConfigError("no session in this folder to rewind (see 'tau sessions list')")
        session_id = newest[0].id
    checkpoints = CheckpointStore(tau_home(), session_id, project_root(cwd))
    if turn is None:
        found = checkpoints.turns()
        if not found:
            typer.echo(f"session {session_id[:12]} has no checkpoints.")
            return
        typer.echo(f"checkpoints of session {session_id[:12]} (tau rewind TURN restores one):")
        for checkpoint in found:
            typer.echo(f"  {checkpoint.turn:>3}  before: {checkpoint.prompt}")
        return
    try:
        rewound = checkpoints.rewind(turn)
    except CheckpointError as exc:
        raise ConfigError(str(exc)) from exc
    typer.echo(f"restored the files as they were before turn {turn}:")
    for name in rewound.restored:
        typer.echo(f"  restored {name}")
    for name in rewound.deleted:
        typer.echo(f"  deleted  {name}")
    if not rewound.restored and not rewound.deleted:
        typer.echo("  (nothing had changed)")
