"""Grants: allow rules a source (an active skill) adds and can take back.

A grant is matched by the very code that matches settings' allow rules, so the
bypass corpus that settings rules must withstand is run again with the rules
granted instead; deny and ask rules and plan mode are decided before any grant.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.core import ConfigError
from tau_cli.tools import LocalEnvironment, PermissionPolicy

from .test_permissions import ALLOW, BYPASS_ATTEMPTS, HARMLESS, bash, workspace

__all__ = ["workspace"]  # the same real project, with its outside folder and symlinks


@pytest.fixture
def granted(workspace: Path) -> PermissionPolicy:
    policy = PermissionPolicy(LocalEnvironment(str(workspace)))
    policy.grant("skill everything", ALLOW)
    return policy


@pytest.mark.parametrize("command", BYPASS_ATTEMPTS)
async def test_a_grant_withstands_every_bypass_attempt(
    granted: PermissionPolicy, command: str
) -> None:
    assert await bash(granted, command) in ("ask", "deny")


@pytest.mark.parametrize("command", HARMLESS[:10])
async def test_a_grant_allows_what_its_rules_cover(granted: PermissionPolicy, command: str) -> None:
    assert await bash(granted, command) == "allow"


async def test_before_a_grant_the_command_asks_and_after_a_revoke_it_asks_again(
    workspace: Path,
) -> None:
    policy = PermissionPolicy(LocalEnvironment(str(workspace)))
    assert await bash(policy, "git log -3") == "ask"
    policy.grant("skill release", ["Bash(git log:*)"])
    assert await bash(policy, "git log -3") == "allow"
    assert await bash(policy, "git push") == "ask"
    assert policy.grants == {"skill release": ["bash(git log:*)"]}
    assert policy.rules["allow"] == []  # grants are listed apart from settings' rules
    policy.revoke("skill release")
    assert await bash(policy, "git log -3") == "ask"
    assert policy.grants == {}


async def test_deny_and_ask_rules_beat_a_grant(workspace: Path) -> None:
    policy = PermissionPolicy(
        LocalEnvironment(str(workspace)), deny=["Bash(git push:*)"], ask=["Read(src/**)"]
    )
    policy.grant("skill release", ["Bash(git:*)", "Read"])
    assert await bash(policy, "git push origin main") == "deny"
    assert await bash(policy, "git log") == "allow"
    read = await policy.check(
        "read", {"file_path": str(workspace / "src" / "app.py")}, read_only=True
    )
    assert (read.behavior, read.rule) == ("ask", "read(src/**)")


async def test_plan_mode_blocks_edits_a_grant_would_allow(workspace: Path) -> None:
    policy = PermissionPolicy(LocalEnvironment(str(workspace)), mode="plan")
    policy.grant("skill docs", ["Edit", "Bash(git commit:*)"])
    edit = await policy.check("edit", {"file_path": str(workspace / "README.md")}, read_only=False)
    assert edit.behavior == "deny" and "plan mode" in edit.reason
    assert await bash(policy, "git commit -m x") == "deny"


async def test_a_path_grant_cannot_be_left_through_dot_dot_or_a_symlink(
    workspace: Path,
) -> None:
    policy = PermissionPolicy(LocalEnvironment(str(workspace)))
    policy.grant("skill src", ["Edit(src/**)"])

    async def edit(path: str) -> str:
        decision = await policy.check("edit", {"file_path": path}, read_only=False)
        return decision.behavior

    assert await edit(str(workspace / "src" / "app.py")) == "allow"
    assert await edit(str(workspace / "src" / ".." / "README.md")) == "ask"
    (workspace / "src" / "out").symlink_to(workspace.parent / "outside")
    assert await edit(str(workspace / "src" / "out" / "secret.txt")) == "ask"


def test_a_grant_that_does_not_parse_grants_nothing(workspace: Path) -> None:
    policy = PermissionPolicy(LocalEnvironment(str(workspace)))
    with pytest.raises(ConfigError, match="not a permission rule"):
        policy.grant("skill broken", ["Read", "Bash(git log"])
    assert policy.grants == {}
