"""Run the benchmark suite and print the table: ``python -m benchmarks [--quick]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks import (
    loop,
    mcp_startup,
    search,
    sessions,
    startup,
    tasks,
    tui,
    tui_launch,
    tui_session,
)
from benchmarks._harness import machine, run_figures, table, write_json

ALL = [
    *startup.FIGURES,
    *loop.FIGURES,
    *tui_launch.FIGURES,
    *tui.FIGURES,
    *tui_session.FIGURES,
    *search.FIGURES,
    *sessions.FIGURES,
    *mcp_startup.FIGURES,
    *tasks.FIGURES,
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs; under two minutes")
    parser.add_argument("--only", action="append", metavar="KEY", help="run only these figures")
    parser.add_argument(
        "--json",
        type=Path,
        default=Path("benchmarks/results/latest.json"),
        help="where to write the numbers (default: %(default)s)",
    )
    args = parser.parse_args()
    figures = [f for f in ALL if not args.only or f.key in args.only]
    if not figures:
        parser.error(f"no figure matches; known: {', '.join(f.key for f in ALL)}")
    results = run_figures(figures, quick=args.quick)
    info = machine()
    print(
        f"tau benchmarks on {info['system']} {info['machine']}, {info['cpus']} CPUs,"
        f" Python {info['python']}"
    )
    print(table(results))
    write_json(results, args.json)
    print(f"numbers written to {args.json}")


if __name__ == "__main__":
    main()
