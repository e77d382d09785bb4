"""A real HTTP server standing in for the API's alerts resource, for delivery tests.

It follows the API's contract for ``PUT /alerts/{id}`` (201 on the first
revision, 200 on later ones or an identical resend, 409 on the same revision
with different content) and records every request. ``refuse`` makes it
answer 503 to the next N requests; ``stop``/``start`` take the port away
entirely (connection refused) and give it back.
"""

from __future__ import annotations

import http.server
import threading
import time
import uuid

import msgspec

from mobile_contract.alerts import AlertUpsert

TOKEN = "node-token"


class AlertServer:
    def __init__(self) -> None:
        self.stored: dict[tuple[uuid.UUID, int], bytes] = {}
        self.arrivals: list[tuple[uuid.UUID, int]] = []  # every accepted first delivery, in order
        self.first_of_kind: dict[str, float] = {}  # alert kind → wall time its first revision arrived
        self.resent = 0
        self.refused = 0
        self.refuse_next = 0
        self.lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._server = None

    def receive(self, path: str, body: bytes, authorization: str | None) -> int:
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return 503
            if authorization != f"Bearer {TOKEN}":
                return 401
            upsert = msgspec.json.decode(body, type=AlertUpsert)
            if path != f"/alerts/{upsert.id}":
                return 422
            key = (upsert.id, upsert.revision)
            if key in self.stored:
                self.resent += 1
                return 200 if self.stored[key] == body else 409
            self.stored[key] = body
            self.arrivals.append(key)
            self.first_of_kind.setdefault(upsert.kind.value, time.time())
            return 201 if upsert.revision == 1 else 200


def _handler(sink: AlertServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = sink.receive(self.path, body, self.headers.get("Authorization"))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
