"""Running a project's workflows: finding them, wiring their nodes, saving every step.

Workflows live in ``.tau/workflows/NAME.yaml``. Runs are checkpointed in
``.tau/runs/`` (one ``RUN_ID.json`` per run, replaced atomically at every step, plus
``info/RUN_ID.json`` saying which workflow with which inputs), so a run killed
half-way is resumed with ``WorkflowRunner.resume`` and runs only what had not
finished. Events — the graph's progress and each agent's turn — go to one sink,
stamped like a session's (``seq``, ``session_id`` = the run id, ``time``), which is
what ``tau workflow run --output-format stream-json`` prints.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from tau_cli import orchestrate
from tau_cli.core import ConfigError, ErrorInfo, Event, Interaction, TauError
from tau_cli.orchestrate import (
    Checkpoint,
    CheckpointError,
    JsonCheckpointStore,
    RunResult,
    WorkflowEvent,
)
from tau_cli.runtime import events
from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.client import RuntimeClient
from tau_cli.runtime.environments import build_environment
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.runtime.workflow_compiler import (
    CompiledWorkflow,
    OpenAgent,
    UnknownTools,
    WorkflowParts,
    compile_workflow,
)
from tau_cli.runtime.workflow_nodes import EventSink
from tau_cli.runtime.workflow_spec import AgentSpec, read_workflow_file
from tau_cli.tools import ToolRegistry, canonical_tool_name

WORKFLOWS_DIR = Path(".tau") / "workflows"
RUNS_DIR = Path(".tau") / "runs"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class WorkflowStepFailed(TauError):
    """Several nodes of one step failed; the message lists each one's error."""


@dataclass(frozen=True)
class WorkflowInfo:
    """One workflow file, as ``tau workflow list`` shows it."""

    name: str
    path: Path
    description: str
    problem: str | None = None
    """Why the file cannot be used, when it cannot."""


def find_workflow(root: Path, name: str) -> Path | None:
    """``.tau/workflows/NAME.yaml`` (or ``.yml``) of the project at ``root``, if it exists."""
    if not _NAME.fullmatch(name):
        return None
    for suffix in (".yaml", ".yml"):
        path = root / WORKFLOWS_DIR / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def list_workflows(root: Path) -> list[WorkflowInfo]:
    """Every workflow of the project, by name; a broken file is listed with its problem."""
    folder = root / WORKFLOWS_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            file = read_workflow_file(path)
        except ConfigError as exc:
            found.append(WorkflowInfo(path.stem, path, "", problem=str(exc)))
            continue
        found.append(WorkflowInfo(file.name, path, file.spec.description))
    return found


class RunInfo(BaseModel):
    """What a run is: its workflow and inputs (the checkpoint holds where it stands)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    workflow: str
    inputs: dict[str, Any]
    started: datetime


class RunStore:
    """The runs of one project, in ``.tau/runs/``."""

    def __init__(self, root: Path) -> None:
        self.directory = root / RUNS_DIR
        self.checkpoints = JsonCheckpointStore(self.directory)

    def _info_path(self, run_id: str) -> Path:
        return self.checkpoints.path(run_id).parent / "info" / f"{run_id}.json"

    def record(self, info: RunInfo) -> None:
        path = self._info_path(info.run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            # Runs hold model answers and inputs: never committed by accident.
            ignore.write_text("*\n", encoding="utf-8")
        temporary = path.with_suffix(".tmp")
        temporary.write_text(info.model_dump_json(indent=1), encoding="utf-8")
        os.replace(temporary, path)

    def has(self, run_id: str) -> bool:
        """Whether a run of this id was recorded (an unusable id never was)."""
        try:
            return self._info_path(run_id).is_file()
        except CheckpointError:
            return False

    def info(self, run_id: str) -> RunInfo:
        """The run's record; ``CheckpointError`` when there is no such run."""
        path = self._info_path(run_id)
        try:
            return RunInfo.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CheckpointError(f"there is no workflow run {run_id!r} in this project") from None
        except (OSError, ValidationError) as exc:
            raise CheckpointError(f"{path}: cannot read the run's record: {exc}") from None

    async def checkpoint(self, run_id: str) -> Checkpoint | None:
        return await self.checkpoints.load(run_id)

    def runs(self) -> list[RunInfo]:
        """Every recorded run, newest first."""
        folder = self.directory / "info"
        if not folder.is_dir():
            return []
        found = []
        for path in folder.glob("*.json"):
            try:
                found.append(RunInfo.model_validate_json(path.read_text(encoding="utf-8")))
            except (OSError, ValidationError):
                continue
        return sorted(found, key=lambda r: r.started, reverse=True)


