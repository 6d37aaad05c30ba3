"""Small pieces of terminal output shared by commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich costs ~12 ms to import, and `tau run` prints plain text
    from rich.console import Console

    from tau_cli.runtime.events import ToolProgress
    from tau_cli.runtime.settings_loader import ResolvedSettings


def home_relative(path: str) -> str:
    """``/home/ana/x`` as ``~/x``: shorter, and no user name in pasted output."""
    home = os.path.expanduser("~")
    if home and home != "/" and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def short_location(location: str, root: Path) -> str:
    """A source location relative to the project when inside it, else ``~``-relative."""
    prefix = str(root) + os.sep
    if location.startswith(prefix):
        return location[len(prefix) :]
    return home_relative(location)


def print_ignored(console: Console, resolved: ResolvedSettings) -> None:
    """Say what an untrusted project asked for and did not get."""
    if not resolved.ignored:
        return
    console.print(
        "[yellow]This folder is not trusted, so these project settings were ignored:[/]",
        highlight=False,
    )
    for item in resolved.ignored:
        where = short_location(item.source.location or item.source.kind, resolved.project_root)
        console.print(f"  {item.key}  ({item.reason}; {where})", highlight=False)
    console.print("Run [bold]tau trust[/] to trust this folder, or pass --trust for one run.")


def progress_line(event: ToolProgress) -> str | None:
    """A counted progress report as one line (``    … 2/3 exported part 2``); a command's
    latest output line is for live panes, not scrolling text, so it gives None."""
    if event.progress is None:
        return None
    done = f"{event.progress:g}" + (f"/{event.total:g}" if event.total is not None else "")
    return f"    … {done} {event.message}".rstrip() + "\n"
