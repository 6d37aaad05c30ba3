"""``tau_cli.agent`` loads its names on first use; every name it exports must still load."""

from __future__ import annotations

import subprocess
import sys

import pytest

import tau_cli.agent as agent


def test_every_exported_name_has_a_home_and_loads() -> None:
    assert set(agent._HOMES) == set(agent.__all__)
    for name in agent.__all__:
        assert getattr(agent, name) is not None, name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchProvider"):
        agent.NoSuchProvider  # type: ignore[attr-defined]  # noqa: B018


def test_choosing_a_provider_imports_that_provider_alone() -> None:
    code = """
import sys
from tau_cli.agent import create_provider
from tau_cli.core import ModelRef
create_provider(ModelRef.parse("openai:m"), environ={"OPENAI_API_KEY": "sk-x"})
print(sorted(m for m in sys.modules if m.startswith("tau_cli.agent.")))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout
    assert "tau_cli.agent.openai" in loaded
    for other in ("anthropic", "ollama", "responses", "scripted", "script"):
        assert f"'tau_cli.agent.{other}'" not in loaded, other
