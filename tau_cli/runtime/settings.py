"""The settings schema: every key a settings file may hold, with what it means.

Files are ``~/.tau/settings.yaml`` (user), ``.tau/settings.yaml`` (project, shared)
and ``.tau/settings.local.yaml`` (project, personal); environment variables and
command-line flags override them. Loading, merging and trust live in
``settings_loader``; this module only says what is valid. Field docstrings are the
reference documentation.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, SecretStr, field_validator

from tau_cli.core import ClientConfig, ModelCapabilities, ModelPrices, ModelRef, ProviderKind
from tau_cli.core.duration import Duration, parse_duration

PermissionMode = Literal["default", "accept_edits", "plan", "bypass"]
HookEvent = Literal[
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PostToolUse",
    "Stop",
    "SubagentStop",
    "PreCompact",
    "Notification",
    "SessionEnd",
]
_PROVIDER_KINDS = ("ollama", "openai", "azure", "anthropic", "scripted")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PermissionSettings(_Section):
    """Which tool calls run without asking, which are asked, which never run."""

    default_mode: PermissionMode = "default"
    """Mode a session starts in: ``default`` asks before edits and commands,
    ``accept_edits`` applies file edits without asking, ``plan`` only reads and plans,
    ``bypass`` asks nothing (deny rules still hold)."""
    allow: list[str] = Field(default_factory=list)
    """Rules that run without asking, e.g. ``Bash(npm test:*)``, ``Edit(src/**)``."""
    ask: list[str] = Field(default_factory=list)
    """Rules that always ask, even where an allow rule or the mode would not."""
    deny: list[str] = Field(default_factory=list)
    """Rules that never run. Deny beats ask and allow, from any file."""
    additional_directories: list[str] = Field(default_factory=list)
    """Folders outside the project that tools may work in."""


class HookCommand(_Section):
    type: Literal["command"] = "command"
    """The kind of hook; commands are the one kind so far."""
    command: str
    """Shell command; it receives the event as JSON on stdin."""
    timeout: Duration = parse_duration("60s")
    """How long the hook may run before it is killed."""
    on_failure: Literal["ignore", "block"] = "ignore"
    """What a hook that crashes or times out means: ``ignore`` lets the action go on
    (fail open), ``block`` stops it (fail closed)."""
    sandbox: bool = True
    """With the sandbox on, run the hook inside it, like the tools' commands; ``false``
    runs it on this machine as without the sandbox, e.g. to show a desktop
    notification. A project's hooks run only once you trust the project."""


class HookMatcher(_Section):
    matcher: str = "*"
    """Tool names this applies to (``*``, ``Bash``, ``Edit|Write``); unused for
    events without a tool."""
    hooks: list[HookCommand]
    """Commands run in order when the matcher applies."""


class ProviderSettings(_Section):
    """How to reach one provider. The entry's name is its kind unless ``kind`` says
    otherwise, so several OpenAI-compatible endpoints can live side by side."""

    kind: ProviderKind | None = None
    """The provider's wire format; defaults to the entry's name."""
    base_url: str | None = None
    """Endpoint; each kind has its default (Ollama: ``http://127.0.0.1:11434``)."""
    api_key: SecretStr | None = None
    """Prefer the environment (``OPENAI_API_KEY``...) over writing keys in files."""
    api_version: str | None = None
    """Azure OpenAI's ``api-version``."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra HTTP headers sent with every request."""


class ModelEntry(_Section):
    """What tau should assume about one model (capabilities are declared, not probed)."""

    capabilities: ModelCapabilities = ModelCapabilities()
    """What the model can do."""
    prices: ModelPrices | None = None
    """US dollars per million tokens, to report what a turn cost."""


class MemorySettings(_Section):
    """Which instruction files tau reads into the system prompt."""

    load_agents_md: bool = True
    """Also read ``AGENTS.md`` files, as other agents do."""
    load_claude_md: bool = True
    """Also read ``CLAUDE.md`` files, as other agents do."""


class SkillsSettings(_Section):
    """Where tau looks for skills."""

    paths: list[str] = Field(default_factory=list)
    """Extra folders to discover skills in, besides ``.tau/skills`` and ``~/.tau/skills``."""
    shipped: Literal["all", "usage", "none"] = "usage"
    """Which of the skills that come with tau are offered: ``usage`` (how to use tau and its
    libraries), ``all`` (also the ``-dev`` skills for working on tau itself) or ``none``.
    Every offered skill's description is in every prompt."""


class McpServerSandbox(_Section):
    """How one stdio MCP server runs while the sandbox is on."""

    enabled: bool = True
    """Start the server inside the sandbox; ``false`` starts it on this machine, as
    without the sandbox, with everything your user account may do."""
    network: bool | None = None
    """Give the sandboxed server the network (``true``) or take it away (``false``);
    unset follows ``sandbox.network``. The server's files stay confined either way."""


class SandboxSettings(_Section):
    """Run the tools' commands and file operations, hook commands and stdio MCP
    servers in a bubblewrap sandbox (Linux).

    Inside, the project is writable, the rest of the filesystem is read-only, ``/tmp``
    is private and credentials folders (``~/.ssh``, ``~/.aws``, ``~/.gnupg``...) are
    hidden. If bubblewrap is missing or cannot run, tau stops with an error instead
    of running unsandboxed."""

    enabled: bool = False
    """Turn the sandbox on (the ``--sandbox`` flag does the same for one run)."""
    network: bool = False
    """Let sandboxed commands use the network; off means not even ``127.0.0.1``."""
    writable_paths: list[str] = Field(default_factory=list)
    """Folders besides the project (and ``permissions.additional_directories``) that
    sandboxed commands may write, e.g. ``~/.cache/pip``."""
    denied_paths: list[str] = Field(default_factory=list)
    """Paths hidden from sandboxed commands and tools, added to the built-in list of
    credential folders, e.g. ``~/.config/secret-app``."""
    mcp_servers: dict[str, McpServerSandbox] = Field(default_factory=dict)
    """Exceptions for stdio MCP servers, by server name. Hooks and stdio MCP servers
    run inside the sandbox like the tools' commands; a server that must reach the
    network can be given it (``github: {network: true}``) while its files stay
    confined, and one that cannot work sandboxed at all can be started outside
    (``legacy: {enabled: false}``). An untrusted project cannot set this."""


class ContainerSettings(_Section):
    """Run the tools' commands and file operations in a Docker or Podman container.

    tau starts one container per session from ``image``, with the project (and
    ``permissions.additional_directories``) mounted at the same paths, and removes
    it when the session ends. If no engine works, tau stops with an error instead of
    running on this machine."""

    image: str | None = None
    """The image to run the tools in, e.g. ``python:3.12-slim``; unset means no
    container (the ``--container IMAGE`` flag sets it for one run). It needs ``sh``,
    ``sleep`` and ``kill``; a local image works without a registry."""
    engine: str | None = None
    """``podman`` or ``docker``; unset tries Podman, then Docker, and takes the first
    whose engine answers."""
    network: bool = False
    """Give the container a network; off means none at all, not even ``127.0.0.1``
    of the host."""
    runtime: str | None = None
    """The OCI runtime the engine should use (``--runtime``), e.g. ``runc``."""
    mounts: list[str] = Field(default_factory=list)
    """More folders to mount as ``HOST:CONTAINER`` or ``HOST:CONTAINER:ro``, e.g.
    ``~/.cache/pip:/root/.cache/pip``; a folder mounted at its own path is handled
    like the project (file tools reach it on this machine)."""
    ulimits: list[str] = Field(default_factory=list)
    """``--ulimit`` values, e.g. ``nofile=1024:1024``; unset uses this process's own
    open-files limit and 4096 processes, which confined hosts (CI runners) allow."""


class Settings(_Section):
    """Everything tau can be configured with."""

    model: str | None = None
    """Default model as ``provider:model``, e.g. ``ollama:qwen3:8b``."""
    small_model: str | None = None
    """Cheaper model for summaries and titles; the default model when unset."""
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    """Endpoints and credentials per provider name."""
    models: dict[str, ModelEntry] = Field(default_factory=dict)
    """Capabilities and prices per ``provider:model``."""
    permissions: PermissionSettings = PermissionSettings()
    """Which tool calls run without asking, which are asked, which never run."""
    hooks: dict[HookEvent, list[HookMatcher]] = Field(default_factory=dict)
    """Commands run at points of the agent loop."""
    mcp_servers: dict[str, dict[str, JsonValue]] = Field(default_factory=dict)
    """MCP servers, in the ``mcpServers`` format of ``.mcp.json``."""
    memory: MemorySettings = MemorySettings()
    skills: SkillsSettings = SkillsSettings()
    sandbox: SandboxSettings = SandboxSettings()
    container: ContainerSettings = ContainerSettings()
    checkpoints: bool = True
    """Snapshot the project before each turn (in a git store under ``$TAU_HOME``, never
    your own repository) so ``tau rewind`` can restore its files. Needs git; only
    folders with ``.git`` or ``.tau`` are snapshotted; ``.gitignore`` is respected."""
    auto_commit: bool = False
    """After each turn that changed files, commit exactly those files to your git
    repository, the message naming the turn's prompt (``tau: <prompt>``); whatever
    else you staged stays staged. Never during a merge, rebase, cherry-pick, revert
    or bisect. Needs ``checkpoints`` (they know which files the turn changed)."""
    plans_dir: str = ".tau/plans"
    """Where plan files are written, relative to the project root."""
    max_iterations: int = Field(default=100, ge=1)
    """Model calls one prompt may take before tau stops and reports."""
    client: ClientConfig = ClientConfig()
    """Timeouts and retries of model calls."""

    @field_validator("model", "small_model")
    @classmethod
    def _model_ref(cls, value: str | None) -> str | None:
        if value is not None:
            ModelRef.parse(value)
        return value

    @field_validator("models")
    @classmethod
    def _model_keys(cls, value: dict[str, ModelEntry]) -> dict[str, ModelEntry]:
        for key in value:
            ModelRef.parse(key)
        return value

    @field_validator("providers")
    @classmethod
    def _provider_kinds(cls, value: dict[str, ProviderSettings]) -> dict[str, ProviderSettings]:
        for name, entry in value.items():
            if entry.kind is None and name not in _PROVIDER_KINDS:
                raise ValueError(
                    f"provider {name!r} needs a 'kind' (one of {', '.join(_PROVIDER_KINDS)})"
                )
        return value
