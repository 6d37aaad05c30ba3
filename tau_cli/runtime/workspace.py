"""What a runtime knows besides its loop, for the user's commands and mentions.

The builder hands a ``Workspace`` to the ``Runtime``: where the project is, the
rules with where each was set, the memory and skills loaded, the MCP servers, and
how to make a provider for another model. The functions here answer ``/mcp``,
``/permissions``, ``/skills``, ``@`` mentions and ``/mcp__server__prompt`` for it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tau_cli.agent import Provider
from tau_cli.core import (
    Interaction,
    Message,
    ModelCapabilities,
    QuestionRequest,
    TauError,
)
from tau_cli.runtime.client import CommandInfo, McpServerInfo, RuleInfo
from tau_cli.skills import SkillCatalog

if TYPE_CHECKING:
    from tau_cli.mcp import McpManager, PromptInfo

ProviderFor = Callable[[str], tuple[Provider, ModelCapabilities]]
_PROMPT_COMMAND = re.compile(r"^/mcp__([A-Za-z0-9_-]+?)__(\S+)(?:\s+(.*))?$", re.DOTALL)


class CommandError(TauError):
    """A command the user typed cannot run as given (a missing argument, a bad value)."""


@dataclass
class Workspace:
    """The parts of a session that commands and mentions use."""

    root: Path
    cwd: Path
    tau_home: Path
    model: str
    rule_sources: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """``(kind, rule)`` → where it was set; rules not listed were added this session."""
    builtin_rules: frozenset[str] = frozenset()
    """tau's own allow rules (its conversation-only tools), left out of ``/permissions``."""
    describe_memory: Callable[[], str] | None = None
    """The memory files as they are on disk now (a ``#`` note may have added one)."""
    skills: SkillCatalog | None = None
    mcp: McpManager | None = None
    provider_for: ProviderFor | None = None

    def rules(
        self,
        current: Mapping[str, list[str]],
        granted: Mapping[str, list[str]] | None = None,
    ) -> list[RuleInfo]:
        """The policy's rules now, each with its source; deny first, as they win.

        ``granted`` are the allow rules granted by source (an active skill), listed
        last with that source."""
        found: list[RuleInfo] = []
        for kind in ("deny", "ask", "allow"):
            for rule in current.get(kind, []):
                if kind == "allow" and rule in self.builtin_rules:
                    continue
                source = self.rule_sources.get((kind, rule), "this session")
                found.append(RuleInfo(rule, kind, source))
        for source, rules in (granted or {}).items():
            found += [RuleInfo(rule, "allow", f"{source}, this session") for rule in rules]
        return found

    def mcp_servers(self) -> list[McpServerInfo]:
        if self.mcp is None:
            return []
        return [
            McpServerInfo(
                name=s.name,
                transport=s.transport,
                state=s.state,
                tool_count=s.tool_count,
                error=s.error,
                stderr_tail=s.stderr_tail,
            )
            for s in self.mcp.statuses()
        ]

    def skill_commands(self) -> list[CommandInfo]:
        if self.skills is None:
            return []
        return [
            CommandInfo(f"/{name}", skill.description, "skill")
            for name, skill in sorted(self.skills.skills.items())
        ]

    async def prompt_commands(self) -> list[CommandInfo]:
        """Each MCP prompt as ``/mcp__server__prompt``; a server that fails is left out."""
        return [
            CommandInfo(p.command, p.description, "mcp", tuple(a.name for a in p.arguments))
            for p in await self._prompts()
        ]

    async def resource_mentions(self) -> list[str]:
        if self.mcp is None:
            return []
        try:
            return [r.mention for r in await self.mcp.list_resources()]
        except TauError:
            return []

    async def expand_prompt_command(
        self, text: str, interaction: Interaction
    ) -> list[Message] | None:
        """The messages of an MCP prompt typed as ``/mcp__server__prompt args``; None when
        ``text`` is not one.

        Arguments are given inline, by name (``topic="error handling"``) or in the
        prompt's order; a required one still missing is asked for.

        Raises:
            CommandError: no such prompt, or a required argument was not given.
        """
        match = _PROMPT_COMMAND.match(text.strip())
        if match is None or self.mcp is None:
            return None
        server, name, rest = match.group(1), match.group(2), match.group(3) or ""
        prompt = next(
            (p for p in await self._prompts() if p.server == server and p.name == name), None
        )
        if prompt is None:
            raise CommandError(f"MCP server {server!r} has no prompt {name!r}")
        arguments = prompt_arguments(prompt, rest)
        for argument in prompt.arguments:
            if argument.name in arguments or not argument.required:
                continue
            question = f"{prompt.command} needs {argument.name}"
            if argument.description:
                question += f": {argument.description}"
            answer = await interaction.ask(QuestionRequest(question=question))
            if answer.cancelled or not (answer.text or "").strip():
                raise CommandError(f"{prompt.command} was not run: {argument.name} is required")
            arguments[argument.name] = (answer.text or "").strip()
        return await self.mcp.get_prompt(server, name, arguments)

    async def _prompts(self) -> list[PromptInfo]:
        if self.mcp is None:
            return []
        try:
            return await self.mcp.list_prompts()
        except TauError:
            return []


def prompt_arguments(prompt: PromptInfo, text: str) -> dict[str, str]:
    """``name=value`` pairs, then the rest by position; a lone free text fills the only
    argument whole (``/mcp__docs__ask how do I log in?``)."""
    if not text.strip():
        return {}
    if len(prompt.arguments) == 1 and "=" not in text.split(maxsplit=1)[0]:
        return {prompt.arguments[0].name: text.strip()}
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise CommandError(f"cannot read the arguments of {prompt.command}: {exc}") from exc
    named: dict[str, str] = {}
    positional: list[str] = []
    known = {a.name for a in prompt.arguments}
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key in known:
            named[key] = value
        else:
            positional.append(word)
    free = [a.name for a in prompt.arguments if a.name not in named]
    if len(positional) > len(free):
        raise CommandError(
            f"{prompt.command} takes {len(prompt.arguments)} argument(s): "
            + ", ".join(a.name for a in prompt.arguments)
        )
    named.update(zip(free, positional, strict=False))
    return named
