"""The ``tau`` command line: parse flags, resolve settings, wire the pieces, report.

This module is imported for every command except ``--version``, so it imports only
typer at the top. Each command imports what it needs inside its body: ``tau --help``
must never pay for pydantic, httpx, textual or mcp.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tau_cli._version import __version__
from tau_cli.cli.exit_codes import ExitCode
from tau_cli.cli.prompt_group import PROMPT_KEY, PromptGroup
from tau_cli.cli.workflow_app import workflow_app

if TYPE_CHECKING:
    from tau_cli.runtime.settings_loader import ResolvedSettings

app = typer.Typer(
    cls=PromptGroup,
    name="tau",
    help="tau: a terminal coding agent for local and cloud models.\n\n"
    'tau opens the chat here; tau "PROMPT" opens it with PROMPT already sent (without a '
    "terminal it runs like tau run). Options go before the prompt or the command.",
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
config_app = typer.Typer(help="Inspect tau's settings.", no_args_is_help=True)
app.add_typer(config_app, name="config")
memory_app = typer.Typer(
    help="Inspect the memory tau loads into every session.", no_args_is_help=True
)
app.add_typer(memory_app, name="memory")
skills_app = typer.Typer(help="List and check skills.", no_args_is_help=True)
app.add_typer(skills_app, name="skills")
sessions_app = typer.Typer(help="List, show and delete saved sessions.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")
mcp_app = typer.Typer(help="Configure and inspect MCP servers.", no_args_is_help=True)
app.add_typer(mcp_app, name="mcp")
app.add_typer(workflow_app, name="workflow")

# Flags that override settings, and the settings key each sets.
_FLAG_NAMES = {
    "model": "--model",
    "permissions.default_mode": "--permission-mode",
    "permissions.allow": "--allow",
    "permissions.deny": "--deny",
    "sandbox.enabled": "--sandbox",
    "container.image": "--container",
}

_CONTAINER_HELP = "Run tools in a container of this image (Podman or Docker), the project mounted."

# Options both the main command and run/chat take, so `tau run --model X "task"` works
# as well as `tau --model X run "task"`.
ModelOption = Annotated[str | None, typer.Option("--model", "-m", help="Model as provider:model.")]
ModeOption = Annotated[
    str | None,
    typer.Option("--permission-mode", help="default, accept_edits, plan or bypass."),
]
AllowOption = Annotated[
    list[str] | None, typer.Option("--allow", help="Allow rule, e.g. 'Bash(npm test:*)'.")
]
DenyOption = Annotated[
    list[str] | None, typer.Option("--deny", help="Deny rule; deny beats allow.")
]
SandboxOption = Annotated[
    bool,
    typer.Option(
        "--sandbox",
        help="Run tools in a bubblewrap sandbox: only the project is writable, no network.",
    ),
]
ContainerOption = Annotated[
    str | None, typer.Option("--container", metavar="IMAGE", help=_CONTAINER_HELP)
]
CwdOption = Annotated[
    Path | None, typer.Option("--cwd", help="Work in this folder instead of the current one.")
]


def _flags(
    flags: dict[str, object],
    *,
    model: str | None = None,
    permission_mode: str | None = None,
    allow: list[str] | None = None,
    deny: list[str] | None = None,
    sandbox: bool = False,
    container: str | None = None,
) -> dict[str, object]:
    """``flags`` with these options laid over them (rule lists add up)."""
    if model is not None:
        flags["model"] = model
    if permission_mode is not None:
        flags["permissions.default_mode"] = permission_mode
    for key, rules in (("permissions.allow", allow), ("permissions.deny", deny)):
        if rules:
            earlier = flags.get(key)
            flags[key] = [*(earlier if isinstance(earlier, list) else []), *rules]
    if sandbox:
        flags["sandbox.enabled"] = True
    if container is not None:
        flags["container.image"] = container
    return flags


def _override(
    ctx: typer.Context,
    model: str | None,
    permission_mode: str | None,
    allow: list[str] | None,
    deny: list[str] | None,
    sandbox: bool,
    container: str | None,
    cwd: Path | None,
) -> None:
    """A subcommand's own options, laid over the main command's."""
    options: _Options = ctx.obj
    _flags(
        options.flags,
        model=model,
        permission_mode=permission_mode,
        allow=allow,
        deny=deny,
        sandbox=sandbox,
        container=container,
    )
    if cwd is not None:
        options.cwd = _folder(cwd)


def _folder(cwd: Path | None) -> Path:
    folder = (cwd or Path.cwd()).resolve()
    if not folder.is_dir():
        _fail(f"--cwd {cwd}: no such folder", ExitCode.USAGE)
    return folder


class _Options:
    """Global options, kept on the typer context for the subcommands."""

    def __init__(
        self,
        cwd: Path,
        flags: dict[str, object],
        trust: bool | None,
    ) -> None:
        self.cwd = cwd
        self.flags = flags
        self.trust = trust

    def settings(self) -> ResolvedSettings:
        from tau_cli.runtime.settings_loader import load_settings

        return load_settings(self.cwd, flags=self.flags, flag_names=_FLAG_NAMES, trust=self.trust)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tau {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    model: ModelOption = None,
    permission_mode: ModeOption = None,
    allow: AllowOption = None,
    deny: DenyOption = None,
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Trust this folder's project settings for this run."),
    ] = False,
    sandbox: SandboxOption = False,
    container: ContainerOption = None,
    deploy: Annotated[
        bool,
        typer.Option(
            "--deploy", help="With --container: run tau itself in the container, attached here."
        ),
    ] = False,
    cwd: CwdOption = None,
    continue_: Annotated[
        bool, typer.Option("--continue", "-c", help="Continue the newest session here.")
    ] = False,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            "-r",
            metavar="[ID]",
            help="Continue the session with this id; without one, pick from a list.",
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Write a redacted trace of this run and print its path."),
    ] = False,
    connect: Annotated[
        str | None,
        typer.Option("--connect", help="Chat with an ACP agent started by this command."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """tau: a terminal coding agent for local and cloud models."""
    flags = _flags(
        {},
        model=model,
        permission_mode=permission_mode,
        allow=allow,
        deny=deny,
        sandbox=sandbox,
        container=container,
    )
    folder = _folder(cwd)
    ctx.obj = _Options(folder, flags, True if trust else None)
    if debug:
        _start_debug_trace(ctx.obj)
    if ctx.invoked_subcommand is None and connect is not None:
        from tau_cli.cli.acp_command import connect_tui

        raise typer.Exit(connect_tui(connect, folder))
    if deploy:
        from tau_cli.cli.deploy_command import deploy as deploy_here

        raise typer.Exit(deploy_here(ctx.obj.settings(), ctx.obj.cwd))
    if ctx.invoked_subcommand is None:
        from tau_cli.cli.start import start

        raise typer.Exit(
            start(
                ctx.obj.settings(),
                ctx.obj.cwd,
                ctx.meta.get(PROMPT_KEY),
                continue_latest=continue_,
                resume=resume,
            )
        )


@config_app.command("show")
def config_show(
    ctx: typer.Context,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """Print the effective settings, where each value came from, secrets masked."""
    from tau_cli.cli.config_view import render_config

    render_config(ctx.obj.settings(), as_json=json_output)


@app.command("chat")
def chat_command(
    ctx: typer.Context,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain", help="Plain scrolling text instead of the full-screen app (screen readers)."
        ),
    ] = False,
    continue_: Annotated[
        bool, typer.Option("--continue", "-c", help="Continue the newest session here.")
    ] = False,
    model: ModelOption = None,
    permission_mode: ModeOption = None,
    allow: AllowOption = None,
    deny: DenyOption = None,
    sandbox: SandboxOption = False,
    container: ContainerOption = None,
    cwd: CwdOption = None,
) -> None:
    """Chat with tau in this project: full-screen in a terminal, else plain text."""
    _override(ctx, model, permission_mode, allow, deny, sandbox, container, cwd)
    _require_model(ctx)
    if plain or not (sys.stdin.isatty() and sys.stdout.isatty()):
        from tau_cli.cli.repl import chat_plain

        raise typer.Exit(chat_plain(ctx.obj.settings(), ctx.obj.cwd, continue_latest=continue_))
    from tau_cli.cli.tui_chat import chat_tui

    raise typer.Exit(chat_tui(ctx.obj.settings(), ctx.obj.cwd, continue_latest=continue_))


@app.command("run")
def run_command(
    ctx: typer.Context,
    prompt: Annotated[
        str | None, typer.Argument(help="The task; read from stdin when omitted.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--output-format", help="text, json or stream-json.")
    ] = "text",
    input_format: Annotated[
        str,
        typer.Option(
            "--input-format",
            help="text, or stream-json: user messages as JSON lines on stdin, one turn each.",
        ),
    ] = "text",
    max_iterations: Annotated[
        int | None, typer.Option("--max-iterations", min=1, help="Model calls allowed.")
    ] = None,
    continue_: Annotated[
        bool, typer.Option("--continue", "-c", help="Continue the newest session here.")
    ] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", "-r", help="Continue the session with this id.")
    ] = None,
    model: ModelOption = None,
    permission_mode: ModeOption = None,
    allow: AllowOption = None,
    deny: DenyOption = None,
    sandbox: SandboxOption = False,
    container: ContainerOption = None,
    cwd: CwdOption = None,
) -> None:
    """Run one task to completion and print the answer (for scripts and CI)."""
    _override(ctx, model, permission_mode, allow, deny, sandbox, container, cwd)
    if output_format not in ("text", "json", "stream-json"):
        _fail(
            f"--output-format must be text, json or stream-json, not {output_format!r}",
            ExitCode.USAGE,
        )
    if input_format == "stream-json":
        _run_stream(ctx, prompt, output_format, max_iterations, resume, continue_)
    elif input_format != "text":
        _fail(f"--input-format must be text or stream-json, not {input_format!r}", ExitCode.USAGE)
    if prompt is None:
        if sys.stdin.isatty():
            _fail("give the task as an argument, or pipe it on stdin", ExitCode.USAGE)
        prompt = sys.stdin.read()
    if not prompt.strip():
        _fail("the task is empty", ExitCode.USAGE)
    _require_model(ctx)
    from tau_cli.cli.run_command import run_once

    code = run_once(
        ctx.obj.settings(),
        ctx.obj.cwd,
        prompt,
        output=output_format,  # type: ignore[arg-type]
        max_iterations=max_iterations,
        interactive=sys.stdin.isatty() and sys.stderr.isatty(),
        resume=resume,
        continue_latest=continue_,
    )
    raise typer.Exit(code)


@memory_app.command("show")
def memory_show(ctx: typer.Context) -> None:
    """Show the memory files (TAU.md, AGENTS.md, ...) loaded here and their token cost."""
    from tau_cli.cli.memory_skills import show_memory

    show_memory(ctx.obj.cwd, ctx.obj.settings())


@skills_app.command("list")
def skills_list(ctx: typer.Context) -> None:
    """List the skills available here, by precedence, and any problems found."""
    from tau_cli.cli.memory_skills import list_skills

    list_skills(ctx.obj.settings())


@skills_app.command("check")
def skills_check(
    path: Annotated[Path, typer.Argument(help="A skill folder or a folder of skills.")],
) -> None:
    """Check SKILL.md files: frontmatter, names, descriptions and sizes."""
    from tau_cli.cli.memory_skills import check_skill_folder

    if not check_skill_folder(path):
        raise typer.Exit(int(ExitCode.ERROR))


@sessions_app.command("list")
def sessions_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Every project, not just this one.")] = False,
) -> None:
    """Sessions of this project, newest first."""
    from tau_cli.cli.sessions_command import list_sessions

    list_sessions(ctx.obj.cwd, all_)


@sessions_app.command("show")
def sessions_show(
    session_id: Annotated[str, typer.Argument(help="Id or a unique prefix.")],
) -> None:
    """Print a session's conversation."""
    from tau_cli.cli.sessions_command import show_session

    show_session(session_id)


