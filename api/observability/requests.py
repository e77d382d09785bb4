"""Every request observed (请求观测): an id, a measurement, one log line.

The outermost layer of the app (``observe_requests`` wraps Litestar's ASGI handler, outside its
exception handling and routing), so refusals by the sign-in middleware, unknown routes and errors
are all seen with the status the caller got.

- **Request id.** A new UUIDv7 (hex) per request, or the caller's ``X-Request-Id`` where the proxy in
  front is trusted to set it (``ENFORCE_TRUST_REQUEST_ID``: the proxy must overwrite what callers
  send); it is returned in ``X-Request-Id``, on every log line written while the request runs, and
  in every audit entry it appends (``storage.audit.current_request_id``).
- **Metrics** by route template (``metrics.py``).
- **Access log**: method, route template, status, problem code, milliseconds, request id; never the
  raw path or query string (share tokens, verification codes) nor any header or body.
"""

from __future__ import annotations

import logging
import re
import time
from typing import cast

import uuid_utils
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from api.observability import metrics
from storage.audit import current_request_id

log = logging.getLogger("api.access")
HEADER = "x-request-id"
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,64}")
PROBLEM_CODE = "problem_code"  # scope key under which api.errors leaves the code of the problem it answered


def request_id(scope: Scope, *, trusted: bool) -> str:
    """The proxy's id when trusted and well formed, else a fresh one."""
    if trusted:
        given = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        if WELL_FORMED.fullmatch(given):
            return given
    return uuid_utils.uuid7().hex


def observe_requests(app: ASGIApp, *, trust_request_id: bool) -> ASGIApp:
    async def observed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid, started, status = request_id(scope, trusted=trust_request_id), time.perf_counter(), [500]

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                MutableScopeHeaders.from_message(message)["X-Request-Id"] = rid
            await send(message)

        token = current_request_id.set(rid)
        try:
            await app(scope, receive, answer)
        finally:
            _record(cast("HTTPScope", scope), status[0], time.perf_counter() - started)  # "http", checked above
            current_request_id.reset(token)

    return observed


def _record(scope: HTTPScope, status: int, seconds: float) -> None:
    route, method, code = scope.get("path_template") or "unmatched", scope["method"], scope.get(PROBLEM_CODE)
    metrics.REQUESTS.labels(method, route, str(status)).inc()
    metrics.REQUEST_SECONDS.labels(method, route).observe(seconds)
    if code:
        metrics.PROBLEMS.labels(route, code).inc()
    log.info(
        "%s %s %d",
        method,
        route,
        status,
        extra={"route": route, "status": status, "problem": code, "duration_ms": round(seconds * 1000, 1)},
    )
