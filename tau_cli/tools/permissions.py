"""Permission rules and modes: may this call run, must the user be asked, or never?

Rules come from settings as ``permissions: {allow: [...], ask: [...], deny: [...]}``.
A rule is a tool name (``bash``, ``mcp__github__*``) or a tool with a specifier:

- ``bash(git status)`` exactly that command; ``bash(npm run test:*)`` any command
  starting with ``npm run test``.
- ``read(src/**)``, ``edit(docs/**)``: gitignore-style paths; ``//abs/path`` is
  absolute, ``~/x`` is under the home folder, anything else is relative to the
  workspace. ``read`` rules also cover ``glob`` and ``grep``; ``edit`` rules cover
  ``write``.
- ``web_fetch(domain:docs.python.org)``.

Claude Code's names (``Read``, ``Bash(git diff:*)``, ``WebFetch(domain:…)``,
``acceptEdits``, ``bypassPermissions``) are accepted through one alias table.

Deny beats ask beats allow; deny rules hold in every mode, ``bypass`` included.
Besides the settings' allow rules, a source such as an active skill may be
*granted* allow rules for a while (``grant``/``revoke``); they are matched by the
same code and, like every allow rule, only after deny, ask and the mode.
Paths are made absolute, ``..`` removed and symlinks resolved before matching, and
a shell command is parsed (``_shell``) so each simple command in it must be allowed
on its own. ``PermissionPolicy.check`` only decides; asking the user and saving a
rule are the runtime's work.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import JsonValue

from tau_cli.core import ConfigError
from tau_cli.tools._globbing import compile_glob, split_literal_prefix
from tau_cli.tools._matching import (
    SAFE_COMMANDS,
    cd_target,
    command_matches,
    domain_matches,
    suggest_bash_rule,
    suggest_bash_rule_for,
    unknown_tilde,
    url_host,
    with_nested,
)
from tau_cli.tools._shell import ShellAnalysis, SimpleCommand, analyze
from tau_cli.tools.environment import Environment

Behavior = Literal["allow", "ask", "deny"]

TOOL_ALIASES: dict[str, str] = {
    "Read": "read",
    "Write": "write",
    "Edit": "edit",
    "MultiEdit": "edit",
    "NotebookEdit": "edit",
    "Bash": "bash",
    "BashOutput": "bash_output",
    "Glob": "glob",
    "Grep": "grep",
    "WebFetch": "web_fetch",
    "WebSearch": "web_search",
    "TodoWrite": "todo",
}
"""Claude Code's tool names and tau's, for rules, skills, agent tool lists and hooks."""

MODE_ALIASES: dict[str, str] = {
    "default": "default",
    "acceptEdits": "accept_edits",
    "accept-edits": "accept_edits",
    "accept_edits": "accept_edits",
    "plan": "plan",
    "bypassPermissions": "bypass",
    "bypass": "bypass",
}

READ_TOOLS = frozenset({"read", "glob", "grep"})
EDIT_TOOLS = frozenset({"edit", "write"})
HARMLESS_TOOLS = frozenset({"todo", "bash_output"})
"""Tools that touch nothing outside the session; allowed unless a rule says otherwise."""
PROTECTED_DIRS = (".git", ".tau")
"""Folders inside the workspace whose files change what runs next; writes there ask."""
_HARMLESS_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"})
_PATH_ARGUMENTS = ("file_path", "path", "notebook_path")
_DOT_PATTERN = re.compile(r"(^|/)\.[?*\[]")


class PermissionMode(StrEnum):
    DEFAULT = "default"
    """Reads inside the workspace run; everything else asks."""
    ACCEPT_EDITS = "accept_edits"
    """Also edits inside the workspace run without asking."""
    PLAN = "plan"
    """Only read-only tools: the agent investigates and plans, nothing changes."""
    BYPASS = "bypass"
    """Everything runs, except what a deny rule forbids."""

    @classmethod
    def parse(cls, text: str) -> PermissionMode:
        """The mode named ``text`` (tau's or Claude Code's spelling)."""
        canonical = MODE_ALIASES.get(text.strip())
        if canonical is None:
            known = ", ".join(m.value for m in cls)
            raise ConfigError(f"unknown permission mode {text!r}; use one of {known}")
        return cls(canonical)


def canonical_tool_name(name: str) -> str:
    """tau's name for ``name`` (``Read`` → ``read``); other names are kept as they are."""
    return TOOL_ALIASES.get(name, name)


