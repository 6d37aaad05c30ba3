"""Composing a runtime from settings: the wiring every front end shares.

The CLI, the TUI and the ACP server each resolve settings and choose an
``Interaction``; everything else — provider, environment, tools, permissions,
hooks, memory, skills, the system prompt, the session and its context — is built
here the same way for all of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tau_cli.agent import Provider, create_provider
from tau_cli.core import (
    ConfigError,
    Interaction,
    Message,
    ModelCapabilities,
    ModelRef,
    ProviderConfig,
)
from tau_cli.memory import BootstrapOptions, MemoryFileError, load_bootstrap
from tau_cli.runtime.checkpoints import CheckpointStore, has_project_marker
from tau_cli.runtime.clarify import AskUserTool
from tau_cli.runtime.environments import build_environment
from tau_cli.runtime.hooks import HookRunner
from tau_cli.runtime.loop import AgentLoop, LoopOptions
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.plan import PlanState, ProposePlanTool, UpdatePlanTool
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.settings import Settings
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.runtime.settings_writer import add_allow_rule
from tau_cli.runtime.skill_tool import SkillTool
from tau_cli.runtime.subagents import (
    BUILT_IN_AGENTS,
    TASK_TOOL,
    SubagentFactory,
    TaskTool,
    load_agent_definitions,
)
from tau_cli.runtime.system_prompt import SystemPrompt, build_system_prompt, environment_facts
from tau_cli.session import CalibratedCounter, ContextBudget, ContextManager, Redactor, SessionStore
from tau_cli.skills import default_roots, discover_skills
from tau_cli.tools import (
    PermissionPolicy,
    Tool,
    ToolContext,
    ToolRegistry,
    ToolSession,
)
from tau_cli.tools.builtin import builtin_tools

Clock = Callable[[], datetime]
_INTERNAL_TOOLS = frozenset({"ask_user", "skill", "propose_plan", "update_plan", TASK_TOOL})


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


def build_runtime(
    resolved: ResolvedSettings,
    launch: Launch,
    *,
    environ: Mapping[str, str] | None = None,
    store: SessionStore | None = None,
    clock: Clock = _utc_now,
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

    secrets = [
        p.api_key.get_secret_value() for p in settings.providers.values() if p.api_key is not None
    ]
    chosen = build_environment(
        settings, cwd=cwd, project_root=root, tau_home=home, environ=env, secrets=secrets
    )
    environment = chosen.environment
    plans = PlanState(folder=root / settings.plans_dir, clock=clock)
    tools: list[Tool] = [*builtin_tools(), AskUserTool(launch.interaction)]
    configured_skills = [Path(p).expanduser() for p in settings.skills.paths]
    catalog = discover_skills(default_roots(root, home, configured_skills))
    if catalog.skills:
        tools.append(SkillTool(catalog))
    policy = PermissionPolicy(
        environment,
        workspace=[str(root), *settings.permissions.additional_directories],
        allow=settings.permissions.allow,
        ask=settings.permissions.ask,
        deny=settings.permissions.deny,
        mode=settings.permissions.default_mode,
    )
    tools += [ProposePlanTool(plans, launch.interaction, policy), UpdatePlanTool(plans)]
    hooks = HookRunner(settings.hooks, project_dir=root, environ=env)
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
        prompt = system_prompt(resolved, cwd, facts, counter.count_text, catalog.render_index())
        session.append(Message.system(prompt.text))
    hooks.session_id = session.id
    context = ContextManager(ContextBudget.for_model(capabilities), counter=counter)
    loop = AgentLoop(
        provider=provider,
        session=session,
        context=context,
        registry=registry,
        tool_context=ToolContext(environment=environment, session=ToolSession(cwd=str(cwd))),
        policy=policy,
        interaction=launch.interaction,
        hooks=hooks,
        capabilities=capabilities,
        options=LoopOptions(max_iterations=launch.max_iterations or settings.max_iterations),
        save_rule=lambda rule: _save_rule(root, rule),
    )
    plans.on_approved.append(loop.pinned.append)
    checkpoints = None
    if settings.checkpoints and has_project_marker(root):
        # Without git every turn warns that it has no checkpoint, rather than silently.
        checkpoints = CheckpointStore(home, session.id, root)
    return Runtime(loop, clock=clock, environment=chosen.description, checkpoints=checkpoints)


def system_prompt(
    resolved: ResolvedSettings,
    cwd: Path,
    facts: str,
    count_tokens: Callable[[str], int],
    skills_index: str,
) -> SystemPrompt:
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
        memory = load_bootstrap(cwd, count_tokens, options).render()
    except MemoryFileError as exc:
        raise ConfigError(str(exc)) from exc
    return build_system_prompt(
        count_tokens=count_tokens,
        facts=facts,
        memory=memory,
        skills_index=skills_index,
    )


def _save_rule(root: Path, rule: str) -> None:
    add_allow_rule(root, rule)
