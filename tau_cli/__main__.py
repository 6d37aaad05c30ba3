"""Entry point of the ``tau`` console script.

``--version`` answers before the CLI framework is imported: typer alone costs
about a tenth of a second, and the version is what scripts and installers ask
for most. Everything else goes to the typer application.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args in (["--version"], ["-V"]):
        from tau_cli._version import __version__

        sys.stdout.write(f"tau {__version__}\n")
        return
    _skip_httpx_command_line()
    from tau_cli.cli.app import run

    run()


def _skip_httpx_command_line() -> None:
    """Keep httpx from importing its own command-line client.

    httpx's package imports ``httpx._main`` (click, pygments, rich's tables and
    syntax) whenever those are installed, and typer brings them: some 50-100 ms on
    every command that talks to a model, for a CLI tau never runs. A ``None``
    entry makes that optional import fail at once, as it does where they are missing.
    """
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
