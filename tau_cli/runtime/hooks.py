"""Hooks: the user's own commands (or a library user's callbacks) at points of the loop.

Shell hooks follow the shape of Claude Code's so users can bring theirs: the event
arrives as JSON on stdin; exit code 0 succeeds (stdout may hold a JSON answer, and
for ``UserPromptSubmit`` and ``SessionStart`` plain stdout is context for the model);
exit code 2 blocks, with stderr shown to the model; any other exit is a failure that
is reported to the user and, by default, ignored (fail open) — ``on_failure: block`` makes it
fail closed. The project folder is in ``TAU_PROJECT_DIR`` (and in
``CLAUDE_PROJECT_DIR``, for ported scripts). With the sandbox on, hook commands run
inside it, under the same rule as the tools' commands.

Several hooks matching one event run concurrently and their answers combine: any
deny beats ask beats allow, any block blocks, contexts and messages accumulate.
Whether a hook's allow may override a permission rule is the loop's decision, not
this module's: a hook's allow never overrides a deny or ask rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import os
import re
import signal
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tau_cli.runtime.sandbox import SANDBOX_ENV, SandboxEnvironment
from tau_cli.runtime.settings import HookCommand, HookEvent, HookMatcher
from tau_cli.tools import TOOL_ALIASES, allowed_environment

Decision = Literal["allow", "deny", "ask"]

_TOOL_EVENTS = {"PreToolUse", "PostToolUse"}
_CLAUDE_NAMES: dict[str, list[str]] = {}
for _claude, _tau in TOOL_ALIASES.items():
    _CLAUDE_NAMES.setdefault(_tau, []).append(_claude)
_PLAIN_STDOUT_IS_CONTEXT = {"UserPromptSubmit", "SessionStart"}
_STDERR_LIMIT = 4_000


@dataclass(frozen=True)
class HookOutcome:
    """What the hooks for one event decided, combined."""

    decision: Decision | None = None
    """PreToolUse only: a permission decision (``deny`` > ``ask`` > ``allow``)."""
    blocked: bool = False
    """Stop the action: the tool call, the prompt, or (for Stop) the stopping."""
    reason: str | None = None
    """For the model: why it was blocked or denied."""
    context: tuple[str, ...] = ()
    """Text to add to the model's context."""
    stop_session: bool = False
    """A hook asked to end the turn (``"continue": false``)."""
    stop_reason: str | None = None
    messages: tuple[str, ...] = ()
    """For the user: warnings, system messages, failed hooks."""


HookCallback = Callable[[str, Mapping[str, Any]], Awaitable[HookOutcome | None]]
"""A library user's hook: gets the event name and payload, may return an outcome."""

_tell_user: contextvars.ContextVar[Callable[[str], Awaitable[None]] | None] = (
    contextvars.ContextVar("tau_hook_messages", default=None)
)


@contextlib.contextmanager
def telling_user(callback: Callable[[str], Awaitable[None]]) -> Iterator[None]:
    """Hooks' messages for the user (failures, ``systemMessage``, ``stopReason``) go to
    ``callback`` inside this block: a turn's notices.

    A context variable rather than a field, so a subagent's turn, which runs inside its
    parent's, has its own and gives the parent's back when it ends.
    """
    token = _tell_user.set(callback)
    try:
        yield
    finally:
        _tell_user.reset(token)


@dataclass
class _Registered:
    matcher: str
    callback: HookCallback