@sessions_app.command("delete")
def sessions_delete(
    session_id: Annotated[str, typer.Argument(help="Id or a unique prefix.")],
) -> None:
    """Delete a session's transcript."""
    from tau_cli.cli.sessions_command import delete_session

    delete_session(session_id)


@mcp_app.command("list")
def mcp_list(ctx: typer.Context) -> None:
    """Start each configured MCP server briefly and show its state."""
    from tau_cli.cli.mcp_command import list_servers

    list_servers(ctx.obj.settings())


@mcp_app.command("tools")
def mcp_tools_command(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The server's name.")]
) -> None:
    """List a server's tools with their schemas."""
    from tau_cli.cli.mcp_command import show_tools

    show_tools(ctx.obj.settings(), name)


@mcp_app.command("add")
def mcp_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the server.")],
    command: Annotated[
        list[str] | None, typer.Argument(help="After --: the command and its arguments.")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="A remote server's URL.")] = None,
    transport: Annotated[str, typer.Option("--transport", help="http or sse.")] = "http",
    env: Annotated[
        list[str] | None, typer.Option("--env", help="NAME=VALUE for the server.")
    ] = None,
    project: Annotated[
        bool, typer.Option("--project", help="Write to this project's .mcp.json (shared).")
    ] = False,
) -> None:
    """Add a server: tau mcp add NAME -- COMMAND ARGS, or tau mcp add NAME --url URL."""
    from tau_cli.cli.mcp_command import add

    add(
        ctx.obj.settings(),
        name,
        command or [],
        url=url,
        transport=transport,
        env=env or [],
        project=project,
    )


