"""SQL for discretion benchmark versions (裁量基准) and their rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.db import Connection

TABLE_COLUMNS = (
    "t.id, t.department_id, t.version, t.title, t.source_sha256, t.imported_by, t.imported_at, t.published_at,"
    " t.published_by, (SELECT count(*) FROM discretion_entries e WHERE e.table_id = t.id) AS entries"
)
ENTRY_COLUMNS = "violation_code, circumstance, violation, legal_basis, kinds, fine_min_fen, fine_max_fen, note"


async def create_draft(
    conn: Connection,
    *,
    id: uuid.UUID,
    department_id: uuid.UUID,
    title: str,
    source_sha256: str,
    imported_by: uuid.UUID | None,
    entries: Sequence[dict[str, Any]],
) -> int:
    """Store a new draft version (the next number for the department); returns its version."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('discretion:' || $1::uuid::text))", department_id)
    version: int = await conn.fetchval(
        "INSERT INTO discretion_tables (id, department_id, version, title, source_sha256, imported_by)"
        " SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4, $5 FROM discretion_tables WHERE department_id = $2"
        " RETURNING version",
        id,
        department_id,
        title,
        source_sha256,
        imported_by,
    )
    await conn.executemany(
        f"INSERT INTO discretion_entries (table_id, {ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",  # noqa: S608
        [(id, *(e[c.strip()] for c in ENTRY_COLUMNS.split(","))) for e in entries],
    )
    return version


async def publish(conn: Connection, *, id: uuid.UUID, published_by: uuid.UUID | None) -> bool:
    """Publish a draft; False when it is already published (or does not exist)."""
    done = await conn.fetchval(
        "UPDATE discretion_tables SET published_at = now(), published_by = $2 WHERE id = $1 AND published_at IS NULL"
        " RETURNING id",
        id,
        published_by,
    )
    return done is not None


async def get_table(conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {TABLE_COLUMNS} FROM discretion_tables t WHERE t.id = $1"  # noqa: S608
        " AND ($2::uuid IS NULL OR t.department_id = $2)",
        id,
        department_id,
    )


async def current_table(conn: Connection, *, department_id: uuid.UUID) -> asyncpg.Record | None:
    """The binding version: the highest published one."""
    return await conn.fetchrow(
        f"SELECT {TABLE_COLUMNS} FROM discretion_tables t WHERE t.department_id = $1"  # noqa: S608
        " AND t.published_at IS NOT NULL ORDER BY t.version DESC LIMIT 1",
        department_id,
    )


async def list_tables(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {TABLE_COLUMNS} FROM discretion_tables t"  # noqa: S608
        " WHERE ($1::uuid IS NULL OR t.department_id = $1) ORDER BY t.department_id, t.version DESC",
        department_id,
    )


async def entries(conn: Connection, *, table_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM discretion_entries WHERE table_id = $1"  # noqa: S608
        " ORDER BY violation_code, circumstance",
        table_id,
    )
