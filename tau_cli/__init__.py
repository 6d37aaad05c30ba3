"""tau: a terminal coding agent.

Importing this package must stay cheap: ``tau --version`` goes through it, so it
imports nothing but the version string. Subpackages are imported where used.
"""

from tau_cli._version import __version__

__all__ = ["__version__"]
