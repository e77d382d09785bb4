"""Access tokens: short-lived HS256 JWTs signed with the secret from the environment.

A token's claims are checked twice before anyone trusts them: pyjwt checks the signature
(HS256 only, so ``alg: none`` and RS/HS confusion are refused), the issuer and the times;
then ``AccessClaims`` checks that every claim we read is present and well-formed. Anything
wrong is a 401, never a 500: a correctly signed token can still carry a role this version
does not know (signed by a newer release, or by hand with a leaked secret).
"""

from __future__ import annotations

import datetime as dt
import uuid

import jwt
import msgspec

from api.auth.principal import Principal
from mobile_contract.auth import Role
from mobile_contract.problems import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "enforcement-api"


class AccessClaims(msgspec.Struct, frozen=True):
    """The claims of an access token that name the caller (JWT names: short, on every request)."""

    sub: uuid.UUID  # user id
    name: str  # username
    role: Role
    dept: uuid.UUID  # department (实施机构)
    region: str  # region code (行政区划)
    sid: uuid.UUID  # the sign-in (登录会话): refresh-token family
    ver: int = 0  # the user's token version when issued
    dev: str | None = None  # handheld (执法终端)


def issue_access_token(principal: Principal, *, secret: str, ttl_s: int) -> str:
    if principal.sign_in_id is None:
        raise ValueError("an access token belongs to a sign-in: give the principal its sign_in_id")
    now = dt.datetime.now(dt.UTC)
    claims = AccessClaims(
        sub=principal.user_id,
        name=principal.username,
        role=principal.role,
        dept=principal.department_id,
        region=principal.region_code,
        sid=principal.sign_in_id,
        ver=principal.token_version,
        dev=principal.device_id,
    )
    times = {"iss": ISSUER, "iat": now, "exp": now + dt.timedelta(seconds=ttl_s)}
    return jwt.encode(msgspec.to_builtins(claims) | times, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> Principal:
    """The caller the token names; 401 ``token-expired`` or ``unauthenticated`` when it cannot be trusted."""
    try:
        payload = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "iat", "sub", "iss"]}
        )
        claims = msgspec.convert(payload, AccessClaims)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("登录已过期，请刷新令牌或重新登录", "access token expired", code="token-expired") from exc
    except (jwt.PyJWTError, msgspec.ValidationError) as exc:
        raise Unauthenticated("令牌无效，请重新登录", f"invalid access token: {exc}") from exc
    return Principal(
        user_id=claims.sub,
        username=claims.name,
        role=claims.role,
        department_id=claims.dept,
        region_code=claims.region,
        device_id=claims.dev,
        sign_in_id=claims.sid,
        token_version=claims.ver,
    )
