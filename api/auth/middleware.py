"""Reads the ``Authorization: Bearer`` access token into ``request.user``.

A token is trusted when its signature and claims check out (``api.auth.tokens``) and it has
not been revoked since it was issued (``api.auth.revocation``: from memory, no query).
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from api.auth.tokens import decode_access_token
from mobile_contract.problems import Unauthenticated


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("请先登录（缺少访问令牌）", "missing bearer token")
        state = connection.app.state
        principal = decode_access_token(token, secret=state.settings.auth.jwt_secret)
        await state.revocations.check(principal, state.pool)
        return AuthenticationResult(user=principal, auth=token)
