"""Browser sign-in (网页登录): the console's session cookie, resolved to the same Principal as a bearer token.

A browser signs in through ``service.sign_in`` like a handheld (the same password check, refusals,
device rule for inspectors and audit entries). What it keeps is the sign-in's refresh token, in an
HttpOnly cookie that scripts cannot read: the browser never sees an access token, and never refreshes.
Every request looks the sign-in up (``storage.browser_sessions``) and builds the Principal from the
user as they are now, so sign-out (``service.sign_out``), deactivation and device revocation take
effect at the next request, and a role or department change too.

A session also carries a CSRF token, an HMAC of the sign-in keyed with the server secret: pages put
it in their forms and scripts send it as a header (``api.auth.csrf`` checks it on every state change).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import asyncpg
import msgspec
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.middleware import AuthenticationResult

from api.auth.middleware import BearerTokenMiddleware
from api.auth.principal import Principal
from api.auth.service import token_digest
from mobile_contract.auth import Role
from mobile_contract.problems import Unauthenticated
from storage import browser_sessions
from storage.db import acquired

COOKIE = "enforce_session"
SECURE_COOKIE = f"__Host-{COOKIE}"  # over TLS: the prefix makes browsers refuse it unless Secure, Path=/, no Domain
MAX_AGE = dt.timedelta(hours=12)  # one duty shift; then the operator signs in again


class BrowserSession(msgspec.Struct, frozen=True):
    """A signed-in browser: who, under which name, and the token its forms must carry."""

    principal: Principal
    display_name: str
    csrf_token: str


def csrf_token(token_hash: str, *, secret: str) -> str:
    return hmac.new(secret.encode(), f"csrf|{token_hash}".encode(), hashlib.sha256).hexdigest()


def cookie_secret(connection: ASGIConnection) -> str | None:
    return connection.cookies.get(SECURE_COOKIE) or connection.cookies.get(COOKIE)


def session_cookie(secret: str, *, secure: bool) -> Cookie:
    """The cookie that holds the sign-in: HttpOnly, SameSite=Lax (no cross-site POST carries it)."""
    return Cookie(
        key=SECURE_COOKIE if secure else COOKIE,
        value=secret,
        max_age=int(MAX_AGE.total_seconds()),
        path="/",
        httponly=True,
        secure=secure,
        samesite="lax",
    )


def expired_cookies() -> list[Cookie]:
    return [Cookie(key=key, value="", max_age=0, path="/", httponly=True) for key in (COOKIE, SECURE_COOKIE)]


async def resolve(pool: asyncpg.Pool, secret: str, *, server_secret: str) -> BrowserSession | None:
    """The live session behind a cookie, or None."""
    async with acquired(pool) as conn:
        row = await browser_sessions.get_live(conn, token_hash=token_digest(secret), max_age=MAX_AGE)
    if row is None:
        return None
    principal = Principal(
        user_id=row["user_id"],
        username=row["username"],
        role=Role(row["role"]),
        department_id=row["department_id"],
        region_code=row["region_code"],
        device_id=row["device_id"],
        sign_in_id=row["family_id"],
        token_version=row["token_version"],
    )
    return BrowserSession(principal, row["display_name"], csrf_token(row["token_hash"], secret=server_secret))


class BrowserOrBearerMiddleware(BearerTokenMiddleware):
    """An ``Authorization: Bearer`` header as before; without one, the browser's session cookie."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        secret = cookie_secret(connection)
        if secret is None or "authorization" in connection.headers:
            return await super().authenticate_request(connection)
        state = connection.app.state
        session = await resolve(state.pool, secret, server_secret=state.settings.auth.jwt_secret)
        if session is None:
            raise Unauthenticated("登录已失效，请重新登录", "browser session ended", code="session-ended")
        return AuthenticationResult(user=session.principal, auth=session)
