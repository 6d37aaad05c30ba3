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
    from tau_cli.cli.app import run

    run()


if __name__ == "__main__":
    main()
