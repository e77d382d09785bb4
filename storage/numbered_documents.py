"""SQL for numbered enforcement documents (执法文书) and their gapless counters."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from storage.db import Connection

COLUMNS = "id, case_id, department_id, kind, year, serial, number, event_id, issued_at, data, html, html_sha256"


async def next_serial(conn: Connection, *, department_id: uuid.UUID, year: int, kind: str) -> int:
    """The next number of (department, year, kind), taken inside the caller's transaction.

    The counter row stays locked until commit, so concurrent issuers queue; a rollback
    returns the number, so the sequence has no gaps.
    """
    return await conn.fetchval(
        "INSERT INTO document_counters AS c (department_id, year, kind, last_serial) VALUES ($1, $2, $3, 1)"
        " ON CONFLICT (department_id, year, kind) DO UPDATE SET last_serial = c.last_serial + 1"
        " RETURNING last_serial",
        department_id,
        year,
        kind,
    )


async def insert(conn: Connection, *, row: dict[str, Any]) -> None:
    names = ", ".join(row)
    params = ", ".join(f"${i + 1}" for i in range(len(row)))
    await conn.execute(f"INSERT INTO case_documents ({names}) VALUES ({params})", *row.values())  # noqa: S608


async def for_case(conn: Connection, *, case_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {COLUMNS} FROM case_documents WHERE case_id = $1 ORDER BY issued_at, number",  # noqa: S608
        case_id,
    )


async def get(conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {COLUMNS} FROM case_documents WHERE id = $1"  # noqa: S608
        " AND ($2::uuid IS NULL OR department_id = $2)",
        id,
        department_id,
    )


async def latest_of_kind(conn: Connection, *, case_id: uuid.UUID, kind: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {COLUMNS} FROM case_documents WHERE case_id = $1 AND kind = $2"  # noqa: S608
        " ORDER BY issued_at DESC, serial DESC LIMIT 1",
        case_id,
        kind,
    )


async def department(conn: Connection, *, id: uuid.UUID) -> asyncpg.Record:
    return await conn.fetchrow("SELECT id, code, name, region_code FROM departments WHERE id = $1", id)


async def export_records(
    conn: Connection, *, department_id: uuid.UUID | None, kind: str | None, since: Any, until: Any
) -> list[asyncpg.Record]:
    """Supervision records with their department and, for penalties, the case's decision number."""
    return await conn.fetch(
        "SELECT r.id, r.kind, r.item_code, r.region_code, r.occurred_at, r.content, d.name AS organ_name,"
        " d.code AS organ_code, w.state -> 'decision' ->> 'document_no' AS decision_no"
        " FROM records r JOIN departments d ON d.id = r.department_id"
        " LEFT JOIN case_workflow w ON w.case_id = r.case_id"
        " WHERE ($1::uuid IS NULL OR r.department_id = $1) AND ($2::text IS NULL OR r.kind = $2)"
        " AND r.occurred_at >= $3 AND r.occurred_at < $4 ORDER BY r.occurred_at, r.id",
        department_id,
        kind,
        since,
        until,
    )
