"""``bash`` and ``bash_output``: shell commands with a working directory that persists."""

from __future__ import annotations

import secrets
import time

from pydantic import Field

from tau_cli.core import ToolResult
from tau_cli.tools.base import BackgroundJob, ToolContext
from tau_cli.tools.builtin._base import Arguments, BuiltinTool
from tau_cli.tools.environment import ExecResult

DEFAULT_TIMEOUT_MS = 120_000
MAX_TIMEOUT_MS = 600_000
OUTPUT_LIMIT = 400_000
"""Bytes of output kept from one command (head and tail); the registry cuts further."""
_QUIET = {"PAGER": "cat", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "TERM": "dumb"}


class BashArguments(Arguments):
    command: str = Field(description="The command line to run with bash.")
    timeout: int | None = Field(
        default=None,
        ge=1000,
        le=MAX_TIMEOUT_MS,
        description=f"Milliseconds before the command is killed (default {DEFAULT_TIMEOUT_MS}, "
        f"max {MAX_TIMEOUT_MS}).",
    )
    description: str | None = Field(
        default=None, description="Five to ten words saying what the command does, for the user."
    )
    run_in_background: bool = Field(
        default=False,
        description="Start the command and return at once; read its output with bash_output.",
    )


class BashTool(BuiltinTool[BashArguments]):
    name = "bash"
    arguments = BashArguments
    description = f"""Run a command line with bash and return its output and exit code.

- The working directory persists between calls: after `cd src`, the next command runs in
  src. Prefer absolute paths, e.g. `pytest /home/me/app/tests` over `cd tests && pytest`.
- Output (stdout and stderr together) is cut in the middle when very long; pipe through
  `tail -50`, `head` or `grep` to keep what matters.
- A command is killed after `timeout` milliseconds (default {DEFAULT_TIMEOUT_MS // 1000} s, max
  {MAX_TIMEOUT_MS // 60000} min), together with every process it started.
- There is no terminal: do not start interactive programs (editors, pagers, `git rebase -i`,
  prompts waiting for input); pass flags such as `--yes` or `-y` instead.
- For servers and watchers set run_in_background=true; you get an id for bash_output, and
  the process is stopped when the session ends.
- To read, find or search files use read, glob and grep rather than cat, find or grep here.
- Example: {{"command": "npm test -- --runInBand 2>&1 | tail -30", "description":
  "Run the test suite"}}"""

    async def run(self, args: BashArguments, context: ToolContext) -> ToolResult:
        env = context.environment
        cwd = context.session.cwd or env.cwd
        note = ""
        if not await env.exists(cwd):
            note = f"(The previous working directory {cwd} is gone; running in {env.cwd}.)\n"
            cwd = env.cwd
            context.session.cwd = None
        if args.run_in_background:
            return await self._background(args, cwd, context)
        marker = f"__tau_cwd_{secrets.token_hex(8)}__"
        script = f'trap \'printf "\\n{marker}%s" "$(pwd -P)"\' EXIT\n{args.command}'
        timeout_ms = args.timeout or DEFAULT_TIMEOUT_MS
        result = await env.exec(
            ["bash", "-c", script],
            cwd=cwd,
            env=_QUIET,
            timeout=timeout_ms / 1000,
            output_limit=OUTPUT_LIMIT,
            on_output=context.on_output or _LatestLine(context, marker.encode()).feed,
        )
        output = result.stdout.decode(errors="replace")
        output, new_cwd = _split_marker(output, marker)
        if new_cwd and new_cwd != env.cwd:
            context.session.cwd = new_cwd
        elif new_cwd:
            context.session.cwd = None
        return _result(note + output, result, timeout_ms)

    async def _background(self, args: BashArguments, cwd: str, context: ToolContext) -> ToolResult:
        process = await context.environment.spawn(
            ["bash", "-c", args.command], cwd=cwd, env=_QUIET, output_limit=OUTPUT_LIMIT
        )
        job_id = context.session.new_job_id()
        context.session.jobs[job_id] = BackgroundJob(job_id, args.command, process)
        return ToolResult(
            text=f"Started in the background as {job_id} (pid {process.pid}). "
            f'Read its output with bash_output {{"bash_id": "{job_id}"}}.'
        )


class BashOutputArguments(Arguments):
    bash_id: str = Field(description="The id bash gave when it started the command.")
    kill: bool = Field(default=False, description="Stop the command (and its children).")


class BashOutputTool(BuiltinTool[BashOutputArguments]):
    name = "bash_output"
    arguments = BashOutputArguments
    description = """Read new output of a command started with bash run_in_background, or stop it.

- Returns only the output written since your last bash_output call for this id, and
  whether the command still runs or how it ended.
- Set kill=true to stop it and everything it started. Example: {"bash_id": "bash_1"}"""

    async def run(self, args: BashOutputArguments, context: ToolContext) -> ToolResult:
        job = context.session.jobs.get(args.bash_id)
        if job is None:
            known = ", ".join(context.session.jobs) or "none"
            return ToolResult.error(f"No background command {args.bash_id!r}. Running: {known}.")
        if args.kill:
            await job.process.kill()
        result = job.process.output()
        fresh = result.stdout[job.read_offset :]
        job.read_offset = len(result.stdout)
        if job.process.exit_code is None:
            status = "still running"
        else:
            status = f"finished with exit code {job.process.exit_code}"
            if args.kill:
                status = "stopped"
            del context.session.jobs[args.bash_id]
        text = fresh.decode(errors="replace") or "(no new output)\n"
        return ToolResult(text=f"{text.rstrip()}\n[{args.bash_id}: {status}]")


def _split_marker(output: str, marker: str) -> tuple[str, str | None]:
    index = output.rfind(marker)
    if index == -1:
        return output, None
    cwd = output[index + len(marker) :].strip()
    before = output[:index]
    return before[:-1] if before.endswith("\n") else before, cwd or None


def _result(output: str, result: ExecResult, timeout_ms: int) -> ToolResult:
    notes = []
    if result.truncated:
        notes.append(
            f"[The command wrote {result.output_bytes:,} bytes; the middle was cut. "
            "Pipe it through head, tail or grep to see a part.]"
        )
    if result.timed_out:
        notes.append(
            f"[Timed out after {timeout_ms / 1000:g} s; the command and everything it started "
            "were killed. Raise timeout (max 600000 ms) or run it in the background.]"
        )
    elif result.exit_code:
        notes.append(f"[Exit code {result.exit_code}]")
    text = output if output.strip() else "(no output)"
    if notes:
        text = text.rstrip("\n") + "\n" + "\n".join(notes)
    return ToolResult(text=text, is_error=bool(result.timed_out or result.exit_code))


class _LatestLine:
    """Reports a running command's latest output line, at most ten times a second, so a UI
    can show it live without an event per byte."""

    _INTERVAL = 0.1

    def __init__(self, context: ToolContext, marker: bytes) -> None:
        self._context = context
        self._marker = marker
        self._tail = b""
        self._reported_at = 0.0
        self._reported = ""

    def feed(self, chunk: bytes) -> None:
        if self._context.progress_sink is None:
            return
        self._tail = (self._tail + chunk)[-4096:]
        now = time.monotonic()
        if now - self._reported_at < self._INTERVAL:
            return
        lines = [s for s in self._tail.splitlines() if s.strip() and self._marker not in s]
        latest = lines[-1].decode(errors="replace").strip()[:200] if lines else ""
        if latest and latest != self._reported:
            self._reported_at, self._reported = now, latest
            self._context.report(latest)
