"""Checkpoints: where a graph run stands, saved so a crashed or paused run can go on.

A ``Checkpoint`` holds the state at the start of the step being run, the nodes of that
step, the writes of those nodes that already finished, and how far each join has
got. The runner saves one when a run starts, each time a node finishes, after every
step, and when the run pauses or ends; resuming runs only the nodes of the open
step that had not finished, so no completed node ever runs twice.

``MemoryCheckpointStore`` keeps them in a dict (tests, one process).
``JsonCheckpointStore`` keeps one JSON file per run in a directory and replaces it
atomically (write a temporary file, flush it to disk, rename it over the old one),
so a crash at any moment leaves either the previous checkpoint or the new one, never
half of one.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tau_cli.orchestrate._errors import CheckpointError

RunStatus = Literal["running", "interrupted", "finished"]


class Checkpoint(BaseModel):
    """One saved position of a graph run. Values are plain JSON data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    graph: str
    """Fingerprint of the graph's shape, so a run never resumes on a different graph."""
    status: RunStatus = "running"
    step: int = Field(default=0, ge=0)
    """Steps completed so far."""
    state: dict[str, Any] = Field(default_factory=dict)
    """The state at the start of the open step (the final state once finished)."""
    next: list[str] = Field(default_factory=list)
    """The nodes of the open step."""
    done: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    """Nodes of the open step that finished, with the writes they made."""
    waiting: dict[str, list[str]] = Field(default_factory=dict)
    """For each join (by target), the sources that already finished."""
    released: bool = False
    """A person answered the interrupt before the open step; do not pause there again."""


class CheckpointStore(Protocol):
    """Where checkpoints live. Only the latest checkpoint of each run is kept."""

    async def save(self, checkpoint: Checkpoint) -> None:
        """Store ``checkpoint`` as the latest one of its run."""
        ...

    async def load(self, run_id: str) -> Checkpoint | None:
        """The latest checkpoint of ``run_id``, or None if there is none."""
        ...

    async def list_runs(self) -> list[str]:
        """Every run id with a checkpoint, sorted."""
        ...


class MemoryCheckpointStore:
    """Checkpoints in a dict: for tests and runs that need not survive the process."""

    def __init__(self) -> None:
        self._runs: dict[str, Checkpoint] = {}

    async def save(self, checkpoint: Checkpoint) -> None:
        self._runs[checkpoint.run_id] = checkpoint

    async def load(self, run_id: str) -> Checkpoint | None:
        return self._runs.get(run_id)

    async def list_runs(self) -> list[str]:
        return sorted(self._runs)


_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class JsonCheckpointStore:
    """One ``RUN_ID.json`` file per run in ``directory``, each replaced atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, run_id: str) -> Path:
        """The file that holds ``run_id``'s checkpoint."""
        if not _RUN_ID.fullmatch(run_id):
            raise CheckpointError(
                f"run id {run_id!r} is not usable as a file name; use letters, digits, "
                "'.', '_' and '-' (starting with a letter or digit)"
            )
        return self.directory / f"{run_id}.json"

    async def save(self, checkpoint: Checkpoint) -> None:
        path = self.path(checkpoint.run_id)
        try:
            await asyncio.to_thread(_write_atomically, path, checkpoint.model_dump_json(indent=1))
        except OSError as exc:
            raise CheckpointError(f"{path}: cannot write the checkpoint: {exc.strerror}") from exc

    async def load(self, run_id: str) -> Checkpoint | None:
        path = self.path(run_id)
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CheckpointError(f"{path}: cannot read the checkpoint: {exc.strerror}") from exc
        try:
            return Checkpoint.model_validate_json(text)
        except ValidationError as exc:
            raise CheckpointError(
                f"{path}: not a readable checkpoint ({exc.error_count()} "
                f"problems, first: {exc.errors()[0]['msg']})"
            ) from None

    async def list_runs(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json"))


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
