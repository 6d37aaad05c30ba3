"""``tau`` with no command: what tau would work with here, and how to go on.

The interactive interface arrives with the runtime; until then the bare command
reports the resolved model, project, trust and settings files, which is also the
first thing to check when something does not work.
"""

from __future__ import annotations

from rich.console import Console

from tau_cli._version import __version__
from tau_cli.cli.display import home_relative, print_ignored
from tau_cli.runtime.settings_loader import ResolvedSettings


def _environment(resolved: ResolvedSettings) -> str:
    """Where tools would run, and whether the sandbox can actually start here."""
    sandbox = resolved.settings.sandbox
    container = resolved.settings.container
    if container.image is not None:
        from tau_cli.runtime.container import container_unavailable_reason

        reason = container_unavailable_reason(container.engine)
        if reason is not None:
            return f"container requested but unavailable: {reason}"
        network = "network allowed" if container.network else "no network"
        return f"container {container.image} ({network})"
    if not sandbox.enabled:
        return "run locally (no sandbox; --sandbox turns it on)"
    from tau_cli.runtime.sandbox import sandbox_unavailable_reason

    reason = sandbox_unavailable_reason()
    if reason is not None:
        return f"sandbox requested but unavailable: {reason}"
    network = "network allowed" if sandbox.network else "no network"
    return f"bubblewrap sandbox ({network})"


def show_status(resolved: ResolvedSettings) -> None:
    console = Console()
    settings = resolved.settings
    console.print(f"[bold]tau {__version__}[/]", highlight=False)
    model = settings.model or "none set (use --model, TAU_MODEL or 'model:' in settings)"
    console.print(f"model:    {model}", highlight=False)
    trust = "trusted" if resolved.trusted else "not trusted"
    console.print(
        f"project:  {home_relative(str(resolved.project_root))} ({trust})", highlight=False
    )
    console.print(f"mode:     {settings.permissions.default_mode}", highlight=False)
    console.print(f"tools:    {_environment(resolved)}", highlight=False)
    files = ", ".join(home_relative(str(f)) for f in resolved.files) or "none"
    console.print(f"settings: {files}", highlight=False)
    print_ignored(console, resolved)
    console.print(
        "See [bold]tau --help[/] for commands, [bold]tau config show[/] for every setting."
    )
