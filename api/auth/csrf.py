"""CSRF protection (跨站请求伪造防护) for requests a browser session authenticates.

A browser attaches its session cookie to any request to this site, including one a hostile page
makes it send; a bearer token it never attaches by itself. So every state change (any method but
GET, HEAD, OPTIONS) made with the session cookie must also carry the session's CSRF token: in the
``X-CSRF-Token`` header (scripts) or the ``_csrf`` form field (plain HTML forms). The session cookie
is SameSite=Lax as well, which already keeps it off cross-site POSTs in current browsers; the token
does not depend on that.
"""

from __future__ import annotations

import hmac

from litestar import Request
from litestar.enums import RequestEncodingType, ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from api.auth.browser import BrowserSession
from mobile_contract.problems import Forbidden

HEADER = "x-csrf-token"
FORM_FIELD = "_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = frozenset({RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART})


def refused() -> Forbidden:
    return Forbidden(
        "页面已过期或请求来源无法确认，请刷新页面后重试", "CSRF token missing or wrong", code="csrf-failed"
    )


async def presented_token(request: Request) -> str:
    """The token the request carries; a form is parsed once and kept for the handler."""
    if token := request.headers.get(HEADER):
        return token
    if request.content_type[0] in FORM_TYPES:
        value = (await request.form()).get(FORM_FIELD)
        return value if isinstance(value, str) else ""
    return ""


class CsrfMiddleware:
    """Refuses a cookie-authenticated state change whose token is missing or wrong (403 ``csrf-failed``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("auth")
        if (
            scope["type"] == ScopeType.HTTP
            and isinstance(session, BrowserSession)
            and scope["method"] not in SAFE_METHODS
        ):
            token = await presented_token(Request(scope, receive))
            if not hmac.compare_digest(token.encode(), session.csrf_token.encode()):
                raise refused()
        await self.app(scope, receive, send)
