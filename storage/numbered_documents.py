"""SQL for numbered enforcement documents (执法文书) and their gapless counters."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from storage.db import Connection

COLUMNS = (
    "id, case_id, department_id, kind, year, serial, number, event_id, issued_at, data, html, html_sha256,"
    " pdf_sha256, verification_code, signer_certificate_sha256"
)
SETTINGS_COLUMNS = "review_body, court, payment_bank, payment_account_name, payment_account_no, address, phone"


async def next_serial(conn: Connection, *, department_id: uuid.UUID, year: int, kind: str) -> int:
    """The next number of (department, year, kind), taken inside the caller's transaction.

    The counter row stays locked until commit, so concurrent issuers queue; a rollback
    returns the number, so the sequence has no gaps.
    """
    value: int = await conn.fetchval(
        "INSERT INTO document_counters AS c (department_id, year, kind, last_serial) VALUES ($1, $2, $3, 1)"
        " ON CONFLICT (department_id, year, kind) DO UPDATE SET last_serial = c.last_serial + 1"
        " RETURNING last_serial",
        department_id,
        year,
        kind,
    )
    return value


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
    row = await conn.fetchrow("SELECT id, code, name, region_code FROM departments WHERE id = $1", id)
    assert row is not None  # a case's or custodian's department (a foreign key)
    return row


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


async def pdf(conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None) -> asyncpg.Record | None:
    """The sealed PDF of a document in the department's scope (None: no such document, or no PDF)."""
    return await conn.fetchrow(
        "SELECT number, kind, pdf FROM case_documents WHERE id = $1 AND pdf IS NOT NULL"
        " AND ($2::uuid IS NULL OR department_id = $2)",
        id,
        department_id,
    )


async def by_verification_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    """What the public verification page may show: number, kind, organ, date and the PDF's hash."""
    return await conn.fetchrow(
        "SELECT c.number, c.kind, (c.data ->> 'issued_on')::date AS issued_on, c.pdf_sha256,"
        " c.signer_certificate_sha256, d.name AS organ"
        " FROM case_documents c JOIN departments d ON d.id = c.department_id WHERE c.verification_code = $1",
        code,
    )


async def document_settings(conn: Connection, *, department_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {SETTINGS_COLUMNS} FROM department_document_settings WHERE department_id = $1",  # noqa: S608
        department_id,
    )


async def save_document_settings(
    conn: Connection, *, department_id: uuid.UUID, values: dict[str, str], by: uuid.UUID | None
) -> asyncpg.Record | None:
    """Insert or replace the department's settings; returns the row as it was before (None: first time)."""
    before = await document_settings(conn, department_id=department_id)
    names = list(values)
    assignments = ", ".join(f"{n} = EXCLUDED.{n}" for n in names)
    await conn.execute(
        f"INSERT INTO department_document_settings (department_id, updated_by, {', '.join(names)})"  # noqa: S608
        f" VALUES ($1, $2, {', '.join(f'${i + 3}' for i in range(len(names)))})"
        f" ON CONFLICT (department_id) DO UPDATE SET {assignments}, updated_by = $2, updated_at = now()",
        department_id,
        by,
        *values.values(),
    )
    return before


async def evidence_list(conn: Connection, *, case_id: uuid.UUID) -> list[asyncpg.Record]:
    """The case's records and the items each declared, in order (证据清单); items never verified are left out."""
    return await conn.fetch(
        "SELECT record_kind, record_on, kind, description, captured_at FROM ("
        " SELECT r.kind AS record_kind, r.occurred_at AS record_on, NULL::text AS kind, '' AS description,"
        " NULL::timestamptz AS captured_at, r.id AS record_id, 0 AS rank FROM records r WHERE r.case_id = $1"
        " UNION ALL SELECT r.kind, r.occurred_at, e.kind, e.description, e.captured_at, r.id, 1"
        " FROM records r JOIN evidence_items e ON e.record_id = r.id AND e.status = 'verified' WHERE r.case_id = $1"
        ") listed ORDER BY record_on, record_id, rank, captured_at",
        case_id,
    )
