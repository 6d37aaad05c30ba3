"""The ``sandbox`` settings: what they turn on, what accumulates, what trust withholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.core import ConfigError
from tau_cli.runtime.environments import LOCAL_DESCRIPTION, build_environment
from tau_cli.runtime.sandbox import SandboxEnvironment
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.runtime.trust import TrustStore
from tau_cli.tools import LocalEnvironment


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path.resolve() / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".tau").mkdir()
    return root


def test_tools_run_locally_unless_the_sandbox_is_enabled(project: Path, tau_home: Path) -> None:
    settings = load_settings(project).settings
    chosen = build_environment(settings, cwd=project, project_root=project, tau_home=tau_home)
    assert isinstance(chosen.environment, LocalEnvironment)
    assert chosen.description == LOCAL_DESCRIPTION


def test_the_flag_enables_the_sandbox_over_the_project_root(project: Path, tau_home: Path) -> None:
    sub = project / "src"
    sub.mkdir()
    resolved = load_settings(sub, flags={"sandbox.enabled": True})
    chosen = build_environment(
        resolved.settings, cwd=sub, project_root=resolved.project_root, tau_home=tau_home
    )
    sandbox = chosen.environment
    assert isinstance(sandbox, SandboxEnvironment)
    assert sandbox.cwd == str(sub)
    assert sandbox.confinement.writable == (str(project),)
    assert str(project / ".tau") in sandbox.confinement.read_only
    assert str(project / ".git" / "hooks") in sandbox.confinement.read_only
    assert not sandbox.network
    assert chosen.description.startswith("bubblewrap sandbox")


def test_settings_files_add_writable_and_denied_paths(project: Path, tau_home: Path) -> None:
    home = Path.home()
    tau_home.mkdir(parents=True, exist_ok=True)
    (tau_home / "settings.yaml").write_text(
        "sandbox:\n  enabled: true\n  writable_paths: ['~/.cache/tool']\n"
        "  denied_paths: ['~/private']\n"
    )
    TrustStore(tau_home).trust(project)
    (project / ".tau" / "settings.yaml").write_text(
        "sandbox:\n  network: true\n  writable_paths: ['/srv/data']\n"
    )
    settings = load_settings(project).settings
    assert settings.sandbox.writable_paths == ["~/.cache/tool", "/srv/data"]
    sandbox = build_environment(
        settings, cwd=project, project_root=project, tau_home=tau_home
    ).environment
    assert isinstance(sandbox, SandboxEnvironment)
    assert sandbox.network
    assert str(home / ".cache" / "tool") in sandbox.confinement.writable
    denied = sandbox.confinement.denied
    tau_files = [tau_home / name for name in ("settings.yaml", "sessions", "checkpoints")]
    for hidden in (home / "private", home / ".ssh", *tau_files):
        assert str(hidden.resolve()) in denied


def test_an_untrusted_project_cannot_loosen_the_sandbox(project: Path, tau_home: Path) -> None:
    tau_home.mkdir(parents=True, exist_ok=True)
    (tau_home / "settings.yaml").write_text("sandbox:\n  enabled: true\n")
    (project / ".tau" / "settings.yaml").write_text(
        "sandbox:\n  enabled: 'no'\n  network: yes\n  writable_paths: ['/']\n"
        "  denied_paths: ['secrets']\n"
    )
    resolved = load_settings(project)
    sandbox = resolved.settings.sandbox
    assert (sandbox.enabled, sandbox.network, sandbox.writable_paths) == (True, False, [])
    assert sandbox.denied_paths == ["secrets"]
    assert sorted(i.key for i in resolved.ignored) == [
        "sandbox.enabled",
        "sandbox.network",
        "sandbox.writable_paths",
    ]


def test_only_a_trusted_project_may_let_an_mcp_server_out_of_the_sandbox(
    project: Path, tau_home: Path
) -> None:
    (project / ".tau" / "settings.yaml").write_text(
        "sandbox:\n  mcp_servers:\n    github: {network: true}\n    legacy: {enabled: false}\n"
    )
    untrusted = load_settings(project)
    assert untrusted.settings.sandbox.mcp_servers == {}
    assert [i.key for i in untrusted.ignored] == ["sandbox.mcp_servers"]

    TrustStore(tau_home).trust(project)
    trusted = load_settings(project).settings.sandbox.mcp_servers
    assert trusted["github"].network is True and trusted["github"].enabled
    assert trusted["legacy"].enabled is False and trusted["legacy"].network is None


def test_a_misspelt_mcp_server_exception_is_named(project: Path, tau_home: Path) -> None:
    tau_home.mkdir(parents=True, exist_ok=True)
    misspelt = "sandbox:\n  mcp_servers:\n    github: {netwrk: true}\n"
    (tau_home / "settings.yaml").write_text(misspelt)
    with pytest.raises(ConfigError) as error:
        load_settings(project)
    assert "sandbox.mcp_servers.github.netwrk" in str(error.value)
    assert error.value.line == 3
