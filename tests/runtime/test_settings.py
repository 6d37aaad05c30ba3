"""Settings: where values come from, which source wins, and what bad input says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.core import ConfigError
from tau_cli.runtime.settings_loader import Source, load_settings


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".tau").mkdir()
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class TestPrecedence:
    def test_defaults_when_nothing_is_configured(self, project: Path) -> None:
        resolved = load_settings(project, environ={"TAU_HOME": str(project / "h")})
        assert resolved.settings.model is None
        assert resolved.settings.permissions.default_mode == "default"
        assert resolved.source_of("model") == Source("default")

    def test_later_sources_win_and_each_value_remembers_its_source(
        self, project: Path, tau_home: Path
    ) -> None:
        user = write(tau_home / "settings.yaml", "model: openai:gpt-4.1\nmax_iterations: 10\n")
        shared = write(project / ".tau/settings.yaml", "max_iterations: 20\nplans_dir: plans\n")
        local = write(project / ".tau/settings.local.yaml", "\n\nplans_dir: my-plans\n")

        resolved = load_settings(project)

        s = resolved.settings
        assert (s.model, s.max_iterations, s.plans_dir) == ("openai:gpt-4.1", 20, "my-plans")
        assert resolved.source_of("model") == Source("user", f"{user}:1")
        assert resolved.source_of("max_iterations") == Source("project", f"{shared}:1")
        assert resolved.source_of("plans_dir") == Source("local", f"{local}:3")
        assert resolved.files == [user, shared, local]

    def test_environment_overrides_files(self, project: Path, tau_home: Path) -> None:
        write(tau_home / "settings.yaml", "model: openai:gpt-4.1\n")
        env = {
            "TAU_HOME": str(tau_home),
            "TAU_MODEL": "ollama:qwen3:8b",
            "OLLAMA_HOST": "127.0.0.1:11435",
            "AZURE_OPENAI_ENDPOINT": "https://example.invalid",
            "AZURE_OPENAI_API_KEY": "azure-secret",
        }

        resolved = load_settings(project, environ=env)

        s = resolved.settings
        assert s.model == "ollama:qwen3:8b"
        assert resolved.source_of("model") == Source("env", "TAU_MODEL")
        assert s.providers["ollama"].base_url == "http://127.0.0.1:11435"
        azure_key = s.providers["azure"].api_key
        assert azure_key is not None and azure_key.get_secret_value() == "azure-secret"
        assert resolved.source_of("providers.azure.api_key") == Source(
            "env", "AZURE_OPENAI_API_KEY"
        )

    def test_flags_override_everything(self, project: Path, tau_home: Path) -> None:
        env = {"TAU_HOME": str(tau_home), "TAU_MODEL": "ollama:qwen3:8b"}
        resolved = load_settings(
            project,
            environ=env,
            flags={"model": "anthropic:claude-sonnet-4-5"},
            flag_names={"model": "--model"},
        )
        assert resolved.settings.model == "anthropic:claude-sonnet-4-5"
        assert resolved.source_of("model") == Source("flag", "--model")

    def test_rule_lists_accumulate_so_a_project_cannot_drop_a_user_deny(
        self, project: Path, tau_home: Path
    ) -> None:
        write(tau_home / "settings.yaml", "permissions:\n  deny: ['Bash(curl:*)']\n")
        write(project / ".tau/settings.yaml", "permissions:\n  deny: ['Read(.env)']\n")

        resolved = load_settings(project, flags={"permissions.deny": ["Bash(rm:*)"]})

        assert resolved.settings.permissions.deny == ["Bash(curl:*)", "Read(.env)", "Bash(rm:*)"]
        assert resolved.source_of("permissions.deny[0]").kind == "user"
        assert resolved.source_of("permissions.deny[1]").kind == "project"
        assert resolved.source_of("permissions.deny[2]") == Source("flag", "--permissions.deny")

    def test_settings_are_found_from_a_subfolder_of_the_project(
        self, project: Path, tau_home: Path
    ) -> None:
        write(project / ".tau/settings.yaml", "plans_dir: docs/plans\n")
        sub = project / "src" / "pkg"
        sub.mkdir(parents=True)
        resolved = load_settings(sub)
        assert resolved.project_root == project
        assert resolved.settings.plans_dir == "docs/plans"

    def test_tau_home_moves_the_user_files(self, project: Path, tmp_path: Path) -> None:
        elsewhere = tmp_path / "elsewhere"
        write(elsewhere / "settings.yaml", "max_iterations: 7\n")
        resolved = load_settings(project, environ={"TAU_HOME": str(elsewhere)})
        assert resolved.settings.max_iterations == 7


class TestBadInput:
    def _error(self, project: Path, text: str) -> ConfigError:
        path = write(project / ".tau/settings.yaml", text)
        with pytest.raises(ConfigError) as info:
            load_settings(project)
        assert info.value.path == str(path)
        return info.value

    def test_malformed_yaml_names_file_and_line(self, project: Path) -> None:
        error = self._error(project, "model: openai:gpt-4.1\npermissions:\n  allow: [oops\n")
        assert error.line == 4
        assert "not valid YAML" in str(error)

    def test_a_document_that_is_not_a_mapping(self, project: Path) -> None:
        error = self._error(project, "- just\n- a list\n")
        assert "must be a mapping" in str(error)

    def test_an_unknown_key_names_line_and_suggests_the_right_one(self, project: Path) -> None:
        error = self._error(project, "model: openai:gpt-4.1\npermissions:\n  defualt_mode: plan\n")
        assert error.line == 3
        assert error.key == "permissions.defualt_mode"
        assert "did you mean 'permissions.default_mode'?" in str(error)

    def test_a_wrong_type_says_what_was_expected(self, project: Path) -> None:
        error = self._error(project, "permissions:\n  default_mode: yolo\n")
        assert error.line == 2
        message = str(error)
        assert "'permissions.default_mode'" in message
        assert "'default', 'accept_edits', 'plan' or 'bypass'" in message
        assert "got 'yolo'" in message

    def test_a_bad_model_reference(self, project: Path) -> None:
        error = self._error(project, "model: qwen3\n")
        assert "provider:model" in str(error)
        assert error.line == 1

    def test_several_problems_are_listed_with_their_lines(self, project: Path) -> None:
        error = self._error(
            project, "max_iterations: lots\nclient:\n  connect_timeout: 5 minutes\n"
        )
        message = str(error)
        assert "line 1: key 'max_iterations'" in message
        assert "line 3: key 'client.connect_timeout'" in message
        assert "'5 minutes' is not a duration" in message

    def test_a_bad_environment_value_names_the_variable(
        self, project: Path, tau_home: Path
    ) -> None:
        with pytest.raises(ConfigError, match=r"from TAU_MODEL"):
            load_settings(project, environ={"TAU_HOME": str(tau_home), "TAU_MODEL": "nonsense"})

    def test_binary_garbage_is_a_clear_error(self, project: Path) -> None:
        (project / ".tau/settings.yaml").write_bytes(b"\xff\xfe\x00garbage")
        with pytest.raises(ConfigError, match="UTF-8"):
            load_settings(project)

    def test_an_empty_file_is_fine(self, project: Path) -> None:
        write(project / ".tau/settings.yaml", "# nothing yet\n")
        assert load_settings(project).settings.max_iterations == 100
