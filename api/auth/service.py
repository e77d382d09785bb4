"""Sign-in (登录), token refresh and sign-out.

Access tokens are short-lived JWTs (``api.auth.tokens``). Refresh tokens are
random secrets of which only the SHA-256 is stored; each refresh rotates the
token, and a rotated token presented again means it was copied — the whole
family (the sign-in and every rotation from it) is revoked.

Refusals that must leave a trace (a refused sign-in of a real account, a
reused refresh token) are *returned*, not raised: the request's transaction
then commits the audit entry and the revocation before the client is told.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import uuid
from typing import Any

import asyncpg

from api.audit.trail import Actor, record
from api.auth.passwords import hash_password, hash_password_off_loop, needs_rehash, verify_password_off_loop
from api.auth.principal import Principal
from api.auth.tokens import issue_access_token
from api.settings import AuthSettings, ThrottleSettings
from api.throttling import service as throttling
from api.throttling.policy import Counter, Scope, cleared
from mobile_contract.auth import LoginRequest, Role, TokenPair
from mobile_contract.problems import AppError, Forbidden, TooManyRequests, Unauthenticated
from storage import devices, sessions, users
from storage.db import Connection

TOKEN_TYPE = "Bearer"  # noqa: S105 - the scheme name, not a secret


def bad_credentials() -> Unauthenticated:
    # One answer for an unknown user and a wrong password: the API does not confirm who has an account.
    return Unauthenticated("用户名或密码错误", "wrong username or password", code="bad-credentials")


def invalid_refresh_token() -> Unauthenticated:
    return Unauthenticated(
        "登录已失效，请重新登录", "refresh token unknown, expired or revoked", code="refresh-invalid"
    )


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@functools.cache
def _decoy_hash() -> str:
    """A hash to verify against when the user does not exist, so both answers take as long."""
    return hash_password(secrets.token_urlsafe(16))


def _principal_of(user: asyncpg.Record, *, device_id: str | None, sign_in_id: uuid.UUID) -> Principal:
    return Principal(
        user_id=user["id"],
        username=user["username"],
        role=Role(user["role"]),
        department_id=user["department_id"],
        region_code=user["region_code"],
        device_id=device_id,
        sign_in_id=sign_in_id,
        token_version=user["token_version"],
    )


async def sign_in(
    conn: Connection, request: LoginRequest, *, auth: AuthSettings, throttle: ThrottleSettings, address: str
) -> TokenPair | AppError:
    """Refused while the address or the username waits (429, the same for every username); see api.throttling."""
    at = throttling.now()
    keys = [(Scope.SIGN_IN_ADDRESS, address), (Scope.SIGN_IN_ACCOUNT, request.username)]
    counters = await throttling.hold(conn, keys, at)
    if (refused := await throttling.refusal(conn, counters, address=address, at=at, problem=sign_in_wait)) is not None:
        return refused
    user = await users.get_user_by_username(conn, username=request.username)
    if user is None or not await verify_password_off_loop(user["password_hash"], request.password):
        if user is None:
            await verify_password_off_loop(_decoy_hash(), request.password)
        return await _bad_credentials(conn, user, request, counters, throttle, address, at)
    await throttling.save(conn, cleared(counters[1], at))  # the right password: the account starts afresh
    actor = Actor(user_id=user["id"], role=user["role"], device_id=request.device_id, detail={"address": address})
    if (refusal := await _account_refusal(conn, user, request)) is not None:
        await record(
            conn, actor, action="auth.sign_in_refused", **_about_user(user), detail={"reason": refusal.instance_code}
        )
        return refusal
    rehashed = await _rehash_if_outdated(conn, user, request.password)
    pair, token_id = await _issue(conn, user, device_id=request.device_id, family_id=uuid.uuid4(), auth=auth)
    await record(
        conn, actor, action="auth.sign_in", **_about_user(user), detail={"token": str(token_id), "rehashed": rehashed}
    )
    return pair


def sign_in_wait(seconds: int) -> TooManyRequests:
    """The answer while the address or the username waits: it does not say which, nor whether the account exists."""
    return throttling.must_wait(
        seconds,
        code="sign-in-throttled",
        detail=f"登录失败次数过多，请{throttling.readable_wait(seconds)}后再试；如忘记密码或账号被锁定，请联系管理员",
        detail_en=f"too many failed sign-ins; retry after {seconds} s",
    )


async def _bad_credentials(
    conn: Connection,
    user: asyncpg.Record | None,
    request: LoginRequest,
    counters: list[Counter],
    throttle: ThrottleSettings,
    address: str,
    at: dt.datetime,
) -> Unauthenticated:
    """Count the failure for the address and the username, and audit it (an unknown name under its own name)."""
    if user is None:
        actor = throttling.public_actor(address)
        about: dict[str, Any] = {"entity_type": "sign_in_name", "entity_id": request.username, "department_id": None}
    else:
        actor = Actor(user_id=user["id"], role=user["role"], device_id=request.device_id, detail={"address": address})
        about = _about_user(user)
    after = await throttling.failed(conn, counters, throttle, actor, at)
    failures = {counter.scope.value: counter.events for counter in after}
    await record(conn, actor, action="auth.sign_in_refused", **about, detail={"reason": "bad-credentials"} | failures)
    return bad_credentials()


async def _account_refusal(conn: Connection, user: asyncpg.Record, request: LoginRequest) -> AppError | None:
    """The password was right; the account or the handheld may still not be usable."""
    if not user["active"]:
        return Forbidden("账号已停用，请联系管理员", "account deactivated", code="account-deactivated")
    return await _device_refusal(conn, user, request.device_id)


async def _device_refusal(conn: Connection, user: asyncpg.Record, device_id: str | None) -> Forbidden | None:
    """Inspectors work only from a registered, unrevoked handheld bound to them; a device, if named, is checked."""
    if device_id is None:
        if user["role"] != Role.INSPECTOR:
            return None
        return Forbidden(
            "执法人员须使用已登记并绑定本人的执法终端登录", "inspectors must name their device", code="device-required"
        )
    device = await devices.get_device(conn, id=device_id)
    if device is None:
        return Forbidden(
            "该终端未登记，请联系管理员登记后再登录", "device not registered", code="device-not-registered"
        )
    if device["revoked_at"] is not None:
        return Forbidden("该终端已停用，请联系管理员", "device revoked", code="device-revoked")
    if device["user_id"] != user["id"]:
        return Forbidden(
            "该终端未绑定到您的账号，请联系管理员", "device bound to another user", code="device-not-bound"
        )
    return None


async def _rehash_if_outdated(conn: Connection, user: asyncpg.Record, password: str) -> bool:
    """Upgrade the stored hash when the argon2 parameters changed since it was made."""
    if not needs_rehash(user["password_hash"]):
        return False
    await users.update_user(conn, id=user["id"], changes={"password_hash": await hash_password_off_loop(password)})
    return True


async def _issue(
    conn: Connection, user: asyncpg.Record, *, device_id: str | None, family_id: uuid.UUID, auth: AuthSettings
) -> tuple[TokenPair, uuid.UUID]:
    secret, token_id = secrets.token_urlsafe(32), uuid.uuid4()
    await sessions.insert_refresh_token(
        conn,
        id=token_id,
        user_id=user["id"],
        device_id=device_id,
        family_id=family_id,
        token_hash=token_digest(secret),
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=auth.refresh_ttl_s),
    )
    principal = _principal_of(user, device_id=device_id, sign_in_id=family_id)
    access = issue_access_token(principal, secret=auth.jwt_secret, ttl_s=auth.access_ttl_s)
    pair = TokenPair(access_token=access, refresh_token=secret, token_type=TOKEN_TYPE, expires_in=auth.access_ttl_s)
    return pair, token_id


async def refresh(conn: Connection, secret: str, *, auth: AuthSettings) -> TokenPair | AppError:
    """Rotate: the presented token is spent and a new pair issued, with the user's current role and department."""
    token = await sessions.get_by_hash_for_update(conn, token_hash=token_digest(secret))
    if token is None:
        return invalid_refresh_token()
    if token["replaced_by"] is not None:
        return await _reuse_detected(conn, token)
    if token["revoked_at"] is not None or token["expires_at"] <= dt.datetime.now(dt.UTC):
        return invalid_refresh_token()
    user = await users.get_user(conn, id=token["user_id"])
    assert user is not None  # refresh_tokens.user_id is a foreign key
    if not user["active"] or await _device_refusal(conn, user, token["device_id"]) is not None:
        return invalid_refresh_token()
    pair, token_id = await _issue(conn, user, device_id=token["device_id"], family_id=token["family_id"], auth=auth)
    await sessions.mark_rotated(conn, id=token["id"], replaced_by=token_id)
    return pair


