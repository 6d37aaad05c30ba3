"""``tau rewind [TURN]``: put the project's files back as they were before a turn.

With ``--conversation`` the conversation goes back too: the session is copied up to
where that turn began (the original is kept whole) and the copy becomes the newest
session here, so ``--continue`` picks it up.
"""

from __future__ import annotations

from pathlib import Path

import typer

from tau_cli.cli.sessions_command import _full_id
from tau_cli.core import ConfigError
from tau_cli.runtime.checkpoints import CheckpointError, CheckpointStore
from tau_cli.runtime.paths import project_root, tau_home
from tau_cli.session import SessionStore


def run_rewind(
    cwd: Path, turn: int | None, session: str | None, *, conversation: bool = False
) -> None:
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
    target = next((c for c in checkpoints.turns() if c.turn == turn), None)
    if conversation and target is not None and target.messages is None:
        raise ConfigError(f"turn {turn}'s checkpoint does not say where its conversation began")
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
    if conversation and target is not None:
        # A copy, so the full conversation stays in the original session.
        fork = store.fork(session_id, at=target.messages)
        typer.echo(
            f"the conversation before turn {turn} continues as session {fork.id[:12]} "
            "(tau run --continue, or tau chat --continue)"
        )
