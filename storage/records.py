"""SQL specific to supervision records: their evidence manifests and officers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec

from storage import bulk, documents
from storage.db import Connection

MANIFEST_COLUMNS = (
    ("id", "uuid"), ("record_id", "uuid"), ("department_id", "uuid"), ("kind", "text"), ("media_type", "text"),
    ("size", "int8"), ("sha256", "text"), ("captured_at", "timestamptz"), ("gps_lat", "float8"),
    ("gps_lon", "float8"), ("gps_accuracy_m", "float8"), ("device_id", "text"), ("description", "text"),
)  # fmt: skip
# Where the bytes go in the bucket: evidence/<department>/<record>/<item>, fixed when the item is declared.
OBJECT_KEY = "'evidence/' || m.department_id || '/' || m.record_id || '/' || m.id"


async def declare_evidence(conn: Connection, *, items: Sequence[dict[str, Any]]) -> None:
    """Create evidence_items rows (status 'declared') for newly declared manifest items."""
    if not items:
        return
    sql, params = _declare_sql(items)
    await conn.execute(sql, *params)


def _declare_sql(items: Sequence[dict[str, Any]], *, first: int = 1) -> tuple[str, list[Any]]:
    """(statement, parameters) inserting ``items``; the rows being inserted are ``m``, for a caller's WHERE."""
    select, params = bulk.rows_select(
        MANIFEST_COLUMNS, [[item[n] for item in items] for n, _ in MANIFEST_COLUMNS], first=first
    )
    names = ", ".join(n for n, _ in MANIFEST_COLUMNS)
    sql = f"INSERT INTO evidence_items ({names}, object_key) SELECT m.*, {OBJECT_KEY} FROM ({select}) AS m"  # noqa: S608
    return sql, params


async def evidence_statuses(conn: Connection, *, record_ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    if not record_ids:
        return []
    return await conn.fetch(
        "SELECT record_id, id, status FROM evidence_items WHERE record_id = ANY($1::uuid[]) ORDER BY id",
        list(record_ids),
    )


class FactsQuery(msgspec.Struct, frozen=True):
    """The ids a batch of records refers to, to be looked up for the submitter's department."""

    department_id: uuid.UUID
    case_ids: list[uuid.UUID]
    officer_ids: list[uuid.UUID]
    evidence_ids: list[uuid.UUID] | None  # None: not looked up (the unique key on evidence_items.id still holds)


class IntakeFacts(msgspec.Struct, frozen=True):
    """What the database knows about the ids a batch of records refers to."""

    case_ids: set[uuid.UUID]  # cases of the department
    certificates: dict[uuid.UUID, str]  # active inspectors of the department → 执法证号
    evidence_owners: dict[uuid.UUID, uuid.UUID]  # evidence id → the record that declared it


async def intake_facts(conn: Connection, query: FactsQuery) -> IntakeFacts:
    """Cases, officers and evidence ids of a batch, looked up in one round trip."""
    sql, params = _facts_sql(query)
    return _facts(await conn.fetch(sql, *params))


class BatchStatement(msgspec.Struct, frozen=True):
    """One statement of a batched intake, built ahead of its turn (``batch_statement``)."""

    sql: str  # empty: nothing to write and nothing to look up
    params: list[Any]
    looks_up: bool  # also looks up the facts of a later batch


def batch_statement(
    *, rows: Sequence[dict[str, Any]], manifest: Sequence[dict[str, Any]], then: FactsQuery | None
) -> BatchStatement:
    """Insert records unless their id exists, declare the evidence of those inserted now, and look up the
    facts of a later batch (``then``): one statement, so one round trip.

    The lookup runs in the statement's snapshot, so evidence ids it looks up would not be checked
    against what this statement declares; a reused id fails on the unique key either way.
    """
    ctes, selects, params = [], [], []
    if rows:
        insert, records_params = documents.insert_new_sql(documents.RECORDS, rows)
        ctes.append(f"inserted AS ({insert})")
        selects.append("SELECT 'inserted'::text AS kind, id, NULL::text AS value, created_at FROM inserted")
        params += records_params
    if rows and manifest:
        declare, manifest_params = _declare_sql(manifest, first=len(params) + 1)
        ctes.append(f"declared AS ({declare} WHERE m.record_id IN (SELECT id FROM inserted))")  # noqa: S608
        params += manifest_params
    if then is not None:
        facts, facts_params = _facts_sql(then, first=len(params) + 1)
        selects.append(facts)
        params += facts_params
    sql = (f"WITH {', '.join(ctes)} " if ctes else "") + " UNION ALL ".join(selects)
    return BatchStatement(sql, params, then is not None)


async def write_batch(
    conn: Connection, statement: BatchStatement
) -> tuple[dict[uuid.UUID, dt.datetime], IntakeFacts | None]:
    """Run a ``batch_statement``: the ids inserted now with their created_at, and the facts looked up."""
    result = await conn.fetch(statement.sql, *statement.params) if statement.sql else []
    inserted = {r["id"]: r["created_at"] for r in result if r["kind"] == "inserted"}
    return inserted, _facts(result) if statement.looks_up else None


def _facts_sql(query: FactsQuery, *, first: int = 1) -> tuple[str, list[Any]]:
    case, officer, department, evidence = (f"${first + i}" for i in range(4))
    sql = (
        "SELECT 'case'::text AS kind, id, NULL::text AS value, NULL::timestamptz AS created_at FROM cases"  # noqa: S608
        f" WHERE id = ANY({case}::uuid[]) AND department_id = {department}"
        f" UNION ALL SELECT 'officer', id, certificate_no, NULL FROM users WHERE id = ANY({officer}::uuid[])"
        f" AND department_id = {department} AND role = 'inspector' AND active"
    )
    params = [query.case_ids, query.officer_ids, query.department_id]
    if query.evidence_ids is None:
        return sql, params
    sql += " UNION ALL SELECT 'evidence', id, record_id::text, NULL FROM evidence_items"
    sql += f" WHERE id = ANY({evidence}::uuid[])"
    return sql, [*params, query.evidence_ids]


def _facts(rows: Sequence[asyncpg.Record]) -> IntakeFacts:
    return IntakeFacts(
        case_ids={r["id"] for r in rows if r["kind"] == "case"},
        certificates={r["id"]: r["value"] for r in rows if r["kind"] == "officer"},
        evidence_owners={r["id"]: uuid.UUID(r["value"]) for r in rows if r["kind"] == "evidence"},
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
