"""The one place tau's version is written; read by packaging and by ``tau --version``."""

__version__ = "0.1.0"