_RULE = re.compile(r"^\s*([A-Za-z0-9_*.-]+)\s*(?:\((.*)\))?\s*$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Rule:
    """One permission rule: a tool (wildcards allowed) and an optional specifier."""

    tool: str
    specifier: str | None = None

    @classmethod
    def parse(cls, text: str) -> Rule:
        match = _RULE.match(text)
        if match is None:
            raise ConfigError(
                f"{text!r} is not a permission rule; write a tool name or tool(specifier), "
                "e.g. bash(npm test:*) or read(src/**)"
            )
        tool = canonical_tool_name(match.group(1))
        specifier = match.group(2)
        if specifier is not None:
            specifier = specifier.strip()
            if specifier in ("", "*", "**", ":*"):
                specifier = None
        return cls(tool, specifier)

    def __str__(self) -> str:
        return self.tool if self.specifier is None else f"{self.tool}({self.specifier})"

    def covers_tool(self, tool: str) -> bool:
        """Whether this rule speaks about ``tool`` at all."""
        if self.specifier is not None and self.tool == "read":
            return tool in READ_TOOLS
        if self.specifier is not None and self.tool == "edit":
            return tool in EDIT_TOOLS
        if "*" in self.tool:
            return fnmatch.fnmatchcase(tool, self.tool)
        if self.tool.startswith("mcp__") and self.tool.count("__") == 1:
            return tool.startswith(self.tool + "__")  # mcp__server: all of its tools
        return self.tool == tool


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one call, with the words a user (or model) needs to follow it."""

    behavior: Behavior
    reason: str
    rule: str | None = None
    """The rule that decided, if one did."""
    suggested_rule: str | None = None
    """What "always allow" would save, for the runtime's permission prompt."""

    @property
    def allowed(self) -> bool:
        return self.behavior == "allow"


@dataclass(frozen=True, slots=True)
class _RuleSet:
    allow: tuple[Rule, ...]
    ask: tuple[Rule, ...]
    deny: tuple[Rule, ...]


class PermissionPolicy:
    """Rules, a mode and the workspace, applied to tool calls.

    Args:
        environment: where paths are resolved (symlinks included).
        workspace: folders the agent works in; the environment's ``cwd`` if empty.
        allow, ask, deny: rule texts, as written in settings.
        mode: the permission mode.
    """

    def __init__(
        self,
        environment: Environment,
        *,
        workspace: Sequence[str] = (),
        allow: Iterable[str] = (),
        ask: Iterable[str] = (),
        deny: Iterable[str] = (),
        mode: PermissionMode | str = PermissionMode.DEFAULT,
    ) -> None:
        self._env = environment
        self._workspace = [environment.resolve(p) for p in workspace] or [environment.cwd]
        self._real_workspace: list[str] | None = None
        self._rules = _RuleSet(
            tuple(Rule.parse(r) for r in allow),
            tuple(Rule.parse(r) for r in ask),
            tuple(Rule.parse(r) for r in deny),
        )
        self.mode = mode if isinstance(mode, PermissionMode) else PermissionMode.parse(mode)
        self._grants: dict[str, tuple[Rule, ...]] = {}

    @property
    def rules(self) -> dict[str, list[str]]:
        """The rules from settings and the user's answers (grants are in ``grants``)."""
        return {
            "allow": [str(r) for r in self._rules.allow],
            "ask": [str(r) for r in self._rules.ask],
            "deny": [str(r) for r in self._rules.deny],
        }

    def add_rule(self, rule: str, behavior: Behavior = "allow") -> None:
        """Remember a rule for the rest of the session (the user chose "allow for session")."""
        parsed = Rule.parse(rule)
        rules = self._rules
        self._rules = _RuleSet(
            rules.allow + ((parsed,) if behavior == "allow" else ()),
            rules.ask + ((parsed,) if behavior == "ask" else ()),
            rules.deny + ((parsed,) if behavior == "deny" else ()),
        )

    def grant(self, source: str, rules: Iterable[str]) -> None:
        """Allow ``rules`` on behalf of ``source`` (an active skill) until it is revoked.

        A grant only ever adds allow rules, matched exactly as settings' allow rules
        are. Deny and ask rules and plan mode are decided before any allow rule, so a
        grant cannot loosen them. Granting the same source again replaces its rules.

        Raises:
            ConfigError: a rule does not parse; nothing is granted then.
        """
        self._grants[source] = tuple(Rule.parse(r) for r in rules)

    def revoke(self, source: str | None = None) -> None:
        """Take back what ``source`` was granted; every grant when ``source`` is None."""
        if source is None:
            self._grants.clear()
        else:
            self._grants.pop(source, None)

    @property
    def grants(self) -> dict[str, list[str]]:
        """The granted allow rules, by the source they were granted to."""
        return {source: [str(r) for r in rules] for source, rules in self._grants.items()}

    def _allow(self) -> tuple[Rule, ...]:
        """Every allow rule in force: the settings' and session's, then the grants'."""
        granted = tuple(rule for rules in self._grants.values() for rule in rules)
        return self._rules.allow + granted

    def offers(self, name: str, read_only: bool) -> bool:
        """Whether the model should be told about a tool at all.

        Plan mode offers read-only tools only; a tool denied outright is never offered.
        """
        tool = canonical_tool_name(name)
        if any(r.specifier is None and r.covers_tool(tool) for r in self._rules.deny):
            return False
        return read_only or self.mode is not PermissionMode.PLAN

    async def check(
        self,
        name: str,
        arguments: dict[str, JsonValue],
        *,
        read_only: bool,
        cwd: str | None = None,
    ) -> Decision:
        """Decide on one call of tool ``name`` (``cwd``: where a shell command would run)."""
        tool = canonical_tool_name(name)
        if tool == "bash":
            return await self._check_bash(str(arguments.get("command", "")), cwd)
        if tool in READ_TOOLS | EDIT_TOOLS:
            return await self._check_path(tool, arguments, read_only, cwd)
        if tool == "web_fetch":
            return self._check_generic(tool, read_only, url_host(arguments.get("url")))
        return self._check_generic(tool, read_only, None)

    def read_denied(self, path: str) -> bool:
        """Whether a deny rule forbids reading ``path`` (absolute, symlinks as listed).

        ``glob`` and ``grep`` use it to leave denied files out of what they list, so a
        search of the workspace never shows what ``read`` would refuse.
        """
        return any(
            rule.specifier is not None
            and rule.covers_tool("read")
            and self._path_matches(rule, path, path)
            for rule in self._rules.deny
        )

    # -- generic tools ---------------------------------------------------------

    def _check_generic(self, tool: str, read_only: bool, host: str | None) -> Decision:
        def matches(rule: Rule) -> bool:
            if not rule.covers_tool(tool):
                return False
            if rule.specifier is None:
                return True
            return host is not None and domain_matches(rule.specifier, host)

        for behavior in ("deny", "ask"):
            for rule in self._rules_for(behavior):
                if matches(rule):
                    return _by_rule(behavior, rule)
        if self.mode is PermissionMode.BYPASS:
            return Decision("allow", "bypass mode")
        if self.mode is PermissionMode.PLAN and not read_only:
            return _plan_refusal(tool)
        for rule in self._allow():
            if matches(rule):
                return _by_rule("allow", rule)
        if tool in HARMLESS_TOOLS:
            return Decision("allow", f"{tool} changes nothing outside the session")
        suggested = f"web_fetch(domain:{host})" if host else tool
        return Decision("ask", f"no rule allows {tool}", suggested_rule=suggested)

    def _rules_for(self, behavior: str) -> tuple[Rule, ...]:
        return {"allow": self._allow(), "ask": self._rules.ask, "deny": self._rules.deny}[behavior]

    # -- files -----------------------------------------------------------------

    async def _check_path(
        self, tool: str, arguments: dict[str, JsonValue], read_only: bool, cwd: str | None
    ) -> Decision:
        raw = next((arguments[k] for k in _PATH_ARGUMENTS if isinstance(arguments.get(k), str)), "")
        path = str(raw) or (cwd or self._env.cwd)
        if tool == "glob" and isinstance(arguments.get("pattern"), str):
            prefix, _ = split_literal_prefix(str(arguments["pattern"]))
            path = os.path.join(path, prefix) if prefix else path
        base = cwd or self._env.cwd
        joined = os.path.join(base, os.path.expanduser(path))
        lexical = os.path.normpath(joined)
        # The kernel resolves a symlink before the ".." after it, so the real path comes
        # from the path as written, not from its lexically tidied form.
        real = await self._env.realpath(joined)
        family = "read" if tool in READ_TOOLS else "edit"
        for behavior in ("deny", "ask"):
            for rule in self._rules_for(behavior):
                if rule.covers_tool(tool) and (
                    rule.specifier is None or self._path_matches(rule, lexical, real)
                ):
                    return _by_rule(behavior, rule)
        if self.mode is PermissionMode.BYPASS:
            return Decision("allow", "bypass mode")
        if self.mode is PermissionMode.PLAN and not read_only:
            return _plan_refusal(tool)
        for rule in self._allow():
            if rule.covers_tool(tool) and (
                rule.specifier is None or self._path_matches(rule, real, real)
            ):
                return _by_rule("allow", rule)
        inside = await self._inside_workspace(real)
        if inside and family == "read":
            return Decision("allow", "reading inside the workspace")
        if inside and self.mode is PermissionMode.ACCEPT_EDITS and not _protected(real, inside):
            return Decision("allow", "accept-edits mode: editing inside the workspace")
        where = "inside" if inside else "outside"
        return Decision(
            "ask",
            f"{tool} of {real} ({where} the workspace) needs approval",
            suggested_rule=self._suggest_path_rule(family, real, inside),
        )

    def _path_matches(self, rule: Rule, lexical: str, real: str) -> bool:
        pattern = self._absolute_pattern(rule.specifier or "")
        regex = compile_glob(pattern.lstrip("/"))
        for candidate in {lexical, real}:
            probe = candidate
            while True:
                # "secrets/**" also covers the folder itself: searching it reads its files
                if regex.match(probe.lstrip("/")) or regex.match(probe.lstrip("/") + "/"):
                    return True
                parent = os.path.dirname(probe)
                if parent == probe:
                    break
                probe = parent
        return False

    def _absolute_pattern(self, specifier: str) -> str:
        if specifier.startswith("//"):
            return specifier[1:]
        if specifier.startswith("~"):
            return os.path.expanduser(specifier)
        root = self._workspace[0]
        relative = specifier.lstrip("/").removeprefix("./")
        if "/" not in relative.rstrip("/"):
            relative = "**/" + relative  # gitignore: a bare name matches at any depth
        return os.path.join(root, relative.rstrip("/"))

    async def _workspace_roots(self) -> list[str]:
        if self._real_workspace is None:
            self._real_workspace = [await self._env.realpath(p) for p in self._workspace]
        return self._real_workspace

    async def _inside_workspace(self, real: str) -> str | None:
        """The workspace root ``real`` lies in, if any."""
        for root in await self._workspace_roots():
            if real == root or real.startswith(root.rstrip("/") + "/"):
                return root
        return None

    def _suggest_path_rule(self, family: str, real: str, inside: str | None) -> str:
        folder = os.path.dirname(real)
        if inside:
            relative = os.path.relpath(folder, inside)
            return f"{family}({relative}/**)" if relative != "." else f"{family}(**)"
        return f"{family}(/{folder}/**)"

    # -- shell -----------------------------------------------------------------

    async def _check_bash(self, command: str, cwd: str | None) -> Decision:
        analysis = analyze(command)
        commands = with_nested(analysis)
        for behavior in ("deny", "ask"):
            for rule in self._rules_for(behavior):
                if not rule.covers_tool("bash"):
                    continue
                if rule.specifier is None:
                    return _by_rule(behavior, rule)
                if any(command_matches(rule.specifier, c, loose=True) for c in commands):
                    return _by_rule(behavior, rule)
        guarded = await self._guarded_file(commands, cwd or self._env.cwd)
        if guarded is not None:
            return guarded
        if self.mode is PermissionMode.BYPASS:
            return Decision("allow", "bypass mode")
        if self.mode is PermissionMode.PLAN:
            return _plan_refusal("bash")
        blanket = next(
            (r for r in self._allow() if r.covers_tool("bash") and r.specifier is None), None
        )
        if blanket is not None:
            return _by_rule("allow", blanket)
        if not command.strip():
            return Decision("ask", "the command is empty")
        suggestion = suggest_bash_rule(analysis)
        if analysis.risks:
            return Decision(
                "ask",
                f"no rule can vouch for this command: {analysis.risks[0]}",
                suggested_rule=None,
            )
        return await self._check_simple_commands(analysis, cwd or self._env.cwd, suggestion)

    async def _guarded_file(self, commands: list[SimpleCommand], cwd: str) -> Decision | None:
        """A deny or ask rule on read/edit that a file named in the command falls under.

        ``cat .env`` must not read what ``read(./.env)`` forbids, in any mode. Only
        fixed words are checked; computed ones already make the command ask.
        """
        rules = [
            (behavior, rule)
            for behavior in ("deny", "ask")
            for rule in self._rules_for(behavior)
            if rule.specifier is not None and rule.tool in ("read", "edit", "write")
        ]
        if not rules:
            return None
        for simple in commands:
            words = [
                w for w, fixed in zip(simple.words[1:], simple.literal[1:], strict=True) if fixed
            ]
            words += [r.target for r in simple.redirects if r.target and r.literal]
            for word in words:
                candidate = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
                if not candidate or candidate.startswith("-"):
                    continue
                joined = os.path.join(cwd, os.path.expanduser(candidate))
                lexical = os.path.normpath(joined)
                real = await self._env.realpath(joined)
                for behavior, rule in rules:
                    if self._path_matches(rule, lexical, real):
                        return _by_rule(behavior, rule)
        return None

    async def _check_simple_commands(
        self, analysis: ShellAnalysis, cwd: str, suggestion: str | None
    ) -> Decision:
        # bash's cd is logical (cd link/.. stays here) but the kernel resolves relative
        # paths physically, so both views of the working directory are followed.
        cwds = {cwd}
        used: list[str] = []
        for simple in analysis.commands:
            for redirect in simple.redirects:
                if not redirect.target or redirect.target in _HARMLESS_TARGETS:
                    continue
                if not redirect.literal or unknown_tilde(redirect.target):
                    return Decision("ask", f"the command redirects to {redirect.target}")
                for real in await self._reals(cwds, redirect.target):
                    inside = await self._inside_workspace(real)
                    if inside is None or (redirect.writes and _protected(real, inside)):
                        verb = "writes to" if redirect.writes else "reads from"
                        return Decision("ask", f"the command {verb} {real}")
            if not simple.words:
                continue
            rule = self._allowing_rule(simple)
            if rule is None and simple.name not in SAFE_COMMANDS:
                return Decision(
                    "ask",
                    f"no rule allows '{simple.text}'",
                    suggested_rule=suggest_bash_rule_for(simple) or suggestion,
                )
            outside = await self._path_outside(simple, cwds)
            if outside is not None:
                return Decision("ask", f"'{simple.text}' reaches {outside}")
            if simple.name in ("cd", "pushd", "popd"):
                target = cd_target(simple)
                if target is None:
                    return Decision(
                        "ask", f"'{simple.text}' goes to a folder only known when it runs"
                    )
                logical = {_join(c, target) for c in cwds}
                cwds = logical | set(await self._reals(cwds, target))
            if rule is not None:
                used.append(str(rule))
        reason = "allowed by " + ", ".join(dict.fromkeys(used)) if used else "harmless built-ins"
        return Decision("allow", reason, rule=used[0] if len(set(used)) == 1 else None)

    async def _reals(self, cwds: set[str], path: str) -> list[str]:
        expanded = os.path.expanduser(path)
        return [await self._env.realpath(os.path.join(c, expanded)) for c in sorted(cwds)]

    def _allowing_rule(self, simple: SimpleCommand) -> Rule | None:
        for rule in self._allow():
            if (
                rule.covers_tool("bash")
                and rule.specifier is not None
                and command_matches(rule.specifier, simple)
            ):
                return rule
        return None

    async def _path_outside(self, simple: SimpleCommand, cwds: set[str]) -> str | None:
        """The first argument that names a place outside the workspace, if any."""
        for word, literal in zip(simple.words[1:], simple.literal[1:], strict=True):
            if not literal and ("$" in word or "`" in word):
                return f"{word}, a value only known when it runs"
            if not literal and (
                "{" in word or ".." in word.split("/") or _DOT_PATTERN.search(word)
            ):
                return f"{word}, a pattern that may name folders outside the workspace"
            candidate = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
            if candidate.startswith("-") or not candidate:
                continue
            if unknown_tilde(candidate):
                return f"{candidate}, a folder only known when it runs"
            if not literal:
                candidate, _ = split_literal_prefix(candidate)
                if not candidate:
                    continue
            for real in await self._reals(cwds, candidate):
                if await self._inside_workspace(real) is None:
                    return f"{real}, outside the workspace"
        return None


def _join(cwd: str, path: str) -> str:
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(path)))


def _protected(real: str, root: str) -> bool:
    relative = os.path.relpath(real, root)
    return relative.split(os.sep, 1)[0] in PROTECTED_DIRS


def _by_rule(behavior: str, rule: Rule) -> Decision:
    verb = {"allow": "allowed", "ask": "needs approval", "deny": "denied"}[behavior]
    return Decision(_behavior(behavior), f"{verb} by rule {rule}", rule=str(rule))


def _behavior(text: str) -> Behavior:
    if text == "allow":
        return "allow"
    return "deny" if text == "deny" else "ask"


def _plan_refusal(tool: str) -> Decision:
    return Decision(
        "deny",
        f"plan mode: {tool} could change something, and plan mode only investigates. "
        "Finish the plan and ask for approval first.",
    )
