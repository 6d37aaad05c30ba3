"""The ``tau`` command as a user meets it, run as a real process (and in a real pty)."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect

from tau_cli.runtime.trust import TrustStore

from .conftest import TAU, run_tau, tau_env


def test_bare_tau_reports_model_project_and_trust(repo: Path) -> None:
    (repo / ".tau" / "settings.yaml").write_text("model: ollama:qwen3:8b\n")

    result = run_tau(cwd=repo)

    assert result.returncode == 0, result.stderr
    assert "model:    ollama:qwen3:8b" in result.stdout
    assert "(not trusted)" in result.stdout


def test_config_show_masks_secrets_and_names_sources(repo: Path) -> None:
    secret = "sk-test-0123456789abcdefWXYZ"
    (repo / ".tau" / "settings.yaml").write_text("model: ollama:qwen3:8b\n")

    result = run_tau("config", "show", "--json", cwd=repo, OPENAI_API_KEY=secret)

    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout
    payload = json.loads(result.stdout)
    assert payload["settings"]["providers.openai.api_key"] == "****WXYZ"
    assert payload["sources"]["providers.openai.api_key"] == "env (OPENAI_API_KEY)"
    assert payload["sources"]["model"] == f"project ({repo / '.tau' / 'settings.yaml'}:1)"
    assert payload["sources"]["max_iterations"] == "default"


def test_flags_show_up_as_their_own_source(repo: Path) -> None:
    result = run_tau(
        "--model", "openai:gpt-4.1", "--allow", "Bash(ls:*)", "config", "show", "--json", cwd=repo
    )
    payload = json.loads(result.stdout)
    assert payload["settings"]["model"] == "openai:gpt-4.1"
    assert payload["sources"]["model"] == "flag (--model)"
    assert payload["sources"]["permissions.allow[0]"] == "flag (--allow)"


def test_bad_settings_give_one_clear_message_and_no_traceback(repo: Path) -> None:
    (repo / ".tau" / "settings.yaml").write_text("permissions:\n  default_mode: yolo\n")

    result = run_tau("config", "show", cwd=repo)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("tau: configuration error: ")
    assert ".tau/settings.yaml:2: key 'permissions.default_mode'" in result.stderr


def test_an_unknown_flag_is_a_usage_error(repo: Path) -> None:
    result = run_tau("--bogus", cwd=repo)
    assert result.returncode == 2
    assert "No such option" in result.stderr
    assert "Traceback" not in result.stderr


def test_trust_then_settings_apply(repo: Path, tau_home: Path) -> None:
    (repo / ".tau" / "settings.yaml").write_text("permissions: {allow: ['Bash(make:*)']}\n")
    before = run_tau("config", "show", "--json", cwd=repo)
    assert json.loads(before.stdout)["ignored"][0]["key"] == "permissions.allow"

    trusted = run_tau("trust", cwd=repo)

    assert trusted.returncode == 0, trusted.stderr
    assert "Trusted:" in trusted.stdout
    assert TrustStore(tau_home).is_trusted(repo)
    after = json.loads(run_tau("config", "show", "--json", cwd=repo).stdout)
    assert after["settings"]["permissions.allow[0]"] == "Bash(make:*)"
    assert run_tau("trust", "--revoke", cwd=repo).returncode == 0
    assert not TrustStore(tau_home).is_trusted(repo)


def test_in_a_real_terminal_untrusted_settings_are_explained(repo: Path) -> None:
    (repo / ".tau" / "settings.yaml").write_text(
        "hooks:\n  Stop:\n    - hooks: [{command: 'touch ran'}]\n"
    )
    child = pexpect.spawn(
        TAU,
        ["config", "show"],
        cwd=str(repo),
        env=tau_env(TERM="xterm-256color"),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
    )
    child.expect("not trusted")
    child.expect("hooks")
    child.expect(r"tau trust")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not (repo / "ran").exists()


def test_memory_show_lists_each_file_and_its_cost(repo: Path) -> None:
    (repo / "TAU.md").write_text("Run the tests with make test.\n@docs/style.md\n")
    (repo / "docs").mkdir()
    (repo / "docs" / "style.md").write_text("Four spaces, no tabs.\n")

    result = run_tau("memory", "show", cwd=repo)

    assert result.returncode == 0, result.stderr
    assert "Memory: 2 file(s)" in result.stdout
    assert "TAU.md" in result.stdout
    assert "docs/style.md" in result.stdout


def test_skills_list_and_check(repo: Path) -> None:
    skill = repo / ".tau" / "skills" / "release-notes"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: release-notes\ndescription: Write release notes from the git log.\n"
        "allowed-tools: Bash(git log:*)\n---\n"
        "Read the log since the last tag, group by kind.\n"
    )
    broken = repo / "broken" / "bad-skill"
    broken.mkdir(parents=True)
    (broken / "SKILL.md").write_text("---\nname: [not, a, name]\n---\nbody\n")

    listed = run_tau("skills", "list", cwd=repo)
    trusted = run_tau("--trust", "skills", "list", cwd=repo)
    good = run_tau("skills", "check", str(skill), cwd=repo)
    bad = run_tau("skills", "check", str(repo / "broken"), cwd=repo)

    assert listed.returncode == 0, listed.stderr
    assert "release-notes" in listed.stdout and "project" in listed.stdout
    assert "grants nothing until this folder is trusted" in listed.stdout
    assert "release-notes: once active, runs Bash(git log:*) without asking" in trusted.stdout
    assert good.returncode == 0 and "ok: release-notes" in good.stdout
    assert bad.returncode == 1
    assert "error:" in bad.stderr and "SKILL.md" in bad.stderr


def test_mcp_add_list_tools_and_remove(repo: Path, tau_home: Path) -> None:
    import sys

    server = Path(__file__).parents[1] / "runtime" / "servers" / "recording_mcp.py"
    added = run_tau(
        "mcp",
        "add",
        "recorder",
        "--env",
        "CALL_LOG=/dev/null",
        "--",
        sys.executable,
        str(server),
        cwd=repo,
    )
    assert added.returncode == 0, added.stderr
    assert "added MCP server 'recorder'" in added.stdout
    assert json.loads((tau_home / "mcp.json").read_text())["mcpServers"]["recorder"]["args"] == [
        str(server)
    ]

    listed = run_tau("mcp", "list", cwd=repo)
    assert listed.returncode == 0, listed.stderr
    assert "recorder" in listed.stdout and "connected" in listed.stdout

    tools = run_tau("mcp", "tools", "recorder", cwd=repo)
    assert tools.returncode == 0, tools.stderr
    assert "mcp__recorder__lookup" in tools.stdout
    assert '"customer"' in tools.stdout

    removed = run_tau("mcp", "remove", "recorder", cwd=repo)
    assert removed.returncode == 0
    assert "No MCP servers configured" in run_tau("mcp", "list", cwd=repo).stdout
    missing = run_tau("mcp", "tools", "recorder", cwd=repo)
    assert missing.returncode == 1 and "no MCP server named 'recorder'" in missing.stderr
