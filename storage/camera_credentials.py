"""SQL for camera stream credentials (取流凭据): written by operators, read only for a lease holder."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

import asyncpg

from storage.db import Connection


async def put(
    conn: Connection,
    *,
    site_id: str,
    camera_id: str,
    department_id: uuid.UUID,
    username: str,
    password: str,
    user_id: uuid.UUID,
) -> dt.datetime:
    """Store (or replace) a camera's credentials; returns when."""
    value: dt.datetime = await conn.fetchval(
        "INSERT INTO camera_credentials (site_id, camera_id, department_id, username, password, set_by)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (site_id, camera_id) DO UPDATE SET"
        " department_id = EXCLUDED.department_id, username = EXCLUDED.username, password = EXCLUDED.password,"
        " set_by = EXCLUDED.set_by, set_at = now() RETURNING set_at",
        site_id,
        camera_id,
        department_id,
        username,
        password,
        user_id,
    )
    return value


async def of_cameras(conn: Connection, *, cameras: Collection[tuple[str, str]]) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT c.site_id, c.camera_id, c.username, c.password FROM camera_credentials c"
        " JOIN unnest($1::text[], $2::text[]) AS p (site_id, camera_id) USING (site_id, camera_id)",
        [c[0] for c in cameras],
        [c[1] for c in cameras],
    )
