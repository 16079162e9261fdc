"""Suite-wide guard: no test may reach the network (only loopback, e.g. to chromedriver)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest


def _loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name: resolving it would already be a network lookup


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    """Fail any connection to a non-loopback address: rangemap works offline, tests too."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise OSError(f"test tried to reach the network at {address!r}")

    def connect(sock: socket.socket, address: object) -> None:
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex  # type: ignore[method-assign]
