"""SQL for a case's procedure: its state, its hash-chained steps and its time limits."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.db import Connection

GENESIS_HASH = "0" * 64
EVENT_COLUMNS = (
    "id, case_id, seq, action, from_stage, to_stage, actor_id, actor_role, device_id, occurred_at, body,"
    " prev_hash, event_hash"
)


async def ensure(conn: Connection, *, case_id: uuid.UUID, department_id: uuid.UUID, initial: str, stage: str) -> None:
    """Give the case its workflow row (state before any step) unless it has one."""
    await conn.execute(
        "INSERT INTO case_workflow (case_id, department_id, stage, state, head_hash) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (case_id) DO NOTHING",
        case_id,
        department_id,
        stage,
        initial,
        GENESIS_HASH,
    )


async def lock(conn: Connection, *, case_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT case_id, department_id, stage, state, event_count, head_hash FROM case_workflow"
        " WHERE case_id = $1 FOR UPDATE",
        case_id,
    )


async def fetch(conn: Connection, *, case_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT case_id, department_id, stage, state, event_count, head_hash FROM case_workflow WHERE case_id = $1",
        case_id,
    )


async def save(
    conn: Connection, *, case_id: uuid.UUID, stage: str, state: str, event_count: int, head_hash: str
) -> None:
    await conn.execute(
        "UPDATE case_workflow SET stage = $2, state = $3, event_count = $4, head_hash = $5, updated_at = now()"
        " WHERE case_id = $1",
        case_id,
        stage,
        state,
        event_count,
        head_hash,
    )


async def get_event(conn: Connection, *, id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {EVENT_COLUMNS} FROM case_events WHERE id = $1", id)  # noqa: S608


async def insert_event(conn: Connection, *, row: dict[str, Any]) -> None:
    names = ", ".join(row)
    params = ", ".join(f"${i + 1}" for i in range(len(row)))
    await conn.execute(f"INSERT INTO case_events ({names}) VALUES ({params})", *row.values())  # noqa: S608


async def list_events(conn: Connection, *, case_id: uuid.UUID) -> list[asyncpg.Record]:
    """全过程记录: every step of the case in order."""
    return await conn.fetch(f"SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 ORDER BY seq", case_id)  # noqa: S608


async def case_records(conn: Connection, *, case_id: uuid.UUID) -> list[asyncpg.Record]:
    """The case's supervision records: how many officers each names, and who took part."""
    return await conn.fetch(
        "SELECT id, jsonb_array_length(content -> 'officers') AS officers, participant_ids, created_by"
        " FROM records WHERE case_id = $1 ORDER BY created_at, id",
        case_id,
    )


async def case_officers(conn: Connection, *, case_id: uuid.UUID) -> list[Any]:
    """The officer list of each of the case's records, oldest record first."""
    rows = await conn.fetch(
        "SELECT content -> 'officers' AS officers FROM records WHERE case_id = $1 ORDER BY created_at, id", case_id
    )
    return [r["officers"] for r in rows]


async def case_evidence(conn: Connection, *, case_id: uuid.UUID) -> list[asyncpg.Record]:
    """The case's evidence items with their upload status and the outcome of their latest integrity check."""
    return await conn.fetch(
        "SELECT e.id, e.record_id, e.status, (SELECT c.outcome FROM evidence_integrity_checks c"
        " WHERE c.evidence_id = e.id ORDER BY c.id DESC LIMIT 1) AS last_check"
        " FROM evidence_items e JOIN records r ON r.id = e.record_id WHERE r.case_id = $1 ORDER BY e.record_id, e.id",
        case_id,
    )


async def replace_deadlines(
    conn: Connection, *, case_id: uuid.UUID, department_id: uuid.UUID, rows: Sequence[dict[str, Any]]
) -> None:
    await conn.execute("DELETE FROM case_deadlines WHERE case_id = $1", case_id)
    await conn.executemany(
        "INSERT INTO case_deadlines (case_id, rule, subject, department_id, obligor, anchor_on, due_on, done_on,"
        " status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            (
                case_id,
                r["rule"],
                r["subject"],
                department_id,
                r["obligor"],
                r["anchor_on"],
                r["due_on"],
                r["done_on"],
                r["status"],
            )
            for r in rows
        ],
    )


async def department_deadlines(
    conn: Connection, *, department_id: uuid.UUID | None, until: dt.date
) -> list[asyncpg.Record]:
    """The organ's open limits due by ``until`` (overdue included) or that cannot be computed."""
    return await conn.fetch(
        "SELECT d.case_id, c.content ->> 'title' AS title, w.stage, d.rule, d.subject, d.due_on, d.status"
        " FROM case_deadlines d JOIN cases c ON c.id = d.case_id JOIN case_workflow w ON w.case_id = d.case_id"
        " WHERE ($1::uuid IS NULL OR d.department_id = $1) AND d.obligor = 'organ'"
        " AND ((d.status = 'running' AND d.due_on <= $2) OR d.status = 'incalculable')"
        " ORDER BY d.due_on NULLS FIRST, d.case_id, d.rule",
        department_id,
        until,
    )


async def cases_with_open_deadlines(conn: Connection) -> list[asyncpg.Record]:
    """Cases whose limits may still change with the date or the calendar: id, department, state, title."""
    return await conn.fetch(
        "SELECT w.case_id, w.department_id, w.state, c.content ->> 'title' AS title"
        " FROM case_workflow w JOIN cases c ON c.id = w.case_id WHERE w.case_id IN"
        " (SELECT case_id FROM case_deadlines WHERE status IN ('running', 'paused', 'incalculable'))"
        " ORDER BY w.case_id"
    )


async def stored_deadlines(
    conn: Connection, *, case_ids: Sequence[uuid.UUID]
) -> dict[tuple[uuid.UUID, str, str], asyncpg.Record]:
    """The stored limits of these cases by (case, rule, subject)."""
    rows = await conn.fetch(
        "SELECT case_id, rule, subject, due_on, status FROM case_deadlines WHERE case_id = ANY($1::uuid[])",
        list(case_ids),
    )
    return {(r["case_id"], r["rule"], r["subject"]): r for r in rows}