def settings_agents(
    resolved: ResolvedSettings,
    cwd: Path,
    interaction: Interaction,
    *,
    environ: Mapping[str, str] | None = None,
) -> OpenAgent:
    """Agent nodes as ``tau run`` builds its runtime, with each node's model and tools."""

    async def open_agent(agent: AgentSpec) -> RuntimeClient:
        settings = resolved
        if agent.model is not None:
            changed = resolved.settings.model_copy(update={"model": agent.model})
            settings = dataclasses.replace(resolved, settings=changed)
        launch = Launch(cwd=cwd, interaction=interaction, max_iterations=agent.max_iterations)
        runtime = await open_runtime(settings, launch, environ=environ)
        if agent.tools is not None:
            try:
                _keep_tools(runtime, agent.tools)
            except UnknownTools:
                await runtime.aclose()
                raise
        return runtime

    return open_agent


def _keep_tools(runtime: Runtime, names: list[str]) -> None:
    registry = runtime.loop.registry
    wanted = [canonical_tool_name(name) for name in names]
    missing = [name for name in wanted if name not in registry]
    if missing:
        raise UnknownTools(missing, sorted(tool.name for tool in registry))
    runtime.loop.registry = ToolRegistry(
        [tool for tool in registry if tool.name in wanted],
        timeout=registry.timeout,
        max_output_chars=registry.max_output_chars,
    )


def workflow_parts(
    resolved: ResolvedSettings,
    cwd: Path,
    interaction: Interaction,
    *,
    environ: Mapping[str, str] | None = None,
) -> WorkflowParts:
    """Everything a project's workflow nodes are made of, from its settings."""
    env = dict(os.environ if environ is None else environ)
    secrets = [
        p.api_key.get_secret_value()
        for p in resolved.settings.providers.values()
        if p.api_key is not None
    ]
    chosen = build_environment(
        resolved.settings,
        cwd=cwd,
        project_root=resolved.project_root,
        tau_home=tau_home(env),
        environ=env,
        secrets=secrets,
    )
    root = resolved.project_root
    return WorkflowParts(
        open_agent=settings_agents(resolved, cwd, interaction, environ=environ),
        environment=chosen.environment,
        find=lambda name: find_workflow(root, name),
    )


