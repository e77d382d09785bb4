"""SQL for complaints and reports (投诉举报) and their timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from storage import rows
from storage.db import Connection

COLUMNS = (
    "id, reference_no, kind, channel, region_code, subject_name, subject_uscc, location, content, anonymous,"
    " status, received_at, acceptance_due_on, decided_at, decision_reason, department_id, handling_due_on,"
    " handling_result, feedback, supervision_count"
)
# Columns a step may change; anything else in ``changes`` is a programming error.
MUTABLE = frozenset(
    {"status", "decided_at", "decision_reason", "department_id", "handling_due_on", "handling_result", "feedback"}
)
OVERDUE = "((status = 'received' AND acceptance_due_on < $1) OR (status = 'transferred' AND handling_due_on < $1))"


async def insert(conn: Connection, *, row: dict[str, Any]) -> None:
    await rows.insert(conn, table="complaints", row=row)


async def get(conn: Connection, *, id: uuid.UUID, today: dt.date, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {COLUMNS}, {OVERDUE} AS overdue FROM complaints WHERE id = $2"  # noqa: S608
        + (" FOR UPDATE" if lock else ""),
        today,
        id,
    )


async def get_by_token(conn: Connection, *, token_sha256: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {COLUMNS} FROM complaints WHERE token_sha256 = $1", token_sha256)  # noqa: S608


async def get_identity(conn: Connection, *, id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT region_code, identity_ciphertext, identity_key_id FROM complaints WHERE id = $1", id
    )


async def list_for(
    conn: Connection,
    *,
    today: dt.date,
    region_code: str | None,
    department_id: uuid.UUID | None,
    status: str | None,
    overdue_only: bool,
) -> list[asyncpg.Record]:
    """Complaints of a region (the accepting office) or a department (the handling one), oldest first."""
    return await conn.fetch(
        f"SELECT {COLUMNS}, {OVERDUE} AS overdue FROM complaints"  # noqa: S608
        " WHERE ($2::text IS NULL OR region_code = $2) AND ($3::uuid IS NULL OR department_id = $3)"
        f" AND ($4::text IS NULL OR status = $4) AND (NOT $5 OR {OVERDUE})"
        " ORDER BY received_at LIMIT 500",
        today,
        region_code,
        department_id,
        status,
        overdue_only,
    )


async def update(conn: Connection, *, id: uuid.UUID, changes: dict[str, Any]) -> None:
    assert set(changes) <= MUTABLE, set(changes) - MUTABLE
    await rows.update(conn, table="complaints", id=id, changes=changes, also="updated_at = now()")


async def count_supervision(conn: Connection, *, id: uuid.UUID) -> None:
    await conn.execute("UPDATE complaints SET supervision_count = supervision_count + 1 WHERE id = $1", id)


async def add_event(
    conn: Connection,
    *,
    complaint_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    action: str,
    status_after: str,
    note: str,
    public: bool,
) -> None:
    await conn.execute(
        "INSERT INTO complaint_events (complaint_id, seq, actor_id, action, status_after, note, public)"
        " SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6 FROM complaint_events WHERE complaint_id = $1",
        complaint_id,
        actor_id,
        action,
        status_after,
        note,
        public,
    )


async def events(conn: Connection, *, complaint_ids: list[uuid.UUID], public_only: bool) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT complaint_id, at, actor_id, action, status_after AS status, note, public FROM complaint_events"
        " WHERE complaint_id = ANY($1::uuid[]) AND (public OR NOT $2) ORDER BY complaint_id, seq",
        complaint_ids,
        public_only,
    )
