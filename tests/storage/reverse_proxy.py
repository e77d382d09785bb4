"""A small real reverse proxy, as a deployment puts in front of S3 (nginx ``location /s3/``).

It listens on a port of its own, takes requests under ``prefix``, strips the prefix and passes
them to the upstream S3 with every header as received (``Host`` included: S3 checks a signature
against the host the client signed for) and the body, then sends the answer back. Anything outside
the prefix is a 404 from the proxy itself, so a URL that forgot the prefix cannot reach S3.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"})


class Proxied(ThreadingHTTPServer):
    daemon_threads = True
    upstream: tuple[str, int]
    prefix: str
    forwarded: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: Proxied
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        if not self.path.startswith(self.server.prefix + "/"):
            self.send_error(404, "outside the proxied prefix")
            return
        path = self.path[len(self.server.prefix) :]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=30)
        try:
            upstream.putrequest(self.command, path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    upstream.putheader(name, value)
            upstream.endheaders(body)
            answer = upstream.getresponse()
            content = answer.read()
        finally:
            upstream.close()
        self.server.forwarded.append(f"{self.command} {path} {answer.status}")
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def reverse_proxy(upstream: str, prefix: str) -> Iterator[Proxied]:
    """Serve ``prefix`` on a free loopback port, forwarding to ``upstream`` (host:port)."""
    host, port = upstream.rsplit(":", 1)
    server = Proxied(("127.0.0.1", 0), _Handler)
    server.upstream, server.prefix, server.forwarded = (host, int(port)), prefix.rstrip("/"), []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
