"""Entry point of the ``tau`` console script.

``--version`` answers before the CLI framework is imported: typer alone costs
about a tenth of a second, and the version is what scripts and installers ask
for most. Everything else goes to the typer application. When the command is
done, the process leaves without tearing the interpreter down (``_leave``).
"""

from __future__ import annotations

import sys
from typing import NoReturn

COLLECTOR_HELD_SECONDS = 1.0
"""How long start-up runs without the cyclic garbage collector (see ``_hold_collector``)."""


def main() -> NoReturn:
    """The ``tau`` command: ``start``, then a quick exit with its status."""
    try:
        start()
    except SystemExit as exc:
        _leave(_status(exc.code))
    _leave(0)


def start() -> None:
    """Run the command line in ``sys.argv``; ``SystemExit`` carries its status."""
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


def _status(code: object) -> int:
    """An exit status as ``sys.exit`` reads ``code``: a message is printed, and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def _leave(status: int) -> NoReturn:
    """Exit without finalizing the interpreter.

    Finalizing the ~100,000 objects pydantic, typer and (in the chat) Textual built
    costs 50-100 ms after the work is done: a tenth of a short `tau run`. Nothing of
    it is needed: tau closes what it opens (runtime, sessions, MCP servers,
    containers) before this point. What a normal exit does that matters still
    happens: threads that are not daemons finish, exit handlers run (the debug
    trace's last line, a container's safety net), and output is flushed.
    """
    import atexit
    import os
    import threading

    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more to say
            status = status or 1
    os._exit(status)


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
