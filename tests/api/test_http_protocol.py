"""Slow clients (slowloris): headers or a body that never finish are cut off within the time-out."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.api.serving import Served

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TIMEOUT_S = 2


def closed_after(sock: socket.socket, limit_s: float) -> float | None:
    """Seconds until the server closed ``sock`` (reads EOF or a reset), None if still open at ``limit_s``."""
    sock.settimeout(0.2)
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - started
    return None


def test_connections_that_never_finish_their_headers_or_body_are_closed(tmp_path: Path) -> None:
    served = Served(tmp_path / "var", ENFORCE_HEADER_TIMEOUT_S=str(TIMEOUT_S), ENFORCE_BODY_TIMEOUT_S=str(TIMEOUT_S))
    try:
        loris = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(5)]
        for sock in loris[:3]:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-a: ")  # headers that never end
        for sock in loris[3:]:
            sock.sendall(b"POST /complaints/submit HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        waited = [closed_after(sock, TIMEOUT_S + 8) for sock in loris]
        for sock in loris:
            sock.close()
        assert all(w is not None for w in waited), waited
        assert max(waited) < TIMEOUT_S + 3
        with socket.create_connection(("127.0.0.1", served.port)) as quick:  # a normal request still works
            quick.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert quick.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        served.stop()
