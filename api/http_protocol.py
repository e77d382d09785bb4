"""uvicorn's HTTP protocol with read time-outs for headers and bodies (慢速连接防护).

uvicorn (httptools) times only the idle gap *between* requests (``timeout_keep_alive``); a client
that opens a connection and sends its headers a byte at a time, or never ends them, holds the
connection for ever (slowloris), and a body can trickle in the same way. Here a request's headers
must be complete within ``header_timeout_s`` of its first byte (or of the connection opening),
and its body within ``body_timeout_s`` of its headers; otherwise the connection is closed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)


class TimedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that closes connections whose headers or body arrive too slowly."""

    def __init__(self, *args: Any, header_timeout_s: float, body_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout_s, self.body_timeout_s = header_timeout_s, body_timeout_s
        self.read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn's own narrowing
        super().connection_made(transport)
        self._arm(self.header_timeout_s, "headers")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.read_deadline is None:
            self._arm(self.header_timeout_s, "headers")

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        self._arm(self.body_timeout_s, "body")

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float, part: str) -> None:
        self._disarm()
        self.read_deadline = self.loop.call_later(seconds, self._too_slow, part, seconds)

    def _disarm(self) -> None:
        if self.read_deadline is not None:
            self.read_deadline.cancel()
            self.read_deadline = None

    def _too_slow(self, part: str, seconds: float) -> None:
        self.read_deadline = None
        if not self.transport.is_closing():
            log.info("closing %s: request %s not received within %.0f s", self.client, part, seconds)
            self.transport.close()
