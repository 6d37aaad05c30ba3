"""``LocalEnvironment`` passes the Environment contract, and children see no secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.tools import Environment, LocalEnvironment, allowed_environment
from tau_cli.tools.contract import EnvironmentContract


class TestLocalEnvironment(EnvironmentContract):
    @pytest.fixture
    def environment(self, workdir: str) -> Environment:
        return LocalEnvironment(workdir)


def test_local_environment_is_an_environment(tmp_path: object) -> None:
    assert isinstance(LocalEnvironment(str(tmp_path)), Environment)


@pytest.mark.parametrize(
    ("path", "resolved"),
    [
        ("/srv/src/app.py", "/srv/src/app.py"),
        ("/srv/.hidden/app.py", "/srv/.hidden/app.py"),
        ("/srv/src/../app.py", "/srv/app.py"),
        ("/srv/./src/app.py", "/srv/src/app.py"),
        ("/srv//src/app.py", "/srv/src/app.py"),
        ("/srv/src/", "/srv/src"),
        ("/srv/src/.", "/srv/src"),
        ("/srv/src/..", "/srv"),
        ("/", "/"),
        ("src/app.py", "/project/src/app.py"),
        ("..", "/"),
    ],
)
def test_resolve_makes_paths_absolute_and_drops_dot_segments(path: str, resolved: str) -> None:
    assert LocalEnvironment("/project").resolve(path) == resolved


async def test_stat_many_and_read_many_resolve_each_path_of_a_mixed_batch(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "sub").mkdir()
    (root / "sub" / "a.txt").write_text("a")
    (root / "b.txt").write_text("bb")
    env = LocalEnvironment(str(root))
    walked = [str(root / "b.txt"), str(root / "sub" / "a.txt")]
    odd = [f"{root}/sub/../b.txt", "sub/a.txt", f"{root}//sub/a.txt", f"{root}/sub/./a.txt"]
    folders = [f"{root}/sub/", f"{root}/sub/.", f"{root}/sub/.."]
    for path in [*odd, *folders]:  # each spoils an otherwise normal batch, first or last
        for batch in ([*walked, path], [path, *walked]):
            infos = await env.stat_many(batch)
            resolved = [env.resolve(p) for p in batch]
            assert [info.path if info else None for info in infos] == resolved
    assert env.resolve(folders[2]) == str(root) and env.resolve(odd[1]) == walked[1]
    for path, data in zip(odd, [b"bb", b"a", b"a", b"a"], strict=True):
        assert await env.read_many([*walked, path]) == [b"bb", b"a", data]


def test_only_allow_listed_variables_reach_a_child() -> None:
    parent = {
        "PATH": "/usr/bin",
        "LC_ALL": "C.UTF-8",
        "HOME": "/home/me",
        "AWS_SECRET_ACCESS_KEY": "abc",
        "DATABASE_URL": "postgres://user:pw@db/app",
        "RANDOM_THING": "x",
    }
    assert allowed_environment(parent) == {
        "PATH": "/usr/bin",
        "LC_ALL": "C.UTF-8",
        "HOME": "/home/me",
    }


def test_a_credential_looking_name_is_refused_even_when_allowed() -> None:
    parent = {"GITHUB_TOKEN": "ghp_x", "MY_API_KEY": "k", "MY_VAR": "v"}
    assert allowed_environment(parent, allow=["*"]) == {"MY_VAR": "v"}


def test_a_loaded_secret_is_hidden_whatever_variable_holds_it() -> None:
    parent = {"PATH": "/bin", "PAGER": "sk-loaded-from-settings"}
    assert allowed_environment(parent, secrets=["sk-loaded-from-settings"]) == {"PATH": "/bin"}


async def test_a_secret_tau_loaded_never_reaches_a_child(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "sk-loaded-from-settings")  # a secret in an allowed name
    env = LocalEnvironment(str(tmp_path), secrets=["sk-loaded-from-settings"])
    result = await env.exec(["env"])
    assert b"sk-loaded-from-settings" not in result.stdout
    assert b"PATH=" in result.stdout
