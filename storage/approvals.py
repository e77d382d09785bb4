"""SQL for 审管联动: approval results, findings, objections and the feedback outbox."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from storage import rows
from storage.db import Connection

RESULT_COLUMNS = (
    "id, bureau_ref, content_sha256, content, commitment, department_id, bureau_department_id, verify_by,"
    " promise_status, supervision_task_id, verification_task_id, received_at"
)
FINDING_COLUMNS = "id, approval_id, department_id, kind, summary, record_id, created_by, created_at"
OBJECTION_COLUMNS = (
    "o.id, o.approval_id, r.bureau_ref, o.department_id, o.grounds, o.reason, o.raised_by, o.raised_at, o.status,"
    " o.review_decision, o.answer, o.answered_at"
)


async def lock_ref(conn: Connection, *, bureau_ref: str) -> None:
    """Serialise pushes of one bureau ID, so a retry racing the original finds it instead of doubling it."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('approval:' || $1, 0))", bureau_ref)


async def get_by_ref(conn: Connection, *, bureau_ref: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {RESULT_COLUMNS} FROM approval_results WHERE bureau_ref = $1", bureau_ref)  # noqa: S608


async def get(conn: Connection, *, id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {RESULT_COLUMNS} FROM approval_results WHERE id = $1", id)  # noqa: S608


async def lead_supervisor(conn: Connection, *, department_id: uuid.UUID) -> uuid.UUID | None:
    """Who receives the department's approval tasks: its longest-serving active supervisor."""
    value: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM users WHERE department_id = $1 AND role = 'supervisor' AND active"
        " ORDER BY created_at, id LIMIT 1",
        department_id,
    )
    return value


async def insert_result(conn: Connection, *, row: dict[str, Any]) -> None:
    await rows.insert(conn, table="approval_results", row=row)


async def insert_finding(conn: Connection, *, row: dict[str, Any]) -> bool:
    """Insert unless the id exists (a retried finding); True when inserted now."""
    return await rows.insert(conn, table="approval_findings", row=row, on_conflict="ON CONFLICT (id) DO NOTHING")


async def set_promise_status(conn: Connection, *, id: uuid.UUID, status: str) -> None:
    await conn.execute("UPDATE approval_results SET promise_status = $2 WHERE id = $1", id, status)


async def findings(conn: Connection, *, approval_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {FINDING_COLUMNS} FROM approval_findings WHERE approval_id = $1 ORDER BY created_at",  # noqa: S608
        approval_id,
    )


async def insert_objection(conn: Connection, *, row: dict[str, Any]) -> bool:
    return await rows.insert(conn, table="approval_objections", row=row, on_conflict="ON CONFLICT (id) DO NOTHING")


async def objections(
    conn: Connection,
    *,
    approval_id: uuid.UUID | None = None,
    status: str | None = None,
    id: uuid.UUID | None = None,
    bureau_department_id: uuid.UUID | None = None,
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {OBJECTION_COLUMNS} FROM approval_objections o JOIN approval_results r ON r.id = o.approval_id"  # noqa: S608
        " WHERE ($1::uuid IS NULL OR o.approval_id = $1) AND ($2::text IS NULL OR o.status = $2)"
        " AND ($3::uuid IS NULL OR o.id = $3) AND ($4::uuid IS NULL OR r.bureau_department_id = $4)"
        " ORDER BY o.raised_at LIMIT 500",
        approval_id,
        status,
        id,
        bureau_department_id,
    )


async def answer_objection(
    conn: Connection, *, id: uuid.UUID, decision: str, answer: str, answered_by: uuid.UUID
) -> bool:
    """Record the bureau's answer to an open objection; False when it is not open."""
    return bool(
        await conn.fetchval(
            "UPDATE approval_objections SET status = 'answered', review_decision = $2, answer = $3,"
            " answered_by = $4, answered_at = now() WHERE id = $1 AND status = 'open' RETURNING true",
            id,
            decision,
            answer,
            answered_by,
        )
    )


# --- feedback outbox ------------------------------------------------------------------------


async def enqueue(
    conn: Connection, *, id: uuid.UUID, kind: str, approval_id: uuid.UUID, payload: dict[str, Any]
) -> None:
    await conn.execute(
        "INSERT INTO feedback_outbox (id, kind, approval_id, payload) VALUES ($1, $2, $3, $4)",
        id,
        kind,
        approval_id,
        payload,
    )


async def claim_due(
    conn: Connection, *, now: dt.datetime, lease_until: dt.datetime, limit: int
) -> list[asyncpg.Record]:
    """Undelivered messages due by ``now``, leased until ``lease_until`` (no other worker takes them)."""
    return await conn.fetch(
        "UPDATE feedback_outbox SET attempts = attempts + 1, next_attempt_at = $2 WHERE id IN ("
        " SELECT id FROM feedback_outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1"
        " ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
        " RETURNING id, kind, payload, attempts",
        now,
        lease_until,
        limit,
    )


async def mark_delivered(conn: Connection, *, id: uuid.UUID, at: dt.datetime, status: int) -> None:
    await conn.execute(
        "UPDATE feedback_outbox SET delivered_at = $2, last_status = $3, last_error = NULL"
        " WHERE id = $1 AND delivered_at IS NULL",
        id,
        at,
        status,
    )


async def schedule_retry(conn: Connection, *, id: uuid.UUID, at: dt.datetime, status: int | None, error: str) -> None:
    await conn.execute(
        "UPDATE feedback_outbox SET next_attempt_at = $2, last_status = $3, last_error = $4"
        " WHERE id = $1 AND delivered_at IS NULL",
        id,
        at,
        status,
        error,
    )
