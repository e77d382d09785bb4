"""SQL for inspection tasks (检查任务)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from storage.db import Connection

COLUMNS = "id, department_id, assignee_id, source, title, item_code, due_on, status, detail, created_at, updated_at"


async def create(
    conn: Connection,
    *,
    id: uuid.UUID,
    department_id: uuid.UUID,
    assignee_id: uuid.UUID,
    source: str,
    title: str,
    item_code: str | None,
    due_on: object,
    detail: dict,
    created_by: uuid.UUID | None,
) -> bool:
    """Insert unless the id exists; True when inserted now."""
    inserted = await conn.fetchval(
        "INSERT INTO tasks (id, department_id, assignee_id, source, title, item_code, due_on, detail, created_by)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING true",
        id, department_id, assignee_id, source, title, item_code, due_on, detail, created_by,
    )  # fmt: skip
    return bool(inserted)


async def fetch(conn: Connection, *, ids: Sequence[uuid.UUID], department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {COLUMNS} FROM tasks WHERE id = ANY($1::uuid[])"  # noqa: S608
        " AND ($2::uuid IS NULL OR department_id = $2) ORDER BY created_at",
        list(ids),
        department_id,
    )


async def list_for(
    conn: Connection, *, department_id: uuid.UUID | None, assignee_id: uuid.UUID | None, status: str | None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {COLUMNS} FROM tasks WHERE ($1::uuid IS NULL OR department_id = $1)"  # noqa: S608
        " AND ($2::uuid IS NULL OR assignee_id = $2) AND ($3::text IS NULL OR status = $3)"
        " ORDER BY due_on NULLS LAST, created_at LIMIT 500",
        department_id,
        assignee_id,
        status,
    )


async def set_status(conn: Connection, *, id: uuid.UUID, status: str) -> None:
    await conn.execute(
        "UPDATE tasks SET status = $2, updated_at = now(), txid = pg_current_xact_id() WHERE id = $1", id, status
    )


async def is_department_inspector(conn: Connection, *, user_id: uuid.UUID, department_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM users WHERE id = $1 AND department_id = $2 AND role = 'inspector' AND active",
            user_id,
            department_id,
        )
    )
