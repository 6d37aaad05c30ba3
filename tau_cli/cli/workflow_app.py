"""``tau workflow``: the command group, kept apart so ``app`` only adds it.

Like ``app``, this module imports only typer at the top: each command imports the
runtime inside its body, so ``tau --help`` never pays for it.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from tau_cli.cli.exit_codes import ExitCode

workflow_app = typer.Typer(
    help="List, run and resume the project's workflows.", no_args_is_help=True
)

_INPUT_HELP = "NAME=VALUE for the workflow (repeatable)."
_FORMAT_HELP = "text, json or stream-json."


@workflow_app.command("list")
def workflow_list(ctx: typer.Context) -> None:
    """The workflows in .tau/workflows/ and the recent runs."""
    from tau_cli.cli.workflow_command import list_command

    list_command(ctx.obj.settings())


@workflow_app.command("run")
def workflow_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The workflow (.tau/workflows/NAME.yaml).")],
    input_: Annotated[list[str] | None, typer.Option("--input", "-i", help=_INPUT_HELP)] = None,
    output_format: Annotated[str, typer.Option("--output-format", help=_FORMAT_HELP)] = "text",
    run_id: Annotated[str | None, typer.Option("--run-id", help="Name the run.")] = None,
) -> None:
    """Run a workflow; progress on stderr, its answer on stdout."""
    from tau_cli.cli.workflow_command import parse_inputs, run_command

    output = _workflow_format(output_format)
    values = parse_inputs(input_ or [])
    code = run_command(ctx.obj.settings(), name, values, output=output, run_id=run_id)
    raise typer.Exit(code)


@workflow_app.command("resume")
def workflow_resume(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="The run to continue.")],
    input_: Annotated[
        list[str] | None, typer.Option("--input", "-i", help="CHANNEL=VALUE to write first.")
    ] = None,
    output_format: Annotated[str, typer.Option("--output-format", help=_FORMAT_HELP)] = "text",
) -> None:
    """Continue a run that was stopped, failed or paused, from its last checkpoint."""
    from tau_cli.cli.workflow_command import parse_inputs, resume_command

    output = _workflow_format(output_format)
    values = parse_inputs(input_ or [])
    raise typer.Exit(resume_command(ctx.obj.settings(), run_id, values, output))


@workflow_app.command("show")
def workflow_show(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="A run id, or a workflow's name.")],
) -> None:
    """Where a run stands (status, next nodes, state), or a workflow's inputs and graph."""
    from tau_cli.cli.workflow_command import show_command

    show_command(ctx.obj.settings(), run_id)


_Format = Literal["text", "json", "stream-json"]
_FORMATS: dict[str, _Format] = {"text": "text", "json": "json", "stream-json": "stream-json"}


def _workflow_format(value: str) -> _Format:
    if value in _FORMATS:
        return _FORMATS[value]
    typer.echo(
        f"tau: error: --output-format must be text, json or stream-json, not {value!r}", err=True
    )
    raise typer.Exit(int(ExitCode.USAGE))
