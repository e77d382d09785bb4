"""SQL for refresh tokens (会话令牌): rotating, grouped in families, stored only as hashes."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from storage.db import Connection

TOKEN_COLUMNS = "id, user_id, device_id, family_id, token_hash, issued_at, expires_at, revoked_at, replaced_by"  # noqa: S105


async def insert_refresh_token(
    conn: Connection,
    *,
    id: uuid.UUID,
    user_id: uuid.UUID,
    device_id: str | None,
    family_id: uuid.UUID,
    token_hash: str,
    expires_at: dt.datetime,
) -> None:
    await conn.execute(
        "INSERT INTO refresh_tokens (id, user_id, device_id, family_id, token_hash, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        user_id,
        device_id,
        family_id,
        token_hash,
        expires_at,
    )


async def get_by_hash_for_update(conn: Connection, *, token_hash: str) -> asyncpg.Record | None:
    """The token row, locked: two refreshes with one token are decided one after the other."""
    return await conn.fetchrow(
        f"SELECT {TOKEN_COLUMNS} FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",  # noqa: S608
        token_hash,
    )


async def mark_rotated(conn: Connection, *, id: uuid.UUID, replaced_by: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1",
        id,
        replaced_by,
    )


async def revoke_family(conn: Connection, *, family_id: uuid.UUID) -> int:
    """Revoke every live token of one sign-in; returns how many were live."""
    status = await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family_id,
    )
    return int(status.split()[-1])


async def revoke_for_user(conn: Connection, *, user_id: uuid.UUID) -> int:
    status = await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user_id,
    )
    return int(status.split()[-1])


async def revoke_for_device(conn: Connection, *, device_id: str) -> int:
    status = await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE device_id = $1 AND revoked_at IS NULL",
        device_id,
    )
    return int(status.split()[-1])


# PostgreSQL channel on which the database announces ended sign-ins and raised token versions
# (triggers of migration 0050): payloads ``sign_in:<family id>`` and ``user:<user id>:<version>``.
REVOCATION_CHANNEL = "token_revocations"


async def ended_sign_ins(conn: Connection, *, within_s: int) -> list[asyncpg.Record]:
    """Sign-ins (families) ended in the last ``within_s`` seconds: ``family_id``, ``ended_at``."""
    return await conn.fetch(
        "SELECT family_id, max(revoked_at) AS ended_at FROM refresh_tokens"
        " WHERE replaced_by IS NULL AND revoked_at > now() - make_interval(secs => $1) GROUP BY family_id",
        within_s,
    )


async def token_standing(conn: Connection, *, user_id: uuid.UUID, family_id: uuid.UUID) -> asyncpg.Record:
    """The user's token version (0 if unknown) and whether the sign-in has ended, in one round trip."""
    row = await conn.fetchrow(
        "SELECT coalesce((SELECT token_version FROM users WHERE id = $1), 0) AS token_version,"
        " EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $2 AND replaced_by IS NULL"
        " AND revoked_at IS NOT NULL) AS ended",
        user_id,
        family_id,
    )
    assert row is not None
    return row
