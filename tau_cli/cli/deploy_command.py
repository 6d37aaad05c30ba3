"""``tau --container IMAGE --deploy``: the runtime in a container, this terminal attached.

The command that starts ``tau acp`` in the container is built by
``tau_cli.runtime.deploy``; attaching to it is the ACP client front end's job
(``tau --connect COMMAND``), so deploy mode hands that command over: the chat is the
same one, only the runtime is elsewhere.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from tau_cli.core import ConfigError
from tau_cli.runtime.container import default_ulimits, find_engine
from tau_cli.runtime.deploy import deploy_argv
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.settings_loader import ResolvedSettings


def deploy_command_line(resolved: ResolvedSettings) -> list[str]:
    """The ``run -i ... tau acp`` command for the configured image and this project.

    Raises:
        ConfigError: no image is configured.
        ContainerUnavailableError: no container engine works here.
    """
    options = resolved.settings.container
    if options.image is None:
        raise ConfigError("--deploy needs an image: add --container IMAGE (or container.image)")
    home = tau_home(dict(os.environ))
    home.mkdir(parents=True, exist_ok=True)
    return deploy_argv(
        options.image,
        workspace=resolved.project_root,
        tau_home=home.resolve(),
        engine=find_engine(options.engine),
        environ=os.environ,
        ulimits=options.ulimits or default_ulimits(),
        runtime=options.runtime,
    )


def deploy(resolved: ResolvedSettings, cwd: Path) -> int:
    """Start the runtime in a container and attach this terminal to it over ACP."""
    from tau_cli.cli.acp_command import connect_tui

    return connect_tui(shlex.join(deploy_command_line(resolved)), cwd)
