"""How permission rules meet shell commands and URLs: matching and suggesting rules.

Kept apart from ``permissions`` so the policy reads as the order of decisions
(deny, ask, mode, allow, defaults) and this module as the fine print of matching.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from pydantic import JsonValue

from tau_cli.tools._globbing import has_magic
from tau_cli.tools._shell import WRAPPERS, ShellAnalysis, SimpleCommand, analyze

SAFE_COMMANDS = frozenset({"cd", "pwd", "true", "false", "echo", ":"})
"""Shell built-ins that need no rule (their redirections and paths are still checked)."""
_MAX_NESTING = 3


def cd_target(simple: SimpleCommand) -> str | None:
    """Where ``cd``/``pushd`` go (home without an argument); ``None`` when unknowable."""
    arguments = [w for w in simple.words[1:] if w not in ("-L", "-P", "--")]
    if simple.name == "popd" or arguments[:1] == ["-"]:
        return None
    return arguments[0] if arguments else "~"


def unknown_tilde(word: str) -> bool:
    """``~+``, ``~-`` or ``~nobody``: bash expands them, Python cannot say to what."""
    return word.startswith("~") and os.path.expanduser(word) == word


def with_nested(analysis: ShellAnalysis, depth: int = 0) -> list[SimpleCommand]:
    """Every simple command, including those run through ``sh -c``, ``sudo``, ``xargs`` …"""
    commands = [c for c in analysis.commands if c.words]
    if depth >= _MAX_NESTING:
        return commands
    for text in analysis.nested:
        inner = analyze(_strip_wrapper_options(text))
        commands.extend(with_nested(inner, depth + 1))
    return commands


def _strip_wrapper_options(text: str) -> str:
    """``-n 10 FOO=1 rm x`` → ``rm x``: the command a wrapper was given."""
    words = text.split(" ")
    while words and (
        words[0].startswith("-")
        or words[0].replace(".", "").rstrip("smhd").isdigit()
        or "=" in words[0]
        or words[0] in WRAPPERS
    ):
        words.pop(0)
    return " ".join(words)


def command_matches(specifier: str, simple: SimpleCommand, *, loose: bool = False) -> bool:
    """Whether a rule's specifier names ``simple``.

    Deny and ask rules match ``loose``ly (``rm:*`` also catches ``/bin/rm`` and
    ``rmdir``): erring there only asks more. Allow rules need a word boundary after
    the prefix, so ``npm test:*`` allows ``npm test:unit`` but not ``npm testevil``.
    """
    texts = {simple.text}
    if loose and "/" in simple.name:
        texts.add(" ".join((simple.name.rsplit("/", 1)[-1], *simple.words[1:])))
    return any(_text_matches(specifier, text, loose) for text in texts)


def _text_matches(specifier: str, text: str, loose: bool) -> bool:
    """Claude Code's two spellings: ``npm test:*`` (legacy prefix) and ``npm test *``.

    A trailing `` *`` keeps a word boundary (``ls *`` matches ``ls`` and ``ls -la``, not
    ``lsof``); any other ``*`` matches any characters (``git * main``).
    """
    if specifier.endswith(":*"):
        prefix = specifier[:-2].rstrip()
        if text == prefix:
            return True
        if not text.startswith(prefix):
            return False
        following = text[len(prefix)]
        if loose or not prefix[-1:].isalnum():
            return True
        return following in " :=/,"
    if "*" in specifier:
        if loose and specifier.endswith(" *"):
            specifier = specifier[:-2] + "*"  # deny `curl *` also catches curlx, erring safe
        body, trailing = specifier, ""
        if body.endswith(" *"):
            body, trailing = body[:-2], "( .*)?"
        pattern = re.escape(body).replace(r"\*", ".*") + trailing
        return re.fullmatch(pattern, text, re.DOTALL) is not None
    return text == specifier


def suggest_bash_rule(analysis: ShellAnalysis) -> str | None:
    for simple in analysis.commands:
        if simple.words and simple.name not in SAFE_COMMANDS:
            return suggest_bash_rule_for(simple)
    return None


def suggest_bash_rule_for(simple: SimpleCommand) -> str | None:
    if not simple.words or has_magic(simple.name):
        return None
    words = list(simple.words[:2])
    if len(words) == 2 and (words[1].startswith("-") or "/" in words[1] or "." in words[1]):
        words = words[:1]
    return f"bash({' '.join(words)}:*)"


def url_host(url: JsonValue) -> str | None:
    if not isinstance(url, str):
        return None
    return urlsplit(url).hostname


def domain_matches(specifier: str, host: str) -> bool:
    if not specifier.startswith("domain:"):
        return False
    domain = specifier.removeprefix("domain:").strip().lower()
    host = host.lower()
    if domain.startswith("*."):
        return host.endswith(domain[1:])
    return host == domain
