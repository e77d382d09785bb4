"""Which address a request came from (客户端地址), as throttling counts it.

The address is the peer of the connection. Behind a reverse proxy that is the proxy, so every
caller would share one counter: set ``ENFORCE_FORWARDED_ALLOW_IPS`` to the proxy's address
(``enforce serve`` hands it to uvicorn, which then takes the client from ``X-Forwarded-For``,
believing only that proxy).
"""

from __future__ import annotations

from litestar.connection import ASGIConnection

UNKNOWN = "unknown"  # no peer (a server that does not report one): all such requests share a counter


def client_address(connection: ASGIConnection) -> str:
    return connection.client.host if connection.client is not None else UNKNOWN
