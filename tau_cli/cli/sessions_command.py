"""``tau sessions list|show|delete``: the transcripts tau keeps under ``$TAU_HOME``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from tau_cli.cli.display import home_relative
from tau_cli.core import ConfigError
from tau_cli.session import SessionError, SessionNotFound, SessionStore


def list_sessions(cwd: Path, every_project: bool) -> None:
    sessions = SessionStore().list(None if every_project else cwd)
    console = Console()
    if not sessions:
        where = "" if every_project else " for this folder (--all lists every project)"
        console.print(f"No sessions{where}.")
        return
    table = Table(title_justify="left")
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("updated", no_wrap=True)
    table.add_column("messages", justify="right")
    table.add_column("title")
    if every_project:
        table.add_column("folder")
    for s in sessions:
        row = [s.id[:12], s.updated_at.strftime("%Y-%m-%d %H:%M"), str(s.message_count), s.title]
        if every_project:
            row.append(home_relative(s.cwd))
        table.add_row(*row)
    console.print(table)


def show_session(session_id: str) -> None:
    store = SessionStore()
    loaded = store.load(_full_id(store, session_id))
    session = loaded.session
    typer.echo(f"session {session.id} · {session.title} · {home_relative(session.cwd)}")
    typer.echo(f"model {session.model} · {len(session.messages)} messages\n")
    for message in session.messages:
        if message.role == "system":
            continue
        if message.role == "tool":
            first = message.text.strip().splitlines()[:1]
            mark = "✗" if message.is_error else "←"
            typer.echo(f"  {mark} {message.name}: {first[0] if first else ''}")
            continue
        if message.text.strip():
            typer.echo(f"{message.role}: {message.text.strip()}")
        for call in message.tool_calls:
            typer.echo(f"  → {call.name} {call.raw_arguments or call.arguments}")


def delete_session(session_id: str) -> None:
    store = SessionStore()
    full = _full_id(store, session_id)
    store.delete(full)
    typer.echo(f"deleted session {full}")


def _full_id(store: SessionStore, prefix: str) -> str:
    """A session id, or a unique prefix of one (lists show the first 12 characters)."""
    try:
        store.find(prefix)
        return prefix
    except SessionNotFound:
        pass
    except SessionError as exc:
        raise ConfigError(str(exc)) from exc
    matches = [s.id for s in store.list() if s.id.startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ConfigError(f"no session with id {prefix!r}; see 'tau sessions list --all'")
    raise ConfigError(f"{prefix!r} matches {len(matches)} sessions; give more of the id")
