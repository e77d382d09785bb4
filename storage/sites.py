"""SQL for monitored sites (非现场监管点位) and their config versions."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from storage.db import Connection

SITE_COLUMNS = "id, department_id, version, active, config, config_sha256, created_at, updated_at, updated_by"
VERSION_COLUMNS = "version, config, config_sha256, changed_by, device_id, changed_at"


async def insert(
    conn: Connection, *, id: str, department_id: uuid.UUID, config: Any, config_sha256: str, user_id: uuid.UUID
) -> asyncpg.Record | None:
    """The new site row, or None when the id is taken (by any department)."""
    return await conn.fetchrow(
        "INSERT INTO sites (id, department_id, version, config, config_sha256, updated_by)"  # noqa: S608
        f" VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING {SITE_COLUMNS}",
        id,
        department_id,
        config,
        config_sha256,
        user_id,
    )


async def get(
    conn: Connection, *, id: str, department_id: uuid.UUID | None, for_update: bool = False
) -> asyncpg.Record | None:
    """One site; ``department_id`` None reads across departments (admins)."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT {SITE_COLUMNS} FROM sites WHERE id = $1 AND ($2::uuid IS NULL OR department_id = $2){lock}",  # noqa: S608
        id,
        department_id,
    )


async def update_config(
    conn: Connection, *, id: str, version: int, config: Any, config_sha256: str, user_id: uuid.UUID
) -> asyncpg.Record:
    row = await conn.fetchrow(
        "UPDATE sites SET version = $2, config = $3, config_sha256 = $4, updated_by = $5, updated_at = now()"  # noqa: S608
        f" WHERE id = $1 RETURNING {SITE_COLUMNS}",
        id,
        version,
        config,
        config_sha256,
        user_id,
    )
    assert row is not None  # the caller holds the site row locked
    return row


async def set_active(conn: Connection, *, id: str, active: bool, user_id: uuid.UUID) -> asyncpg.Record:
    row = await conn.fetchrow(
        f"UPDATE sites SET active = $2, updated_by = $3, updated_at = now() WHERE id = $1 RETURNING {SITE_COLUMNS}",  # noqa: S608
        id,
        active,
        user_id,
    )
    assert row is not None  # the caller holds the site row locked
    return row


async def insert_version(
    conn: Connection,
    *,
    site_id: str,
    version: int,
    config: Any,
    config_sha256: str,
    user_id: uuid.UUID,
    device_id: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO site_versions (site_id, version, config, config_sha256, changed_by, device_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        site_id,
        version,
        config,
        config_sha256,
        user_id,
        device_id,
    )


async def list_versions(conn: Connection, *, site_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {VERSION_COLUMNS} FROM site_versions WHERE site_id = $1 ORDER BY version",  # noqa: S608
        site_id,
    )


async def list_page(
    conn: Connection, *, department_id: uuid.UUID | None, active: bool | None, after_id: str | None, limit: int
) -> list[asyncpg.Record]:
    """Sites in id order after ``after_id``; None filters mean all."""
    return await conn.fetch(
        f"SELECT {SITE_COLUMNS} FROM sites"  # noqa: S608
        " WHERE ($1::uuid IS NULL OR department_id = $1) AND ($2::boolean IS NULL OR active = $2)"
        " AND ($3::text IS NULL OR id > $3) ORDER BY id LIMIT $4",
        department_id,
        active,
        after_id,
        limit,
    )


async def has_camera(conn: Connection, *, site_id: str, camera_id: str, department_id: uuid.UUID) -> bool:
    """Whether any config version of the site, in this department, lists the camera.

    Any version, not only the current one: a node delivering alerts queued on its disk
    before a camera was removed from the config must not have them refused.
    """
    value: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM sites s JOIN site_versions v ON v.site_id = s.id"
        " WHERE s.id = $1 AND s.department_id = $2"
        " AND v.config -> 'cameras' @> jsonb_build_array(jsonb_build_object('id', $3::text)))",
        site_id,
        department_id,
        camera_id,
    )
    return value


async def department_exists(conn: Connection, *, id: uuid.UUID) -> bool:
    value: bool = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM departments WHERE id = $1)", id)
    return value
