"""SQL specific to supervision records: their evidence manifests and officers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec

from storage import bulk
from storage.db import Connection

MANIFEST_COLUMNS = (
    ("id", "uuid"), ("record_id", "uuid"), ("department_id", "uuid"), ("kind", "text"), ("media_type", "text"),
    ("size", "int8"), ("sha256", "text"), ("captured_at", "timestamptz"), ("gps_lat", "float8"),
    ("gps_lon", "float8"), ("gps_accuracy_m", "float8"), ("device_id", "text"), ("description", "text"),
)  # fmt: skip
# Where the bytes go in the bucket: evidence/<department>/<record>/<item>, fixed when the item is declared.
OBJECT_KEY = "'evidence/' || m.department_id || '/' || m.record_id || '/' || m.id"


async def declare_evidence(conn: Connection, *, items: Sequence[dict[str, Any]]) -> None:
    """Create evidence_items rows (status 'declared') for newly declared manifest items, in one statement."""
    if not items:
        return
    select, params = bulk.rows_select(MANIFEST_COLUMNS, [[item[n] for item in items] for n, _ in MANIFEST_COLUMNS])
    names = ", ".join(n for n, _ in MANIFEST_COLUMNS)
    sql = f"INSERT INTO evidence_items ({names}, object_key) SELECT m.*, {OBJECT_KEY} FROM ({select}) AS m"  # noqa: S608
    await conn.execute(sql, *params)


async def evidence_statuses(conn: Connection, *, record_ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    if not record_ids:
        return []
    return await conn.fetch(
        "SELECT record_id, id, status FROM evidence_items WHERE record_id = ANY($1::uuid[]) ORDER BY id",
        list(record_ids),
    )


class FactsQuery(msgspec.Struct, frozen=True):
    """The ids the records of one submission refer to, to be looked up for the submitter's department."""

    department_id: uuid.UUID
    case_ids: list[uuid.UUID]
    officer_ids: list[uuid.UUID]
    evidence_ids: list[uuid.UUID]


class IntakeFacts(msgspec.Struct, frozen=True):
    """What the database knows about the ids the records of one submission refer to."""

    case_ids: set[uuid.UUID]  # cases of the department
    certificates: dict[uuid.UUID, str]  # active inspectors of the department → 执法证号
    evidence_owners: dict[uuid.UUID, uuid.UUID]  # evidence id → the record that declared it


async def intake_facts(conn: Connection, query: FactsQuery) -> IntakeFacts:
    """Cases, officers and evidence ids of a submission, looked up in one round trip."""
    rows = await conn.fetch(
        "SELECT 'case'::text AS fact, id, NULL::text AS value FROM cases"
        " WHERE id = ANY($1::uuid[]) AND department_id = $3"
        " UNION ALL SELECT 'officer', id, certificate_no FROM users WHERE id = ANY($2::uuid[])"
        " AND department_id = $3 AND role = 'inspector' AND active"
        " UNION ALL SELECT 'evidence', id, record_id::text FROM evidence_items WHERE id = ANY($4::uuid[])",
        query.case_ids,
        query.officer_ids,
        query.department_id,
        query.evidence_ids,
    )
    return IntakeFacts(
        case_ids={r["id"] for r in rows if r["fact"] == "case"},
        certificates={r["id"]: r["value"] for r in rows if r["fact"] == "officer"},
        evidence_owners={r["id"]: uuid.UUID(r["value"]) for r in rows if r["fact"] == "evidence"},
    )


async def list_page(
    conn: Connection,
    *,
    department_id: uuid.UUID | None,
    kind: str | None,
    case_id: uuid.UUID | None,
    after: tuple[Any, uuid.UUID] | None,
    limit: int,
) -> list[uuid.UUID]:
    """Ids of records newest first, keyset-paged by (created_at, id)."""
    rows = await conn.fetch(
        "SELECT id, created_at FROM records WHERE ($1::uuid IS NULL OR department_id = $1)"
        " AND ($2::text IS NULL OR kind = $2) AND ($3::uuid IS NULL OR case_id = $3)"
        " AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))"
        " ORDER BY created_at DESC, id DESC LIMIT $6",
        department_id,
        kind,
        case_id,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return [r["id"] for r in rows]