@mcp_app.command("approve")
def mcp_approve(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The project server's name.")],
    deny: Annotated[bool, typer.Option("--deny", help="Never start it here.")] = False,
) -> None:
    """Let a server from this project's .mcp.json start (asked once per project)."""
    from tau_cli.cli.mcp_command import approve

    approve(ctx.obj.settings(), name, allow=not deny)


@mcp_app.command("remove")
def mcp_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The server's name.")],
    project: Annotated[
        bool, typer.Option("--project", help="From this project's .mcp.json.")
    ] = False,
) -> None:
    """Remove a server from your (or, with --project, this project's) configuration."""
    from tau_cli.cli.mcp_command import remove

    remove(ctx.obj.settings(), name, project=project)


@app.command("rewind")
def rewind_command(
    ctx: typer.Context,
    turn: Annotated[
        int | None,
        typer.Argument(help="Restore the files as they were before this turn; omit to list."),
    ] = None,
    session: Annotated[
        str | None, typer.Option("--session", "-s", help="Session id (default: the newest here).")
    ] = None,
    conversation: Annotated[
        bool,
        typer.Option(
            "--conversation",
            help="Also take the conversation back: continue from a copy that ends before TURN.",
        ),
    ] = False,
) -> None:
    """Restore the project's files to how they were before an earlier turn."""
    from tau_cli.cli.rewind_command import run_rewind

    run_rewind(ctx.obj.cwd, turn, session, conversation=conversation)


