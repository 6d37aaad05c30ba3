"""Subagents: the ``task`` tool runs a focused job in a child loop with a fresh context.

A child has its own conversation (so exploration does not crowd the parent's
window), a restricted tool set, optionally another model, and the parent's
permission rules, mode, hooks and person to ask — a subagent can never do what
its parent could not. Its events reach the parent's stream with ``parent_id`` set
to the ``task`` call, so UIs can nest them; its final answer is the tool result.
Several ``task`` calls in one answer run concurrently.

Definitions: built-in ``general-purpose`` (every tool but ``task``) and
``explorer`` (read-only search), plus ``.tau/agents/*.md`` — frontmatter ``name``,
``description``, ``tools`` and ``model``, the body being the system prompt. Project
definitions load only in trusted folders: they choose which tools run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field, JsonValue

from tau_cli.agent import Provider
from tau_cli.core import (
    ConfigError,
    Event,
    Interaction,
    Message,
    ModelCapabilities,
    ToolDefinition,
    ToolResult,
)
from tau_cli.memory import MemoryFileError, parse_frontmatter
from tau_cli.runtime.hooks import HookRunner
from tau_cli.runtime.loop import AgentLoop, LoopOptions
from tau_cli.session import ContextBudget, ContextManager, Session
from tau_cli.tools import (
    Environment,
    PermissionPolicy,
    Tool,
    ToolContext,
    ToolRegistry,
    ToolSession,
    canonical_tool_name,
)
from tau_cli.tools.builtin import Arguments

Emit = Callable[[object], Awaitable[None]]

_GENERAL = """\
You are a subagent of tau, given one focused task by the main agent. Work on it with your \
tools until it is done, then answer with a concise report: what you found or changed, with \
file paths and line numbers, and anything left open. Your report is all the main agent sees."""
_EXPLORER = """\
You are a read-only explorer subagent of tau. Find what the main agent asked for by reading \
and searching the code; change nothing. Answer with a concise report citing file paths and \
line numbers."""


@dataclass(frozen=True)
class AgentDefinition:
    name: str
    description: str
    system_prompt: str
    tools: tuple[str, ...] | None = None
    """Tool names this agent may use; None means every tool but ``task``."""
    model: str | None = None
    source: str = "built-in"


BUILT_IN_AGENTS = (
    AgentDefinition(
        "general-purpose",
        "Researches, edits and runs commands for a multi-step task of its own.",
        _GENERAL,
    ),
    AgentDefinition(
        "explorer",
        "Searches and reads the code to answer a question; changes nothing. Fast and cheap "
        "for 'where is X', 'how does Y work'.",
        _EXPLORER,
        tools=("read", "glob", "grep"),
    ),
)


def load_agent_definitions(folder: Path) -> list[AgentDefinition]:
    """The definitions in ``folder/*.md``; a malformed file is a ``ConfigError`` naming it."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.md")):
        try:
            front, body = parse_frontmatter(path, path.read_text(encoding="utf-8"))
        except (MemoryFileError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"cannot read this agent definition: {exc}", path=str(path)) from exc
        data = front.data if front is not None else {}
        name = data.get("name") or path.stem
        description = data.get("description")
        if not isinstance(name, str) or not isinstance(description, str) or not description:
            raise ConfigError(
                "an agent definition needs 'name' and 'description' in its frontmatter",
                path=str(path),
                line=1,
            )
        tools = data.get("tools")
        if isinstance(tools, str):
            tools = [t.strip() for t in tools.split(",") if t.strip()]
        if tools is not None and not (
            isinstance(tools, list) and all(isinstance(t, str) for t in tools)
        ):
            raise ConfigError("'tools' must be a list of tool names", path=str(path), line=1)
        model = data.get("model")
        found.append(
            AgentDefinition(
                name=name,
                description=description,
                system_prompt=body.strip() or _GENERAL,
                tools=tuple(canonical_tool_name(t) for t in tools) if tools is not None else None,
                model=model if isinstance(model, str) else None,
                source=str(path),
            )
        )
    return found


@dataclass
class SubagentFactory:
    """What a child loop is made of; shared with the parent where safety requires it."""

    provider: Provider
    capabilities: ModelCapabilities
    environment: Environment
    policy: PermissionPolicy
    interaction: Interaction
    hooks: HookRunner
    tools: Sequence[Tool]
    facts: str
    cwd: Path
    max_iterations: int = 50
    provider_for: Callable[[str], tuple[Provider, ModelCapabilities]] | None = None
    """Builds a provider for a definition that names another model."""

    def make_loop(self, definition: AgentDefinition) -> AgentLoop:
        provider, capabilities = self.provider, self.capabilities
        if definition.model and self.provider_for is not None:
            provider, capabilities = self.provider_for(definition.model)
        allowed = [
            t
            for t in self.tools
            if t.name != TASK_TOOL and (definition.tools is None or t.name in definition.tools)
        ]
        session = Session(cwd=self.cwd, model=provider.name)
        session.append(Message.system(f"{definition.system_prompt}\n\n{self.facts}"))
        return AgentLoop(
            provider=provider,
            session=session,
            context=ContextManager(ContextBudget.for_model(capabilities)),
            registry=ToolRegistry(allowed),
            tool_context=ToolContext(
                environment=self.environment,
                session=ToolSession(cwd=str(self.cwd)),
                hidden=self.policy.read_denied,
            ),
            policy=self.policy,
            interaction=self.interaction,
            hooks=self.hooks,
            capabilities=capabilities,
            options=LoopOptions(max_iterations=self.max_iterations),
            _started_session=session.id,  # SessionStart hooks are the parent's, not a child's
        )


TASK_TOOL = "task"


class _TaskArguments(Arguments):
    agent: str = Field(default="general-purpose", description="Which subagent to use.")
    description: str = Field(description="3-7 words on what the subagent does, shown to the user.")
    prompt: str = Field(
        description="The complete task: the subagent sees nothing of this conversation, so "
        "include every detail it needs and say what its report should contain."
    )


@dataclass
class TaskTool:
    factory: SubagentFactory
    agents: dict[str, AgentDefinition]
    parent_emit: Callable[[], Emit | None]
    """The running turn's event sink; child events are forwarded to it."""
    read_only: bool = True  # its effects are each checked by the child's own gate
    _definition: ToolDefinition = field(init=False)

    def __post_init__(self) -> None:
        listed = "\n".join(f"- {a.name}: {a.description}" for a in self.agents.values())
        self._definition = ToolDefinition.from_model(
            TASK_TOOL,
            "Run a subagent on a focused task with a fresh context, and get its report back. "
            "Use it for broad searches or self-contained jobs that would otherwise fill this "
            "conversation; several task calls in one answer run in parallel.\n\n"
            f"Available agents:\n{listed}\n\n"
            'Example: {"agent": "explorer", "description": "Find the retry logic", '
            '"prompt": "Find where HTTP retries are implemented and list the files and '
            'functions involved."}',
            _TaskArguments,
        )

    @property
    def name(self) -> str:
        return TASK_TOOL

    @property
    def definition(self) -> ToolDefinition:
        return self._definition

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        args = _TaskArguments.model_validate(arguments)
        definition = self.agents.get(args.agent)
        if definition is None:
            known = ", ".join(sorted(self.agents))
            return ToolResult.error(f"There is no agent {args.agent!r}. Available: {known}.")
        loop = self.factory.make_loop(definition)
        parent = self.parent_emit()

        async def forward(event: object) -> None:
            if parent is not None and isinstance(event, Event):
                await parent(event.model_copy(update={"parent_id": context.call_id}))

        try:
            finished = await loop.run_turn(args.prompt, forward)
        finally:
            await loop.tool_context.session.close()
        await self.factory.hooks.run(
            "SubagentStop", {"agent": definition.name, "reason": finished.reason}
        )
        report = next(
            (m.text for m in reversed(loop.session.messages) if m.role == "assistant" and m.text),
            "",
        )
        if finished.reason != "completed":
            why = finished.error.message if finished.error else finished.reason.replace("_", " ")
            return ToolResult.error(
                f"The {definition.name} subagent stopped early ({why}).\n{report}"
            )
        return ToolResult(
            text=report or f"The {definition.name} subagent finished without a report."
        )
