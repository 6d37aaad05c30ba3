"""Composing a runtime from settings: the wiring every front end shares.

The CLI, the TUI and the ACP server each resolve settings and choose an
``Interaction``; everything else — provider, environment, tools, permissions,
hooks, memory, skills, the system prompt, the session and its context — is built
here the same way for all of them.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tau_cli.agent import Provider, create_provider
from tau_cli.core import (
    ConfigError,
    Event,
    Interaction,
    Message,
    ModelCapabilities,
    ModelRef,
    ProviderConfig,
    ToolCall,
)
from tau_cli.memory import BootstrapMemory, BootstrapOptions, MemoryFileError, load_bootstrap
from tau_cli.runtime.autocommit import AutoCommitter
from tau_cli.runtime.checkpoints import CheckpointStore
from tau_cli.runtime.clarify import AskUserTool
from tau_cli.runtime.environments import build_environment
from tau_cli.runtime.hooks import HookRunner
from tau_cli.runtime.loop import AgentLoop, LoopOptions
from tau_cli.runtime.memory_tools import FeaturesTool, NotesTool, ProgressTool
from tau_cli.runtime.paths import has_project_marker, tau_home
from tau_cli.runtime.plan import EnterPlanModeTool, PlanState, ProposePlanTool, UpdatePlanTool
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.sandbox import SandboxEnvironment
from tau_cli.runtime.sessions import SessionSwitcher
from tau_cli.runtime.settings import Settings
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.runtime.settings_writer import add_allow_rule
from tau_cli.runtime.skill_catalog import load_skill_catalog
from tau_cli.runtime.skill_grants import SkillGrants
from tau_cli.runtime.skill_tool import SkillTool
from tau_cli.runtime.subagents import (
    BUILT_IN_AGENTS,
    TASK_TOOL,
    SubagentFactory,
    TaskTool,
    load_agent_definitions,
)
from tau_cli.runtime.system_prompt import build_system_prompt, environment_facts
from tau_cli.runtime.workspace import Workspace
from tau_cli.session import CalibratedCounter, ContextBudget, ContextManager, Redactor, SessionStore
from tau_cli.skills import Skill, SkillCatalog, SkillMatcher, activate
from tau_cli.skills.activation import ActivationReason
from tau_cli.tools import (
    Environment,
    PermissionPolicy,
    Rule,
    Tool,
    ToolContext,
    ToolRegistry,
    ToolSession,
)
from tau_cli.tools.builtin import builtin_tools

if TYPE_CHECKING:
    from tau_cli.mcp import McpManager

Clock = Callable[[], datetime]
_INTERNAL_TOOLS = frozenset(
    {
        "ask_user",
        "skill",
        "propose_plan",
        "update_plan",
        "enter_plan_mode",
        "progress",
        "features",
        "notes",
        TASK_TOOL,
    }
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Launch:
    """What a front end decides for one runtime."""

    cwd: Path
    interaction: Interaction
    resume: str | None = None
    """A session id to resume; None starts a new session."""
    continue_latest: bool = False
    """Resume the newest session of this project, if there is one."""
    max_iterations: int | None = None
    wrap_environment: Callable[[Environment], Environment] | None = None
    """A front end's layer over the environment settings chose: the ACP server lets an
    editor read and write the text files it has open."""


def model_of(settings: Settings) -> ModelRef:
    if not settings.model:
        raise ConfigError(
            "no model is configured: pass --model provider:model (e.g. ollama:qwen3:8b), "
            "set TAU_MODEL, or put 'model:' in ~/.tau/settings.yaml"
        )
    return ModelRef.parse(settings.model)


def provider_config(settings: Settings, ref: ModelRef) -> ProviderConfig | None:
    entry = settings.providers.get(ref.provider)
    if entry is None:
        return None
    return ProviderConfig(
        kind=entry.kind or ref.provider,
        base_url=entry.base_url,
        api_key=entry.api_key,
        api_version=entry.api_version,
        headers=entry.headers,
    )


def capabilities_of(settings: Settings, ref: ModelRef) -> ModelCapabilities:
    entry = settings.models.get(str(ref))
    return entry.capabilities if entry is not None else ModelCapabilities()


async def open_runtime(
    resolved: ResolvedSettings,
    launch: Launch,
    *,
    environ: Mapping[str, str] | None = None,
    store: SessionStore | None = None,
    clock: Clock = _utc_now,
    approvals: Interaction | None = None,
) -> Runtime:
    """``build_runtime`` with the configured MCP servers started first (when there are any).

    ``approvals`` answers whether a project's new MCP server may start (the launch's
    interaction by default); a UI that cannot ask before it is on screen passes one
    that declines, and the server is reported as awaiting approval.
    """
    env = os.environ if environ is None else environ
    manager: McpManager | None = None
    notices: list[str] = []
    if resolved.settings.mcp_servers or _mcp_files_exist(resolved, env):
        from tau_cli.runtime.mcp_wiring import start_mcp

        manager, notices = await start_mcp(
            resolved, launch.interaction, env, approvals=approvals or launch.interaction
        )
    try:
        return build_runtime(
            resolved, launch, environ=env, store=store, clock=clock, mcp=manager, notices=notices
        )
    except BaseException:
        if manager is not None:
            await manager.aclose()
        raise


def _mcp_files_exist(resolved: ResolvedSettings, env: Mapping[str, str]) -> bool:
    root = resolved.project_root
    candidates = [tau_home(dict(env)) / "mcp.json", root / ".mcp.json", root / ".tau" / "mcp.json"]
    return any(path.is_file() for path in candidates)


def build_runtime(
    resolved: ResolvedSettings,
    launch: Launch,
    *,
    environ: Mapping[str, str] | None = None,
    store: SessionStore | None = None,
    clock: Clock = _utc_now,
    mcp: McpManager | None = None,
    notices: Sequence[str] = (),
) -> Runtime:
    env = os.environ if environ is None else environ
    settings = resolved.settings
    ref = model_of(settings)
    config = provider_config(settings, ref)
    capabilities = capabilities_of(settings, ref)
    provider = create_provider(ref, config, settings.client, capabilities=capabilities, environ=env)
    cwd = launch.cwd.resolve()
    root = resolved.project_root
    home = tau_home(dict(env))
    counter = CalibratedCounter()

    memory = load_memory(resolved, cwd, counter.count_text)
    secrets = [
        p.api_key.get_secret_value() for p in settings.providers.values() if p.api_key is not None
    ]
    chosen = build_environment(
        settings, cwd=cwd, project_root=root, tau_home=home, environ=env, secrets=secrets
    )
    environment = chosen.environment
    if launch.wrap_environment is not None:
        environment = launch.wrap_environment(environment)
    plans = PlanState(folder=root / settings.plans_dir, clock=clock)
    tools: list[Tool] = [*builtin_tools(), AskUserTool(launch.interaction)]
    policy = PermissionPolicy(
        environment,
        workspace=[str(root), *settings.permissions.additional_directories],
        allow=settings.permissions.allow,
        ask=settings.permissions.ask,
        deny=settings.permissions.deny,
        mode=settings.permissions.default_mode,
    )
    catalog = load_skill_catalog(settings, root, home)
    grants = SkillGrants(policy, trusted=resolved.trusted, session=lambda: loop.session)
    if catalog.skills:
        tools.append(SkillTool(catalog, on_load=_announcing_grant(grants, lambda: loop)))
    tools += [
        ProposePlanTool(plans, launch.interaction, policy),
        UpdatePlanTool(plans),
        EnterPlanModeTool(policy),
    ]
    tools += [ProgressTool(root), FeaturesTool(root), NotesTool(root)]
    if mcp is not None:
        from tau_cli.runtime.mcp_wiring import mcp_tools

        tools += mcp_tools(mcp)
    sandbox = environment if isinstance(environment, SandboxEnvironment) else None
    hooks = HookRunner(settings.hooks, project_dir=root, environ=env, sandbox=sandbox)
    facts = environment_facts(cwd, clock())
    agents = {a.name: a for a in BUILT_IN_AGENTS}
    if resolved.trusted:
        agents |= {a.name: a for a in load_agent_definitions(root / ".tau" / "agents")}

    def provider_for(model: str) -> tuple[Provider, ModelCapabilities]:
        other = ModelRef.parse(model)
        caps = capabilities_of(settings, other)
        made = create_provider(
            other, provider_config(settings, other), settings.client, capabilities=caps, environ=env
        )
        return made, caps

    factory = SubagentFactory(
        provider=provider,
        capabilities=capabilities,
        environment=environment,
        policy=policy,
        interaction=launch.interaction,
        hooks=hooks,
        tools=list(tools),
        facts=facts,
        cwd=cwd,
        provider_for=provider_for,
    )
    tools.append(TaskTool(factory, agents, parent_emit=lambda: loop.current_emit))
    registry = ToolRegistry(tools)
    # tau's own tools that touch nothing outside the conversation need no question
    # (a user's deny rule still wins: deny is checked before allow).
    for tool in tools:
        if tool.name in _INTERNAL_TOOLS:
            policy.add_rule(tool.name)
    store = store or SessionStore(scrub=Redactor.from_environment(env, secrets=secrets))
    session = None
    if launch.resume:
        session = store.resume(launch.resume).session
    elif launch.continue_latest:
        latest = store.resume_latest(cwd)
        session = latest.session if latest is not None else None
    if session is None:
        session = store.create(cwd, model=str(ref))
        prompt = build_system_prompt(
            count_tokens=counter.count_text,
            facts=facts,
            memory=memory.render(),
            skills_index=catalog.render_index(),
            extra=(("mcp", _mcp_instructions(mcp)),),
        )
        session.append(Message.system(prompt.text))
    hooks.session_id = session.id
    context = ContextManager(ContextBudget.for_model(capabilities), counter=counter)
    loop = AgentLoop(
        provider=provider,
        session=session,
        context=context,
        registry=registry,
        tool_context=ToolContext(
            environment=environment,
            session=ToolSession(cwd=str(cwd)),
            hidden=policy.read_denied,
        ),
        policy=policy,
        interaction=launch.interaction,
        hooks=hooks,
        capabilities=capabilities,
        options=LoopOptions(max_iterations=launch.max_iterations or settings.max_iterations),
        save_rule=lambda rule: _save_rule(root, rule),
    )
    plans.on_approved.append(loop.pinned.append)
    loop.after_tool = _memory_of_touched_folders(memory)
    if catalog.skills:
        loop.prompt_context = _skill_context(
            catalog, grants, counter.count_text, lambda: loop.session.id
        )
    checkpoints = None
    if settings.checkpoints and has_project_marker(root):
        # Without git every turn warns that it has no checkpoint, rather than silently.
        checkpoints = CheckpointStore(home, session.id, root)
    auto_commit = None
    if settings.auto_commit and checkpoints is not None:
        auto_commit = AutoCommitter(root)
    elif settings.auto_commit:
        notices = [
            *notices,
            "auto_commit is on, but checkpoints are off here: nothing is committed",
        ]
    notices = [
        *notices,
        *(f"hook {c!r} runs outside the sandbox (sandbox: false)" for c in hooks.unsandboxed()),
    ]
    closers: list[Callable[[], Awaitable[None]]] = [mcp.aclose] if mcp is not None else []
    if chosen.close is not None:
        closers.append(chosen.close)
    workspace = Workspace(
        root=root,
        cwd=cwd,
        tau_home=home,
        model=str(ref),
        rule_sources=_rule_sources(resolved),
        builtin_rules=frozenset(t.name for t in tools if t.name in _INTERNAL_TOOLS),
        describe_memory=lambda: _describe_memory(resolved, cwd, counter.count_text),
        skills=catalog if catalog.skills else None,
        mcp=mcp,
        provider_for=provider_for,
    )
    return Runtime(
        loop,
        clock=clock,
        closers=closers,
        notices=notices,
        environment=chosen.description,
        checkpoints=checkpoints,
        auto_commit=auto_commit,
        sessions=SessionSwitcher(
            store,
            cwd,
            model=str(ref),
            system_prompt=next((m.text for m in session.messages if m.role == "system"), ""),
        ),
        workspace=workspace,
    )


def _describe_memory(
    resolved: ResolvedSettings, cwd: Path, count_tokens: Callable[[str], int]
) -> str:
    try:
        return load_memory(resolved, cwd, count_tokens).describe()
    except ConfigError as exc:
        return f"memory cannot be read: {exc}"


def _rule_sources(resolved: ResolvedSettings) -> dict[tuple[str, str], str]:
    """Where each configured permission rule was set, for ``/permissions``."""
    permissions = resolved.settings.permissions
    sources: dict[tuple[str, str], str] = {}
    for kind, rules in (
        ("allow", permissions.allow),
        ("ask", permissions.ask),
        ("deny", permissions.deny),
    ):
        for i, rule in enumerate(rules):
            try:
                key = str(Rule.parse(rule))  # as the policy writes it (``read``, not ``Read``)
            except ConfigError:  # the policy refused it already; keep the text as written
                key = rule
            sources[(kind, key)] = str(resolved.source_of(f"permissions.{kind}[{i}]"))
    return sources


def _mcp_instructions(mcp: McpManager | None) -> str:
    if mcp is None:
        return ""
    from tau_cli.runtime.mcp_wiring import mcp_instructions

    return mcp_instructions(mcp)


def load_memory(
    resolved: ResolvedSettings, cwd: Path, count_tokens: Callable[[str], int]
) -> BootstrapMemory:
    memory_settings = resolved.settings.memory
    compat = tuple(
        name
        for name, wanted in (
            ("AGENTS.md", memory_settings.load_agents_md),
            ("CLAUDE.md", memory_settings.load_claude_md),
        )
        if wanted
    )
    options = BootstrapOptions(tau_home=tau_home(), compat_files=compat, trusted=resolved.trusted)
    try:
        return load_bootstrap(cwd, count_tokens, options)
    except MemoryFileError as exc:
        raise ConfigError(str(exc)) from exc


def _memory_of_touched_folders(memory: BootstrapMemory) -> Callable[[ToolCall], str | None]:
    """A sub-folder's TAU.md, loaded the first time a tool touches that folder.

    It reaches the model with that tool's result, so the system prompt never changes.
    """

    def after(call: ToolCall) -> str | None:
        for key in ("file_path", "path"):
            value = call.arguments.get(key)
            if isinstance(value, str) and value:
                try:
                    added = memory.touch(Path(value))
                except MemoryFileError as exc:
                    return f"(A memory file here could not be read: {exc})"
                if added:
                    return "\n".join(source.section for source in added)
        return None

    return after


def _skill_context(
    catalog: SkillCatalog,
    grants: SkillGrants,
    count_tokens: Callable[[str], int],
    session_id: Callable[[], str],
) -> Callable[[str], list[tuple[str, Event]]]:
    """Level 2 on demand: a prompt that matches a skill brings its instructions along,
    once per session (the model can still load any skill itself with the skill tool).
    The skill is active from then on, so its ``allowed-tools`` are granted too."""
    matcher = SkillMatcher(catalog.skills.values())
    loaded: set[str] = set()
    loaded_in = ""

    def context(prompt: str) -> list[tuple[str, Event]]:
        nonlocal loaded_in
        if session_id() != loaded_in:  # /clear or /resume: a new session loads anew
            loaded_in = session_id()
            loaded.clear()
        found: list[tuple[str, Event]] = []
        for match in matcher.match(prompt):
            if match.skill.name in loaded:
                continue
            loaded.add(match.skill.name)
            reason: ActivationReason = "command" if match.reason == "command" else "matcher"
            found.append(activate(match.skill, reason, count_tokens))
            notice = grants.activate(match.skill)
            if notice is not None:
                found.append(("", notice))
        return found

    return context


def _announcing_grant(
    grants: SkillGrants, loop: Callable[[], AgentLoop]
) -> Callable[[Skill], Awaitable[None]]:
    """What the skill tool does once the model loaded a skill: grant, and say so."""

    async def on_load(skill: Skill) -> None:
        notice = grants.activate(skill)
        emit = loop().current_emit
        if notice is not None and emit is not None:
            await emit(notice)

    return on_load


def _save_rule(root: Path, rule: str) -> None:
    add_allow_rule(root, rule)