class WorkflowRunner:
    """Starts and resumes a project's workflow runs, checkpointing every step.

    Args:
        root: the project's root (``.tau/workflows`` and ``.tau/runs`` are under it).
        parts: what nodes are made of (``workflow_parts``); its ``events`` is replaced
            by the stamped sink of each run.
        clock: for event times and run records.
    """

    def __init__(self, root: Path, parts: WorkflowParts, *, clock: Clock = _utc_now) -> None:
        self.root = root
        self.parts = parts
        self.store = RunStore(root)
        self._clock = clock

    def load(self, name: str, emit: EventSink | None = None) -> CompiledWorkflow:
        """Compile the workflow ``name``; ``ConfigError`` if it is missing or broken."""
        path = find_workflow(self.root, name)
        if path is None:
            known = ", ".join(info.name for info in list_workflows(self.root)) or "none"
            raise ConfigError(
                f"there is no workflow {name!r} in {self.root / WORKFLOWS_DIR} (workflows: {known})"
            )
        parts = dataclasses.replace(self.parts, events=emit)
        return compile_workflow(read_workflow_file(path, name), parts)

    async def start(
        self,
        name: str,
        inputs: Mapping[str, object],
        emit: Callable[[Event], Awaitable[None]],
        *,
        run_id: str | None = None,
    ) -> tuple[CompiledWorkflow, RunResult]:
        """Run ``name`` with ``inputs`` to its end (or an interrupt)."""
        run_id = run_id or _new_run_id(self._clock())
        sink = self._stamper(run_id, emit)
        compiled = self.load(name, sink)
        values = compiled.inputs_from(inputs)
        if await self.store.checkpoint(run_id) is not None:  # also refuses an unusable id
            raise CheckpointError(f"run {run_id!r} already exists; resume it instead")
        self.store.record(
            RunInfo(run_id=run_id, workflow=name, inputs=values, started=self._clock())
        )
        result = await self._guard(
            run_id,
            sink,
            compiled.workflow.run(
                values, run_id=run_id, checkpoints=self.store.checkpoints, observer=sink
            ),
        )
        return compiled, result

    async def resume(
        self,
        run_id: str,
        emit: Callable[[Event], Awaitable[None]],
        *,
        answer: Mapping[str, object] | None = None,
    ) -> tuple[CompiledWorkflow, RunResult]:
        """Continue ``run_id`` from its last checkpoint; ``answer`` is written first
        (the reply to an interrupt), converted by each channel's type."""
        info = self.store.info(run_id)
        sink = self._stamper(run_id, emit)
        compiled = self.load(info.workflow, sink)
        written: dict[str, Any] = {}
        for key, value in (answer or {}).items():
            channel = compiled.workflow.schema.channels.get(key)
            if channel is None:
                known = ", ".join(compiled.workflow.schema.channels)
                raise ConfigError(f"{info.workflow} has no channel {key!r} (channels: {known})")
            written[key] = channel.validate(key, value, strict=False)
        result = await self._guard(
            run_id,
            sink,
            compiled.workflow.resume(
                run_id, checkpoints=self.store.checkpoints, input=written, observer=sink
            ),
        )
        return compiled, result

    async def _guard(
        self, run_id: str, sink: Callable[[Event], Awaitable[None]], run: Awaitable[RunResult]
    ) -> RunResult:
        try:
            return await run
        except TauError as exc:
            await sink(events.WorkflowFailed(run_id=run_id, error=_error_info(exc)))
            raise
        except ExceptionGroup as group:
            # Several nodes of one step failed; each already reported its own error.
            failures = [str(e) for e in group.exceptions]
            if len(failures) != len(group.exceptions) or not all(
                isinstance(e, TauError) for e in group.exceptions
            ):
                raise
            error = WorkflowStepFailed("; ".join(failures))
            await sink(events.WorkflowFailed(run_id=run_id, error=_error_info(error)))
            raise error from group

    def _stamper(
        self, run_id: str, emit: Callable[[Event], Awaitable[None]]
    ) -> Callable[[Any], Awaitable[None]]:
        counter = itertools.count(1)

        async def stamp(event: Event | WorkflowEvent) -> None:
            mirror = _MIRRORS.get(type(event))
            if mirror is not None:
                event = mirror.model_validate(event.model_dump())
            await emit(event.stamped(seq=next(counter), session_id=run_id, time=self._clock()))

        return stamp


_MIRRORS: dict[type[Event], type[Event]] = {
    orchestrate.WorkflowStarted: events.WorkflowStarted,
    orchestrate.NodeStarted: events.WorkflowNodeStarted,
    orchestrate.NodeFinished: events.WorkflowNodeFinished,
    orchestrate.NodeErrored: events.WorkflowNodeErrored,
    orchestrate.StateChanged: events.WorkflowStateChanged,
    orchestrate.WorkflowInterrupted: events.WorkflowInterrupted,
    orchestrate.WorkflowFinished: events.WorkflowFinished,
}
"""The graph's events, as the runtime events a UI reads (the same fields)."""


def _error_info(exc: BaseException) -> ErrorInfo:
    cause = exc.__cause__
    message = str(exc)
    if cause is not None and str(cause) and str(cause) not in message:
        message = f"{message}: {cause}"
    return ErrorInfo(kind=type(exc).__name__, message=message)


def _new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
