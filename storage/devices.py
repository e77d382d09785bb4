"""SQL for handheld devices (执法终端), each bound to one inspector."""

from __future__ import annotations

import uuid

import asyncpg

from mobile_contract.problems import Conflict
from storage.db import Connection

DEVICE_COLUMNS = "id, user_id, department_id, label, registered_at, revoked_at"


async def register_device(
    conn: Connection, *, id: str, user_id: uuid.UUID, department_id: uuid.UUID, label: str
) -> asyncpg.Record:
    try:
        row = await conn.fetchrow(
            "INSERT INTO devices (id, user_id, department_id, label) VALUES ($1, $2, $3, $4)"  # noqa: S608
            f" RETURNING {DEVICE_COLUMNS}",
            id,
            user_id,
            department_id,
            label,
        )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict("该终端编号已登记", f"device {id} is already registered", code="device-registered") from exc
    assert row is not None
    return row


async def get_device(conn: Connection, *, id: str, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1{lock}", id)  # noqa: S608


async def list_devices(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    """Devices of one department, or of all when ``department_id`` is None (admins)."""
    return await conn.fetch(
        f"SELECT {DEVICE_COLUMNS} FROM devices WHERE $1::uuid IS NULL OR department_id = $1 ORDER BY id",  # noqa: S608
        department_id,
    )


async def bind_device(conn: Connection, *, id: str, user_id: uuid.UUID, department_id: uuid.UUID) -> asyncpg.Record:
    row = await conn.fetchrow(
        f"UPDATE devices SET user_id = $2, department_id = $3 WHERE id = $1 RETURNING {DEVICE_COLUMNS}",  # noqa: S608
        id,
        user_id,
        department_id,
    )
    assert row is not None
    return row


async def revoke_device(conn: Connection, *, id: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        f"UPDATE devices SET revoked_at = now() WHERE id = $1 RETURNING {DEVICE_COLUMNS}",  # noqa: S608
        id,
    )
    assert row is not None
    return row