@app.command("trust")
def trust_command(
    ctx: typer.Context,
    folder: Annotated[
        Path | None, typer.Argument(help="Folder to trust (the current project by default).")
    ] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="Stop trusting the folder.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List trusted folders.")] = False,
) -> None:
    """Trust a folder's project settings: hooks, allow rules, MCP servers, providers."""
    from tau_cli.cli.trust_command import run_trust

    run_trust(ctx.obj.cwd, folder, revoke=revoke, list_only=list_)


@app.command("doctor")
def doctor_command(ctx: typer.Context) -> None:
    """Check settings, providers, MCP servers, sandbox and ripgrep; say how to fix each."""
    from tau_cli.cli.doctor import run_doctor

    raise typer.Exit(run_doctor(ctx.obj.settings))


@app.command("models")
def models_command(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the models each configured provider offers (Azure: its configured deployments)."""
    from tau_cli.cli.models_command import list_models

    raise typer.Exit(list_models(ctx.obj.settings(), as_json=json_output))


def _start_debug_trace(options: _Options) -> None:
    from tau_cli.cli.debug_trace import start_trace
    from tau_cli.core import ConfigError

    try:
        resolved = options.settings()
    except ConfigError:
        resolved = None  # the command reports it; the trace still records the rest
    path = start_trace(resolved, sys.argv[1:])
    typer.echo(f"tau: writing a debug trace to {path}", err=True)


def _run_stream(
    ctx: typer.Context,
    prompt: str | None,
    output_format: str,
    max_iterations: int | None,
    resume: str | None,
    continue_latest: bool,
) -> NoReturn:
    if output_format != "stream-json":
        _fail("--input-format stream-json needs --output-format stream-json", ExitCode.USAGE)
    if prompt is not None:
        _fail("with --input-format stream-json the messages come on stdin", ExitCode.USAGE)
    _require_model(ctx)
    from tau_cli.cli.stream_input import run_stream

    raise typer.Exit(
        run_stream(
            ctx.obj.settings(),
            ctx.obj.cwd,
            max_iterations=max_iterations,
            resume=resume,
            continue_latest=continue_latest,
        )
    )


def _require_model(ctx: typer.Context) -> None:
    """Stop with the first-run message when no model is configured or in reach."""
    from tau_cli.cli.first_run import model_problem

    problem = model_problem(ctx.obj.settings())
    if problem is not None:
        typer.echo(problem, err=True)
        raise typer.Exit(int(ExitCode.ERROR))


@app.command("acp")
def acp_command(ctx: typer.Context) -> None:
    """Serve tau over the Agent Client Protocol on stdin/stdout (for editors such as Zed)."""
    from tau_cli.cli.acp_command import serve_acp

    options: _Options = ctx.obj
    raise typer.Exit(
        serve_acp(lambda folder: _Options(folder, options.flags, options.trust).settings())
    )


def _fail(message: str, code: ExitCode) -> NoReturn:
    typer.echo(f"tau: error: {message}", err=True)
    raise typer.Exit(int(code))


def run() -> None:
    """Run the CLI, turning tau's own errors into one clear message and an exit code.

    Usage errors are typer's (exit 2); a ``TauError`` is the user's to fix, so it is
    shown without a traceback. Anything else is a bug and keeps its traceback.
    """
    try:
        app()
    except Exception as exc:
        # Imported here: the core package pulls in pydantic, which --help must not pay for.
        from tau_cli.core.errors import ConfigError, TauError

        if isinstance(exc, ConfigError):
            typer.echo(f"tau: configuration error: {exc}", err=True)
        elif isinstance(exc, TauError):
            typer.echo(f"tau: error: {exc}", err=True)
        else:
            raise
        sys.exit(int(ExitCode.ERROR))