@dataclass
class HookRunner:
    """Runs the configured hooks for an event and combines what they answer."""

    config: Mapping[HookEvent, Sequence[HookMatcher]]
    project_dir: Path
    session_id: str = ""
    environ: Mapping[str, str] | None = None
    sandbox: SandboxEnvironment | None = None
    """With the sandbox on, hook commands run inside it, confined like the tools'
    commands: a project's hook must not do what its agent may not. A hook that says
    ``sandbox: false`` runs outside."""
    _callbacks: dict[str, list[_Registered]] = field(default_factory=dict)

    def configured(self, event: HookEvent) -> bool:
        """Whether anything would run for ``event`` (so callers can skip preparing it)."""
        return bool(self.config.get(event)) or bool(self._callbacks.get(event))

    def unsandboxed(self) -> list[str]:
        """The commands of hooks that run outside the sandbox although it is on."""
        if self.sandbox is None:
            return []
        return [
            hook.command
            for groups in self.config.values()
            for group in groups
            for hook in group.hooks
            if not hook.sandbox
        ]

    def add_callback(self, event: HookEvent, callback: HookCallback, matcher: str = "*") -> None:
        self._callbacks.setdefault(event, []).append(_Registered(matcher, callback))

    async def run(
        self, event: HookEvent, payload: Mapping[str, Any], *, tool_name: str | None = None
    ) -> HookOutcome:
        """Run every hook matching ``event`` (and ``tool_name`` for tool events)."""
        full = {
            "session_id": self.session_id,
            "cwd": str(self.project_dir),
            "hook_event_name": event,
            **payload,
        }
        jobs: list[Awaitable[HookOutcome]] = []
        for group in self.config.get(event, ()):
            if _matches(group.matcher, event, tool_name):
                jobs.extend(self._run_command(event, hook, full) for hook in group.hooks)
        for registered in self._callbacks.get(event, ()):
            if _matches(registered.matcher, event, tool_name):
                jobs.append(self._run_callback(registered.callback, event, full))
        if not jobs:
            return HookOutcome()
        outcome = combine(await asyncio.gather(*jobs))
        tell = _tell_user.get()
        if tell is not None:
            for message in outcome.messages:
                await tell(message)
            if outcome.stop_session and outcome.stop_reason:
                await tell(f"{event} hook stopped the turn: {outcome.stop_reason}")
        return outcome

    async def _run_callback(
        self, callback: HookCallback, event: str, payload: Mapping[str, Any]
    ) -> HookOutcome:
        try:
            return await callback(event, payload) or HookOutcome()
        except Exception as exc:  # a broken callback fails open, and is reported
            return HookOutcome(messages=(f"{event} hook callback failed: {exc!r}",))

    async def _run_command(
        self, event: str, hook: HookCommand, payload: Mapping[str, Any]
    ) -> HookOutcome:
        argv, env = ["/bin/sh", "-c", hook.command], self._env()
        if self.sandbox is not None and hook.sandbox:
            argv = self.sandbox.command(argv, cwd=os.path.realpath(self.project_dir))
            env.update(SANDBOX_ENV)
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=self.project_dir,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            return _failed(hook, f"could not start: {exc.strerror}")
        try:
            stdout, stderr = await asyncio.wait_for(
                process.communicate(json.dumps(payload).encode()),
                timeout=hook.timeout.total_seconds(),
            )
        except TimeoutError:
            _kill_group(process.pid)
            await process.wait()
            return _failed(hook, f"timed out after {hook.timeout.total_seconds():g}s")
        finally:
            if process.returncode is None:
                _kill_group(process.pid)
                await process.wait()
        out = stdout.decode(errors="replace")
        err = stderr.decode(errors="replace").strip()[-_STDERR_LIMIT:]
        if process.returncode == 2:
            return HookOutcome(
                decision="deny" if event == "PreToolUse" else None,
                blocked=True,
                reason=err or f"blocked by hook: {hook.command}",
            )
        if process.returncode != 0:
            return _failed(hook, f"exited with {process.returncode}: {err}".rstrip(": "))
        return _parse_stdout(event, out)

    def _env(self) -> dict[str, str]:
        # The same allow-list as tool processes: enough to run ordinary programs,
        # never the provider keys tau holds.
        env = allowed_environment(os.environ if self.environ is None else self.environ)
        env["TAU_PROJECT_DIR"] = env["CLAUDE_PROJECT_DIR"] = str(self.project_dir)
        return env


def combine(outcomes: Sequence[HookOutcome]) -> HookOutcome:
    """Several hooks' answers as one: deny > ask > allow; any block blocks."""
    decisions = {o.decision for o in outcomes}
    order: tuple[Decision, ...] = ("deny", "ask", "allow")
    decision = next((d for d in order if d in decisions), None)
    reasons = [o.reason for o in outcomes if o.reason and (o.blocked or o.decision == decision)]
    stops = [o for o in outcomes if o.stop_session]
    return HookOutcome(
        decision=decision,
        blocked=any(o.blocked for o in outcomes),
        reason="\n".join(reasons) or None,
        context=tuple(c for o in outcomes for c in o.context),
        stop_session=bool(stops),
        stop_reason=next((o.stop_reason for o in stops if o.stop_reason), None),
        messages=tuple(m for o in outcomes for m in o.messages),
    )


def _matches(matcher: str, event: str, tool_name: str | None) -> bool:
    if event not in _TOOL_EVENTS or matcher in ("", "*"):
        return True
    if tool_name is None:
        return False
    # A matcher may name tools as Claude Code does (Bash, Edit|Write): try both spellings.
    names = {tool_name, *_CLAUDE_NAMES.get(tool_name, ())}
    try:
        return any(re.fullmatch(matcher, name) is not None for name in names)
    except re.error:
        return matcher in names


def _failed(hook: HookCommand, what: str) -> HookOutcome:
    message = f"hook '{hook.command}' {what}"
    if hook.on_failure == "block":
        return HookOutcome(decision="deny", blocked=True, reason=message, messages=(message,))
    return HookOutcome(messages=(message,))


def _parse_stdout(event: str, out: str) -> HookOutcome:
    text = out.strip()
    if not text:
        return HookOutcome()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        if event in _PLAIN_STDOUT_IS_CONTEXT:
            return HookOutcome(context=(text,))
        return HookOutcome()
    specific = data.get("hookSpecificOutput")
    specific = specific if isinstance(specific, dict) else {}
    decision: Decision | None = None
    reason = data.get("reason")
    permission = specific.get("permissionDecision")
    if permission in ("allow", "deny", "ask"):
        decision = permission
        reason = specific.get("permissionDecisionReason") or reason
    elif data.get("decision") == "approve":
        decision = "allow"
    blocked = data.get("decision") == "block"
    if blocked and event == "PreToolUse":
        decision = "deny"
    context = specific.get("additionalContext")
    system_message = data.get("systemMessage")
    return HookOutcome(
        decision=decision if event == "PreToolUse" else None,
        blocked=blocked or decision == "deny",
        reason=reason if isinstance(reason, str) else None,
        context=(context,) if isinstance(context, str) and context else (),
        stop_session=data.get("continue") is False,
        stop_reason=data.get("stopReason") if isinstance(data.get("stopReason"), str) else None,
        messages=(system_message,) if isinstance(system_message, str) else (),
    )


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
