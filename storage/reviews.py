"""SQL for legal review (法制审核): submissions, the reviewer queue and dossier openings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from storage.db import Connection
from storage.evidence import ITEM_COLUMNS


async def open_review(
    conn: Connection,
    *,
    case_id: uuid.UUID,
    department_id: uuid.UUID,
    submitted_by: uuid.UUID,
    grounds: Sequence[str],
) -> uuid.UUID:
    id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO legal_reviews (id, case_id, department_id, submitted_by, grounds) VALUES ($1, $2, $3, $4, $5)",
        id,
        case_id,
        department_id,
        submitted_by,
        list(grounds),
    )
    return id


async def close_review(
    conn: Connection, *, case_id: uuid.UUID, outcome: str, decided_by: uuid.UUID, reasons: str
) -> None:
    await conn.execute(
        "UPDATE legal_reviews SET decided_at = now(), decided_by = $2, outcome = $3, reasons = $4"
        " WHERE case_id = $1 AND decided_at IS NULL",
        case_id,
        decided_by,
        outcome,
        reasons,
    )


async def current(conn: Connection, *, case_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, case_id, department_id, submitted_at, submitted_by, grounds FROM legal_reviews"
        " WHERE case_id = $1 AND decided_at IS NULL",
        case_id,
    )


async def record_opening(
    conn: Connection,
    *,
    review_id: uuid.UUID,
    reviewer_id: uuid.UUID,
    device_id: str | None,
    checked: int,
    failed: Sequence[uuid.UUID],
) -> None:
    await conn.execute(
        "INSERT INTO review_openings (review_id, reviewer_id, device_id, checked, failed) VALUES ($1, $2, $3, $4, $5)",
        review_id,
        reviewer_id,
        device_id,
        checked,
        list(failed),
    )


async def latest_opening(conn: Connection, *, review_id: uuid.UUID, reviewer_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT opened_at, checked, failed FROM review_openings WHERE review_id = $1 AND reviewer_id = $2"
        " ORDER BY id DESC LIMIT 1",
        review_id,
        reviewer_id,
    )


async def queue(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    """Cases waiting for review in the department, oldest submission first."""
    return await conn.fetch(
        "SELECT r.id, r.case_id, r.submitted_at, r.submitted_by, r.grounds, c.content ->> 'title' AS title,"
        " c.participant_ids, c.created_by"
        " FROM legal_reviews r JOIN cases c ON c.id = r.case_id JOIN case_workflow w ON w.case_id = r.case_id"
        " WHERE r.decided_at IS NULL AND w.stage = 'legal_review' AND ($1::uuid IS NULL OR r.department_id = $1)"
        " ORDER BY r.submitted_at, r.id",
        department_id,
    )


async def involved_users(conn: Connection, *, case_id: uuid.UUID) -> set[uuid.UUID]:
    """Everyone who took part in the case: its author, its records' officers and authors, and every
    step's actor except legal reviewers' own review steps."""
    rows = await conn.fetch(
        "SELECT created_by AS u FROM cases WHERE id = $1 UNION SELECT unnest(participant_ids) FROM cases WHERE id = $1"
        " UNION SELECT created_by FROM records WHERE case_id = $1"
        " UNION SELECT unnest(participant_ids) FROM records WHERE case_id = $1"
        " UNION SELECT actor_id FROM case_events WHERE case_id = $1 AND actor_role <> 'legal_reviewer'",
        case_id,
    )
    return {r["u"] for r in rows if r["u"] is not None}


async def case_evidence_items(conn: Connection, *, case_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {', '.join('e.' + c.strip() for c in ITEM_COLUMNS.split(','))} FROM evidence_items e"  # noqa: S608
        " JOIN records r ON r.id = e.record_id WHERE r.case_id = $1 ORDER BY e.record_id, e.id",
        case_id,
    )


async def custody(
    conn: Connection, *, evidence_ids: Sequence[uuid.UUID], record_ids: Sequence[uuid.UUID]
) -> list[asyncpg.Record]:
    """Audit entries of the items and their records, in chain order (保管链)."""
    return await conn.fetch(
        "SELECT seq, occurred_at, actor_id, actor_role, device_id, action, entity_type, entity_id FROM audit_log"
        " WHERE (entity_type = 'evidence' AND entity_id = ANY($1::text[]))"
        " OR (entity_type = 'record' AND entity_id = ANY($2::text[])) ORDER BY seq",
        [str(i) for i in evidence_ids],
        [str(i) for i in record_ids],
    )
