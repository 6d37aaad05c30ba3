"""``tau workflow list|run|resume|show``: the project's YAML workflows from the terminal.

Progress goes to stderr, the answer (the workflow's ``output`` channel, or the
whole final state as JSON) to stdout, so ``tau workflow run x > out.txt`` keeps
only the result. ``--output-format stream-json`` prints every event as one JSON
line instead. Every step is checkpointed under ``.tau/runs/``: a run that was
killed, failed or paused for input goes on with ``tau workflow resume RUN_ID``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any, Literal

import typer

from tau_cli.cli.exit_codes import ExitCode
from tau_cli.core import ConfigError, Event, Interaction
from tau_cli.orchestrate import RunResult, StepLimitExceeded
from tau_cli.runtime.events import (
    Notice,
    ToolStarted,
    WorkflowFinished,
    WorkflowInterrupted,
    WorkflowNodeErrored,
    WorkflowNodeFinished,
    WorkflowNodeStarted,
    WorkflowStarted,
)
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.runtime.workflow_compiler import CompiledWorkflow
from tau_cli.runtime.workflow_expr import as_text
from tau_cli.runtime.workflow_runs import (
    RunStore,
    WorkflowRunner,
    find_workflow,
    list_workflows,
    workflow_parts,
)

OutputFormat = Literal["text", "json", "stream-json"]
_Go = Callable[[], Coroutine[Any, Any, tuple[CompiledWorkflow, RunResult]]]


def parse_inputs(pairs: list[str]) -> dict[str, str]:
    """``["topic=tides", "n=3"]`` as a mapping; a pair without ``=`` is a usage error."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            typer.echo(f"tau: error: --input takes NAME=VALUE, not {pair!r}", err=True)
            raise typer.Exit(int(ExitCode.USAGE))
        values[name.strip()] = value
    return values


def list_command(resolved: ResolvedSettings) -> None:
    root = resolved.project_root
    found = list_workflows(root)
    if not found:
        typer.echo(f"No workflows in {root / '.tau' / 'workflows'}.")
    for info in found:
        if info.problem is not None:
            typer.echo(f"{info.name}  (cannot be used: {info.problem})")
        else:
            typer.echo(f"{info.name}  {info.description}".rstrip())
    runs = RunStore(root)
    recent = runs.runs()[:10]
    if recent:
        typer.echo("\nRecent runs:")
        for run in recent:
            checkpoint = asyncio.run(runs.checkpoint(run.run_id))
            status: str = checkpoint.status if checkpoint is not None else "not started"
            if status == "running":
                status = "stopped (resumable)"
            typer.echo(f"  {run.run_id}  {run.workflow}  {status}")


def run_command(
    resolved: ResolvedSettings,
    name: str,
    inputs: dict[str, str],
    *,
    output: OutputFormat,
    run_id: str | None,
) -> int:
    runner = _runner(resolved)
    printer = _Printer(output)

    async def go() -> tuple[CompiledWorkflow, RunResult]:
        return await runner.start(name, inputs, printer.emit, run_id=run_id)

    return _finish(go, printer, output)


def resume_command(
    resolved: ResolvedSettings, run_id: str, answer: dict[str, str], output: OutputFormat
) -> int:
    runner = _runner(resolved)
    printer = _Printer(output)

    async def go() -> tuple[CompiledWorkflow, RunResult]:
        return await runner.resume(run_id, printer.emit, answer=answer)

    return _finish(go, printer, output)


def show_command(resolved: ResolvedSettings, run_id: str) -> None:
    """A run's state; given a workflow's name instead, the workflow and its graph."""
    store = RunStore(resolved.project_root)
    if not store.has(run_id) and find_workflow(resolved.project_root, run_id) is not None:
        _show_workflow(resolved, run_id)
        return
    info = store.info(run_id)
    checkpoint = asyncio.run(store.checkpoint(run_id))
    typer.echo(
        f"run {info.run_id} · workflow {info.workflow} · started {info.started:%Y-%m-%d %H:%M}"
    )
    typer.echo(f"inputs: {json.dumps(info.inputs, ensure_ascii=False)}")
    if checkpoint is None:
        typer.echo("status: not started")
        return
    status: str = checkpoint.status
    if status == "running":
        status = "stopped before its end (tau workflow resume continues it)"
    typer.echo(f"status: {status} · {checkpoint.step} steps done")
    if checkpoint.next:
        typer.echo(f"next: {', '.join(checkpoint.next)}")
    if checkpoint.done:
        typer.echo(f"finished in the open step: {', '.join(sorted(checkpoint.done))}")
    typer.echo("state:")
    typer.echo(json.dumps(checkpoint.state, indent=2, ensure_ascii=False))


