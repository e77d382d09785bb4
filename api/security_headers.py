"""Security headers on every answer (安全响应头), added as the answer leaves the app.

- ``X-Content-Type-Options: nosniff`` everywhere: a browser never guesses a type we did not send.
- ``Cache-Control: no-store`` on every answer but the OpenAPI document and the console's static
  files (``/assets/``: scripts, styles, fonts, no data; they set their own caching): nearly every
  route answers with personal data (parties, inspectors, whistleblowers), and a rule per route
  would one day miss one; nothing else is worth caching in a proxy or on a shared computer.
- On HTML: a strict Content-Security-Policy — scripts, styles, images, fonts and connections from
  this server only, no plugins, no ``<base>``, and ``frame-ancestors 'none'`` (no framing, so no
  click-jacking); inline styles are allowed, as the printable documents carry their stylesheet.
  A console page sets its own, stricter policy (``api.console.security``: no inline style either,
  evidence pictures from the evidence store), which is kept. The ``/schema`` page is served from
  local files with no inline script, so it gets the strict policy too.
- ``Strict-Transport-Security`` when the request came over TLS: directly, or through a proxy
  whose ``X-Forwarded-Proto`` uvicorn believes (``ENFORCE_FORWARDED_ALLOW_IPS``), which sets the
  scheme before the app sees it. ``ENFORCE_HSTS_MAX_AGE_S=0`` turns it off.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)


def security_headers(hsts_max_age_s: int) -> BeforeMessageSendHookHandler:
    """A ``before_send`` hook adding the headers to each answer's start message."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["X-Content-Type-Options"] = "nosniff"
        if not scope["path"].startswith(("/schema", "/assets/")):
            headers["Cache-Control"] = "no-store"
        if headers.get("content-type", "").startswith("text/html") and "content-security-policy" not in headers:
            headers["Content-Security-Policy"] = STRICT_CSP
        if scope.get("scheme") == "https" and hsts_max_age_s:
            headers["Strict-Transport-Security"] = f"max-age={hsts_max_age_s}"

    return add_headers
