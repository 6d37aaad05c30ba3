"""Test doubles that tau ships: a scripted model server and a loopback-only guard.

Imported by tests and benchmarks, never by product code (import-linter enforces
it). The server is a real HTTP server on 127.0.0.1, so providers are tested over
real sockets, and it records what it receives, so tests assert on the wire.
"""

from tau_cli.testing._http import RecordedRequest
from tau_cli.testing.guard import NonLoopbackRefused, loopback_only
from tau_cli.testing.server import ScriptedModelServer

__all__ = ["NonLoopbackRefused", "RecordedRequest", "ScriptedModelServer", "loopback_only"]
