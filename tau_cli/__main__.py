"""Entry point of the ``tau`` console script.

``--version`` answers before the CLI framework is imported: typer alone costs
about a tenth of a second, and the version is what scripts and installers ask
for most. Everything else goes to the typer application.
"""

from __future__ import annotations

import sys

COLLECTOR_HELD_SECONDS = 1.0
"""How long start-up runs without the cyclic garbage collector (see ``_hold_collector``)."""


def main() -> None:
    args = sys.argv[1:]
    if args in (["--version"], ["-V"]):
        from tau_cli._version import __version__

        sys.stdout.write(f"tau {__version__}\n")
        return
    _hold_collector(COLLECTOR_HELD_SECONDS)
    _skip_httpx_command_line()
    _skip_pydantic_plugins()
    from tau_cli.cli.app import run

    run()


def _hold_collector(seconds: float) -> None:
    """Run start-up without the cyclic garbage collector, then freeze what it built.

    Start-up builds some 100,000 objects that live as long as the process (pydantic
    validators and schemas, typer's parameters, compiled patterns). The collector
    would walk them again and again — a full pass alone costs about 25 ms of a
    0.3 s launch — and free nothing. After ``seconds`` a timer freezes everything
    alive (later passes skip it) and turns the collector back on, whatever command
    is running, so no long session ever goes without it.
    """
    import gc
    import threading

    def settle() -> None:
        gc.freeze()
        gc.enable()

    gc.disable()
    timer = threading.Timer(seconds, settle)
    timer.daemon = True
    timer.start()


def _skip_httpx_command_line() -> None:
    """Keep httpx from importing its own command-line client.

    httpx's package imports ``httpx._main`` (click, pygments, rich's tables and
    syntax) whenever those are installed, and typer brings them: some 50-100 ms on
    every command that talks to a model, for a CLI tau never runs. A ``None``
    entry makes that optional import fail at once, as it does where they are missing.
    """
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def _skip_pydantic_plugins() -> None:
    """Keep pydantic from looking for plugins, which tau's own models never use.

    The first model class makes pydantic read every installed distribution's entry
    points (``importlib.metadata``), some 8 ms; plugins are for observing an
    application's own models. A user's explicit setting is kept, and child processes
    never see the variable: their environment is allow-listed.
    """
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


if __name__ == "__main__":
    main()