def _show_workflow(resolved: ResolvedSettings, name: str) -> None:
    compiled = _runner(resolved).load(name)
    spec = compiled.file.spec
    typer.echo(f"workflow {name} · {compiled.file.path}")
    if spec.description:
        typer.echo(spec.description)
    for input_name, entry in spec.inputs.items():
        default = "" if entry is None or entry.default is None else f" (default {entry.default})"
        about = f": {entry.description}" if entry is not None and entry.description else ""
        typer.echo(f"input {input_name}{default}{about}")
    typer.echo(f"step limit: {spec.step_limit}\n")
    typer.echo(compiled.workflow.to_mermaid(), nl=False)


def _runner(resolved: ResolvedSettings) -> WorkflowRunner:
    """Steps run in the project's root, wherever in it tau was started, like the
    workflow files and runs they belong to."""
    interaction: Interaction
    if sys.stdin.isatty() and sys.stderr.isatty():
        from tau_cli.cli.terminal_interaction import TerminalInteraction

        interaction = TerminalInteraction()
    else:
        interaction = NonInteractive()
    return WorkflowRunner(
        resolved.project_root, workflow_parts(resolved, resolved.project_root, interaction)
    )


def _finish(go: _Go, printer: _Printer, output: OutputFormat) -> int:
    try:
        compiled, result = asyncio.run(go())
    except KeyboardInterrupt:
        printer.say("stopped; the last finished step is saved")
        printer.resume_hint()
        return int(ExitCode.ABORTED)
    except StepLimitExceeded as exc:
        printer.say(f"error: {exc}")
        printer.resume_hint()
        return int(ExitCode.LIMIT)
    except ConfigError:
        raise
    except Exception:
        printer.resume_hint()
        raise
    if output == "json":
        payload = {
            "run_id": result.run_id,
            "status": result.status,
            "steps": result.steps,
            "next": result.next,
            "output": _answer(compiled, result),
            "state": result.state.dump(),
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    elif output == "text":
        if result.status == "interrupted":
            printer.say(
                f"paused before {', '.join(result.next)}; continue with "
                f"tau workflow resume {result.run_id} [--input CHANNEL=VALUE]"
            )
        else:
            answer = _answer(compiled, result)
            text = as_text(answer) if compiled.output else json.dumps(answer, indent=2)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return int(ExitCode.OK)


def _answer(compiled: CompiledWorkflow, result: RunResult) -> object:
    if compiled.output is None:
        return result.state.dump()
    return result.state.dump().get(compiled.output)


class _Printer:
    """Shows a run's events: progress lines on stderr, or every event as JSON."""

    def __init__(self, output: OutputFormat) -> None:
        self.output = output
        self.run_id: str | None = None

    def say(self, line: str) -> None:
        sys.stderr.write(f"tau: {line}\n")
        sys.stderr.flush()

    def resume_hint(self) -> None:
        if self.run_id is not None:
            self.say(f"resume with: tau workflow resume {self.run_id}")

    async def emit(self, event: Event) -> None:
        if isinstance(event, WorkflowStarted):
            self.run_id = event.run_id
        if self.output == "stream-json":
            sys.stdout.write(event.model_dump_json() + "\n")
            sys.stdout.flush()
            return
        line = _progress(event)
        if line is not None:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


def _progress(event: Event) -> str | None:
    if isinstance(event, WorkflowStarted):
        verb = f"resumed at step {event.step}" if event.resumed else "started"
        return f"run {event.run_id} {verb}"
    if isinstance(event, WorkflowNodeStarted):
        return f"  ▶ {event.node} (step {event.step})"
    if isinstance(event, WorkflowNodeFinished):
        wrote = f" → {', '.join(event.channels)}" if event.channels else ""
        return f"  ✓ {event.node}{wrote}"
    if isinstance(event, WorkflowNodeErrored):
        return f"  ✗ {event.node}: {event.error.message}"
    if isinstance(event, WorkflowInterrupted):
        return f"paused before {', '.join(event.before)} after {event.step} steps"
    if isinstance(event, WorkflowFinished):
        return f"finished after {event.steps} steps"
    if isinstance(event, ToolStarted):
        return f"      {event.parent_id or ''} → {event.summary}"
    if isinstance(event, Notice) and event.level != "info":
        return f"      {event.parent_id or ''} {event.level}: {event.message}"
    return None
