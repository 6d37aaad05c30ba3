"""A guard that keeps tests on loopback: any other connection or lookup is refused.

Tests must never reach a real provider, even when a developer has an API key
exported or a default base URL slips through. While ``loopback_only()`` is active,
connecting a socket to anything but 127.0.0.0/8 or ::1 (or a Unix socket) and
resolving any name but ``localhost`` raise ``NonLoopbackRefused`` before a single
packet leaves. It subclasses ``ConnectionRefusedError`` so clients report it as
the connection failure it is.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NonLoopbackRefused(ConnectionRefusedError):
    """A test tried to reach a host that is not this machine's loopback."""


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _is_ip_literal(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    try:
        ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return False
    return True


def _refuse(host: object) -> NonLoopbackRefused:
    return NonLoopbackRefused(f"tests may only reach 127.0.0.1; refused a connection to {host!r}")


@contextmanager
def loopback_only() -> Iterator[None]:
    """Refuse every non-loopback connection and name lookup inside the block."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise _refuse(address[0])

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # An IP literal resolves without a lookup, so code may inspect it (e.g. to
        # refuse private addresses itself); connecting to it is still refused above.
        if host is not None and not _is_loopback(host) and not _is_ip_literal(host):
            raise _refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    replaced: dict[str, Any] = {"connect": connect, "connect_ex": connect_ex}
    originals = {name: getattr(socket.socket, name) for name in replaced}
    for name, function in replaced.items():
        setattr(socket.socket, name, function)
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(socket.socket, name, function)
        socket.getaddrinfo = real_getaddrinfo