async def _reuse_detected(conn: Connection, token: asyncpg.Record) -> Unauthenticated:
    """A spent token came back: one of its two holders is not the user. End the whole sign-in."""
    revoked = await sessions.revoke_family(conn, family_id=token["family_id"])
    await _record_for_token(
        conn, token, action="auth.refresh_reuse", detail={"token": str(token["id"]), "revoked": revoked}
    )
    return Unauthenticated(
        "登录凭证被重复使用，为安全起见已注销该次登录，请重新登录",
        "refresh token reused; the sign-in was revoked",
        code="refresh-reused",
    )


async def sign_out(conn: Connection, secret: str) -> None:
    """Revoke the sign-in the token belongs to; unknown or already revoked tokens change nothing."""
    token = await sessions.get_by_hash_for_update(conn, token_hash=token_digest(secret))
    if token is None or not await sessions.revoke_family(conn, family_id=token["family_id"]):
        return
    await _record_for_token(conn, token, action="auth.sign_out", detail={"token": str(token["id"])})


def _about_user(user: asyncpg.Record) -> dict[str, Any]:
    """Session events are filed under the account, in its department."""
    return {"entity_type": "user", "entity_id": str(user["id"]), "department_id": user["department_id"]}


async def _record_for_token(conn: Connection, token: asyncpg.Record, *, action: str, detail: dict[str, Any]) -> None:
    user = await users.get_user(conn, id=token["user_id"])
    assert user is not None  # refresh_tokens.user_id is a foreign key
    actor = Actor(user_id=user["id"], role=user["role"], device_id=token["device_id"])
    await record(conn, actor, action=action, **_about_user(user), detail=detail)
