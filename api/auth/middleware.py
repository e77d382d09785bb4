"""Reads the ``Authorization: Bearer`` access token into ``request.user``."""

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
        secret = connection.app.state.settings.auth.jwt_secret
        return AuthenticationResult(user=decode_access_token(token, secret=secret), auth=token)
