"""rangemap runs offline: the suite-wide network guard (tests/conftest.py) really blocks."""

from __future__ import annotations

import socket

import pytest


def test_the_network_guard_blocks_outside_addresses() -> None:
    """An outside address fails before any packet is sent."""
    with socket.socket() as sock, pytest.raises(OSError, match="tried to reach the network"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1, never routed


def test_loopback_stays_open() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket() as client:
            client.connect(server.getsockname())
