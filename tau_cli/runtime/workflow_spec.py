"""The format of ``.tau/workflows/NAME.yaml``, and reading it with line numbers.

The models here say what a workflow file may contain; ``read_workflow_file`` checks
a file against them and turns every problem (bad YAML, an unknown key, a wrong
type) into one ``ConfigError`` naming the file, the line and the key, the way
settings files report theirs. Whether the names in the file fit together (edges to
real nodes, conditions over real channels) is the compiler's check, which uses the
line table kept here to point at the right place as well.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from tau_cli.core import ConfigError
from tau_cli.runtime.yaml_lines import KeyPath, line_for, read_yaml

ChannelType = Literal["str", "int", "float", "bool", "list", "dict", "any"]
ReducerName = Literal["replace", "append", "merge"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChannelSpec(_Model):
    """One state channel a workflow declares under ``state:``."""

    type: ChannelType = "str"
    """What it holds: str, int, float, bool, list, dict or any."""
    reducer: ReducerName = "replace"
    """How a write combines with the value there: replace, append (lists) or merge (dicts)."""
    default: JsonValue = None
    """The value before any node writes; without one, reading it first is an error."""
    description: str = ""

    @model_validator(mode="after")
    def _reducer_fits(self) -> Self:
        if self.reducer == "append" and self.type not in ("list", "any"):
            raise ValueError("the append reducer needs a channel of type list")
        if self.reducer == "merge" and self.type not in ("dict", "any"):
            raise ValueError("the merge reducer needs a channel of type dict")
        return self


class InputSpec(_Model):
    """One input a run takes with ``--input NAME=VALUE``; it becomes a channel."""

    type: Literal["str", "int", "float", "bool"] = "str"
    default: str | int | float | bool | None = None
    """Used when the input is not given; without one the input is required."""
    description: str = ""


class AgentSpec(_Model):
    """A tau agent: one turn of a runtime with this prompt, tools and model."""

    prompt: str
    """The task, with ``{{ expression }}`` placeholders filled from the state."""
    tools: list[str] | None = None
    """Tool names the agent may use; omitted means every tool ``tau run`` has, [] none."""
    model: str | None = None
    """``provider:model``; the configured model when omitted."""
    max_iterations: int | None = Field(default=None, ge=1)
    """Model calls the agent may make in its turn."""


class NodeSpec(_Model):
    """One step: exactly one of ``agent``, ``shell`` or ``workflow``."""

    agent: AgentSpec | None = None
    shell: str | None = None
    """A bash command; ``{{ }}`` values are shell-quoted."""
    workflow: str | None = None
    """The name of another workflow in ``.tau/workflows/`` to run as this step."""
    input: dict[str, str] = Field(default_factory=dict)
    """For ``workflow``: the inner run's inputs, as templates over this state."""
    writes: str | list[str] | None = None
    """Channels that receive the result: the agent's answer, the command's output,
    the inner workflow's ``output`` channel."""
    status: str | None = None
    """For ``shell``: a channel for the exit status; a failing command then does not
    stop the run."""
    timeout: float | None = Field(default=None, gt=0)
    """For ``shell``: seconds before the command is killed."""

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        kinds = [k for k in ("agent", "shell", "workflow") if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = " and ".join(kinds) if kinds else "none"
            raise ValueError(f"a node is exactly one of agent, shell or workflow (found {found})")
        if self.input and self.workflow is None:
            raise ValueError("'input' belongs to a workflow node")
        if (self.status is not None or self.timeout is not None) and self.shell is None:
            raise ValueError("'status' and 'timeout' belong to a shell node")
        return self

    @property
    def kind(self) -> Literal["agent", "shell", "workflow"]:
        if self.agent is not None:
            return "agent"
        return "shell" if self.shell is not None else "workflow"

    @property
    def written(self) -> list[str]:
        if self.writes is None:
            return []
        return [self.writes] if isinstance(self.writes, str) else list(self.writes)


class EdgeSpec(_Model):
    """After ``from`` (all of them, for a list) run ``to``, if ``when`` holds."""

    from_: str | list[str] = Field(alias="from")
    to: str
    """A node, or END to finish the branch."""
    when: str | None = None
    """A condition over the state. When an edge out of a node has one, that node's
    edges are tried in order and only the first that holds is taken (an edge
    without ``when`` always holds); otherwise all of them are taken."""


class WorkflowSpec(_Model):
    """A whole workflow file."""

    description: str = ""
    inputs: dict[str, InputSpec | None] = Field(default_factory=dict)
    state: dict[str, ChannelSpec] = Field(default_factory=dict)
    start: str | list[str]
    """The node (or nodes, side by side) a run begins with."""
    nodes: dict[str, NodeSpec] = Field(min_length=1)
    edges: list[EdgeSpec] = Field(default_factory=list)
    output: str | None = None
    """The channel that holds the answer: printed by ``tau workflow run``, and what a
    workflow node of another workflow writes."""
    step_limit: int = Field(default=25, ge=1, le=10_000)
    """The most steps a run may take; a loop that goes on longer stops the run."""
    interrupt_before: list[str] = Field(default_factory=list)
    """Nodes before which a run pauses for a person; ``tau workflow resume`` goes on."""


@dataclass(frozen=True)
class WorkflowFile:
    """A checked workflow file: its spec, and where each key is, for later errors."""

    name: str
    path: Path
    spec: WorkflowSpec
    lines: dict[KeyPath, int]

    def error(self, message: str, key: KeyPath) -> ConfigError:
        """A ``ConfigError`` about ``key`` of this file, with its line."""
        return ConfigError(
            message, path=str(self.path), line=line_for(self.lines, key), key=dotted(key)
        )


def read_workflow_file(path: Path, name: str | None = None) -> WorkflowFile:
    """Read and check ``path``; every problem is one ``ConfigError`` with file and line."""
    data, lines = read_yaml(path, "the workflow")
    if not isinstance(data, dict):
        shown = "empty" if data is None else f"a {type(data).__name__}"
        raise ConfigError(
            f"a workflow is a mapping with 'start' and 'nodes', not {shown}",
            path=str(path),
            line=1,
        )
    try:
        spec = WorkflowSpec.model_validate(data)
    except ValidationError as exc:
        raise _config_error(path, lines, exc) from None
    return WorkflowFile(name or path.stem, path, spec, lines)


def dotted(key: KeyPath) -> str:
    """``('nodes', 'a', 'edges', 0)`` as ``nodes.a.edges[0]``."""
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _config_error(path: Path, lines: dict[KeyPath, int], exc: ValidationError) -> ConfigError:
    problems: list[tuple[KeyPath, str]] = []
    for error in exc.errors(include_url=False):
        key = _file_key(error["loc"], lines)
        problems.append((key, _describe(key, error)))
    key, text = problems[0]
    if len(problems) == 1:
        return ConfigError(text, path=str(path), line=line_for(lines, key), key=dotted(key))
    listed = [f"line {line_for(lines, k) or '?'}: {t}" for k, t in problems]
    return ConfigError("\n  " + "\n  ".join(listed), path=str(path), key=dotted(key))


def _file_key(loc: tuple[str | int, ...], lines: dict[KeyPath, int]) -> KeyPath:
    """The key as written in the file: pydantic's union branch names dropped."""
    key: list[str | int] = []
    for part in loc:
        candidate = (*key, part)
        if candidate in lines or isinstance(part, int) or not _is_branch_name(part):
            key.append(part)
    return tuple(key)


def _is_branch_name(part: str | int) -> bool:
    return isinstance(part, str) and (
        part.startswith("function-") or part in {"str", "list[str]", "NodeSpec", "InputSpec"}
    )


def _describe(key: KeyPath, error: Any) -> str:
    name = dotted(key) or "the file"
    if error["type"] == "extra_forbidden":
        hint = _suggest(key)
        return f"unknown key {name!r}" + (f" (did you mean {hint!r}?)" if hint else "")
    if error["type"] == "missing":
        return f"{name!r} is required"
    message = str(error["msg"]).removeprefix("Value error, ")
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f", got {got!r}"
    return f"key {name!r}: {message[0].lower()}{message[1:]}{shown}"


_KNOWN: dict[str, list[str]] = {
    "top": list(WorkflowSpec.model_fields),
    "node": list(NodeSpec.model_fields),
    "agent": list(AgentSpec.model_fields),
    "edge": ["from", "to", "when"],
    "channel": list(ChannelSpec.model_fields),
    "input": list(InputSpec.model_fields),
}


def _suggest(key: KeyPath) -> str | None:
    match key:
        case (str(),):
            known = _KNOWN["top"]
        case ("nodes", str(), str()):
            known = _KNOWN["node"]
        case ("nodes", str(), "agent", str()):
            known = _KNOWN["agent"]
        case ("edges", int(), str()):
            known = _KNOWN["edge"]
        case ("state", str(), str()):
            known = _KNOWN["channel"]
        case ("inputs", str(), str()):
            known = _KNOWN["input"]
        case _:
            return None
    matches = difflib.get_close_matches(str(key[-1]), known, n=1)
    return matches[0] if matches else None
