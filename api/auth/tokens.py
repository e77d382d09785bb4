"""Access tokens: short-lived HS256 JWTs signed with the secret from the environment."""

from __future__ import annotations

import datetime as dt
import uuid

import jwt

from api.auth.principal import Principal
from mobile_contract.auth import Role
from mobile_contract.problems import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "enforcement-api"


def issue_access_token(principal: Principal, *, secret: str, ttl_s: int) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "iss": ISSUER,
        "sub": str(principal.user_id),
        "iat": now,
        "exp": now + dt.timedelta(seconds=ttl_s),
        "name": principal.username,
        "role": principal.role.value,
        "dept": str(principal.department_id),
        "region": principal.region_code,
        "dev": principal.device_id,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("登录已过期，请刷新令牌或重新登录", "access token expired", code="token-expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("令牌无效，请重新登录", f"invalid access token: {exc}") from exc
    return Principal(
        user_id=uuid.UUID(claims["sub"]),
        username=claims["name"],
        role=Role(claims["role"]),
        department_id=uuid.UUID(claims["dept"]),
        region_code=claims["region"],
        device_id=claims.get("dev"),
    )
