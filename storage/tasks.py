"""SQL for inspection tasks (检查任务)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.db import Connection

COLUMNS = (
    "id, department_id, assignee_id, source, title, item_code, due_on, status, detail, created_at, updated_at,"
    " alert_id, result, completed_at, cancel_reason"
)


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
    detail: dict[str, Any],
    created_by: uuid.UUID | None,
    alert_id: uuid.UUID | None = None,
) -> bool:
    """Insert unless the id exists; True when inserted now."""
    inserted = await conn.fetchval(
        "INSERT INTO tasks (id, department_id, assignee_id, source, title, item_code, due_on, detail, created_by,"
        " alert_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING true",
        id,
        department_id,
        assignee_id,
        source,
        title,
        item_code,
        due_on,
        detail,
        created_by,
        alert_id,
    )
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


async def get(conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None) -> asyncpg.Record | None:
    """One task, locked for the change the caller is about to make."""
    return await conn.fetchrow(
        f"SELECT {COLUMNS} FROM tasks WHERE id = $1 AND ($2::uuid IS NULL OR department_id = $2) FOR UPDATE",  # noqa: S608
        id,
        department_id,
    )


async def set_status(conn: Connection, *, id: uuid.UUID, status: str) -> None:
    await conn.execute(
        "UPDATE tasks SET status = $2, updated_at = now(), txid = pg_current_xact_id(),"
        " completed_at = CASE WHEN $2 = 'done' THEN coalesce(completed_at, now()) ELSE completed_at END WHERE id = $1",
        id,
        status,
    )


async def set_result(conn: Connection, *, id: uuid.UUID, result: object) -> None:
    """Keep the inspector's result; an open task is done by it (a withdrawn one stays withdrawn)."""
    await conn.execute(
        "UPDATE tasks SET result = $2, updated_at = now(), txid = pg_current_xact_id(),"
        " status = CASE WHEN status = 'open' THEN 'done' ELSE status END, completed_at = coalesce(completed_at, now())"
        " WHERE id = $1",
        id,
        result,
    )


async def cancel(conn: Connection, *, id: uuid.UUID, reason: str) -> bool:
    """Withdraw an open task (改派、办结); False when it was not open."""
    changed = await conn.fetchval(
        "UPDATE tasks SET status = 'cancelled', cancel_reason = $2, updated_at = now(), txid = pg_current_xact_id()"
        " WHERE id = $1 AND status = 'open' RETURNING true",
        id,
        reason,
    )
    return bool(changed)


async def is_department_inspector(conn: Connection, *, user_id: uuid.UUID, department_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM users WHERE id = $1 AND department_id = $2 AND role = 'inspector' AND active",
            user_id,
            department_id,
        )
    )


async def organ_deadlines_due(
    conn: Connection, *, user_id: uuid.UUID, department_id: uuid.UUID, until: object
) -> list[asyncpg.Record]:
    """The organ's running limits due by ``until`` (overdue included) on cases the user takes part in."""
    return await conn.fetch(
        "SELECT d.case_id, c.content ->> 'title' AS title, d.rule, d.subject, d.due_on"
        " FROM case_deadlines d JOIN cases c ON c.id = d.case_id"
        " WHERE c.department_id = $2 AND $1 = ANY (c.participant_ids) AND d.obligor = 'organ'"
        " AND d.status = 'running' AND d.due_on <= $3 ORDER BY d.due_on, d.case_id, d.rule, d.subject",
        user_id,
        department_id,
        until,
    )


async def existing_ids(conn: Connection, *, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    rows = await conn.fetch("SELECT id FROM tasks WHERE id = ANY($1::uuid[])", list(ids))
    return {r["id"] for r in rows}


async def open_ids(conn: Connection, *, assignee_id: uuid.UUID, source: str) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT id FROM tasks WHERE assignee_id = $1 AND source = $2 AND status = 'open'", assignee_id, source
    )
    return [r["id"] for r in rows]
