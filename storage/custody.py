"""SQL for chain-of-custody reports (保管链): evidence items, the audit entries about them, their checks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from storage.db import Connection

ITEM_COLUMNS = (
    "e.id, e.record_id, e.department_id, e.kind, e.media_type, e.size, e.sha256, e.captured_at, e.device_id,"
    " e.description, e.status, r.case_id"
)


async def items(
    conn: Connection, *, case_id: uuid.UUID | None, evidence_id: uuid.UUID | None, department_id: uuid.UUID | None
) -> list[asyncpg.Record]:
    """The case's evidence items (or one item), in the caller's department scope, in declaration order."""
    return await conn.fetch(
        f"SELECT {ITEM_COLUMNS} FROM evidence_items e JOIN records r ON r.id = e.record_id"  # noqa: S608
        " WHERE ($1::uuid IS NULL OR r.case_id = $1) AND ($2::uuid IS NULL OR e.id = $2)"
        " AND ($3::uuid IS NULL OR e.department_id = $3) ORDER BY e.declared_at, e.id",
        case_id,
        evidence_id,
        department_id,
    )


async def events(
    conn: Connection, *, evidence_ids: Sequence[uuid.UUID], record_ids: Sequence[uuid.UUID]
) -> list[asyncpg.Record]:
    """Every audit entry about the items, and the create/update entries of the records that declared them,
    with the acting person's name, role, certificate number and device label."""
    return await conn.fetch(
        "SELECT a.seq, a.occurred_at, a.actor_id, a.actor_role, a.device_id, a.action, a.entity_type, a.entity_id,"
        " a.after_hash, a.detail::text AS detail, u.display_name, u.certificate_no, d.label AS device_label"
        " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN devices d ON d.id = a.device_id"
        " WHERE (a.entity_type = 'evidence' AND a.entity_id = ANY($1::text[]))"
        " OR (a.entity_type = 'record' AND a.entity_id = ANY($2::text[])"
        " AND a.action IN ('record.create', 'record.update'))"
        " ORDER BY a.seq",
        [str(i) for i in evidence_ids],
        [str(i) for i in record_ids],
    )


async def checks(conn: Connection, *, evidence_ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    """Each item's integrity checks, oldest first: what the stored bytes hashed to at each check."""
    return await conn.fetch(
        "SELECT evidence_id, checked_at, outcome, actual_sha256 FROM evidence_integrity_checks"
        " WHERE evidence_id = ANY($1::uuid[]) ORDER BY checked_at, id",
        list(evidence_ids),
    )
