"""SQL for browser sessions (网页登录会话): a sign-in's refresh-token row, read with its user on each request."""

from __future__ import annotations

import datetime as dt

import asyncpg

from storage.db import Connection


async def get_live(conn: Connection, *, token_hash: str, max_age: dt.timedelta) -> asyncpg.Record | None:
    """The sign-in behind a browser cookie, with the user as they are now; None once it may no longer act.

    Not revoked or rotated, not expired, younger than ``max_age``, the user active, and the handheld (if
    the sign-in named one) still registered to that user: sign-out, deactivation and device revocation
    end a browser session at its next request.
    """
    return await conn.fetchrow(
        "SELECT t.token_hash, t.device_id, t.family_id, u.id AS user_id, u.username, u.display_name, u.role,"
        " u.department_id, u.region_code, u.token_version FROM refresh_tokens t JOIN users u ON u.id = t.user_id"
        " LEFT JOIN devices d ON d.id = t.device_id"
        " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.replaced_by IS NULL AND t.expires_at > now()"
        " AND t.issued_at > now() - $2::interval AND u.active"
        " AND (t.device_id IS NULL OR (d.revoked_at IS NULL AND d.user_id = u.id))",
        token_hash,
        max_age,
    )
