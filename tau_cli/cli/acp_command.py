"""``tau acp``: tau as an ACP agent on stdin/stdout, for editors such as Zed.

Each session the editor opens gets the settings of its own folder, with this
command's flags (``--model``, ``--permission-mode``, ``--allow`` ...) on top.
Logs go to stderr; stdout carries only the protocol.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from tau_cli.runtime.settings_loader import ResolvedSettings


def serve_acp(load_settings: Callable[[Path], ResolvedSettings]) -> int:
    from tau_cli.api import AcpAgent, serve_stdio

    logging.basicConfig(level=logging.WARNING, format="tau acp: %(levelname)s %(message)s")
    try:
        asyncio.run(serve_stdio(AcpAgent(load_settings)))
    except KeyboardInterrupt:
        return 130
    return 0
