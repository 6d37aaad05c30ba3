"""The system prompt: what the model knows before the first message.

It is assembled once per session and never rewritten, so provider prompt caches
keep hitting turn after turn: environment facts (git status included) are taken at
session start, memory and the skills index are byte-stable, and anything that
changes later reaches the model as a message instead of an edited prefix. Each
part's token cost is kept so ``/context`` can show where the window goes.
"""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

BASE_PROMPT = """\
You are tau, an autonomous coding agent working in the user's project from their terminal.

How you work:
- Use the tools to look before you act: read the files involved, search the code, run the
  project's own tests and commands. Do not guess at file contents or command output.
- Make the smallest change that does what was asked, in the project's existing style.
- After changing code, run the relevant tests or checks and fix what fails.
- Paths in tool calls are absolute or relative to the working directory below.
- When a tool call fails, read the error and correct the call; do not repeat it unchanged.
- If a request is missing detail, unclear or contradicts itself, ask before doing work that
  depends on the answer.
- When you are done, answer briefly: what you changed, what you verified, anything left open.
"""


@dataclass(frozen=True)
class PromptPart:
    name: str
    text: str
    tokens: int


@dataclass(frozen=True)
class SystemPrompt:
    parts: tuple[PromptPart, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.parts if p.text)

    @property
    def tokens(self) -> int:
        return sum(p.tokens for p in self.parts)


def environment_facts(cwd: Path, now: datetime) -> str:
    """Where and when the session runs, taken once at its start."""
    lines = [
        "<environment>",
        f"Working directory: {cwd}",
        f"Platform: {platform.system()} {platform.release()}",
        f"Date: {now.date().isoformat()}",
    ]
    git = _git_summary(cwd)
    if git:
        lines.append(git)
    lines.append("</environment>")
    return "\n".join(lines)


def build_system_prompt(
    *,
    count_tokens: Callable[[str], int],
    facts: str,
    memory: str = "",
    skills_index: str = "",
    extra: tuple[tuple[str, str], ...] = (),
    base: str = BASE_PROMPT,
) -> SystemPrompt:
    """The parts in a fixed order: base, environment, memory, skills, then ``extra``."""
    named = [("base", base.strip()), ("environment", facts), ("memory", memory)]
    named += [("skills", skills_index), *extra]
    return SystemPrompt(
        tuple(PromptPart(name, text, count_tokens(text)) for name, text in named if text)
    )


def _git_summary(cwd: Path) -> str:
    """Branch and a short status, or nothing outside a repository or without git.

    One ``git status --branch`` answers both (a second process would cost a few ms
    of every launch).
    """
    try:
        status = _git(cwd, "status", "--porcelain", "--branch")
    except (OSError, subprocess.SubprocessError):
        return ""
    if status is None:
        return ""
    header, *changed = [line for line in status.splitlines() if line.strip()]
    summary = f"Git branch: {_branch(header)}; "
    if not changed:
        return summary + "working tree clean"
    shown = ", ".join(line[3:] for line in changed[:10])
    more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
    return summary + f"{len(changed)} changed file(s): {shown}{more}"


def _branch(header: str) -> str:
    """The branch of a ``## main...origin/main [ahead 1]`` status header.

    A detached head reads ``## HEAD (no branch)``; a repository without commits
    ``## No commits yet on main`` (``Initial commit on`` before git 2.28).
    """
    text = header.removeprefix("## ")
    for unborn in ("No commits yet on ", "Initial commit on "):
        if text.startswith(unborn):
            return text.removeprefix(unborn)
    if text.startswith("HEAD (no branch)"):
        return "HEAD"
    return text.split("...", 1)[0]


def _git(cwd: Path, *args: str) -> str | None:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=5,
        stdin=subprocess.DEVNULL,
    )
    return result.stdout.strip() if result.returncode == 0 else None
