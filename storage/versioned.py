"""Versioned, client-identified documents: cases (案件), supervision records and catalogue items.

All follow one rule set, so one piece of SQL serves every table:
- a new document is inserted with ``ON CONFLICT (id) DO NOTHING``, so any
  number of concurrent retries yield exactly one row;
- the current version lives in the main table, superseded versions in the
  ``*_versions`` table, each with who changed it, from which device, when.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec

from storage import bulk
from storage.db import Connection


class VersionedTable(msgspec.Struct, frozen=True):
    name: str
    versions: str
    foreign_key: str
    extra: tuple[tuple[str, str], ...] = ()  # (column, PostgreSQL type) beyond the common ones


CASES = VersionedTable("cases", "case_versions", "case_id")
RECORDS = VersionedTable(
    "records",
    "record_versions",
    "record_id",
    (
        ("kind", "text"),
        ("case_id", "uuid"),
        ("item_code", "text"),
        ("region_code", "text"),
        ("occurred_at", "timestamptz"),
    ),
)

COMMON = (
    ("id", "uuid"),
    ("department_id", "uuid"),
    ("content_sha256", "text"),
    ("content", "jsonb"),
    ("created_by", "uuid"),
    ("device_id", "text"),
    ("participant_ids", "uuid[]"),
)
READ_COLUMNS = (
    "id, department_id, version, content_sha256, content, created_by, device_id, version_by, version_device,"
    " created_at, updated_at"
)


def _columns(table: VersionedTable) -> tuple[tuple[str, str], ...]:
    return COMMON + table.extra


def _read_columns(table: VersionedTable) -> str:
    return READ_COLUMNS + "".join(f", {name}" for name, _ in table.extra)


async def insert_new(
    conn: Connection, *, table: VersionedTable, rows: Sequence[dict[str, Any]]
) -> dict[uuid.UUID, dt.datetime]:
    """Insert version 1 of each row unless its id exists; returns the ids inserted now, with their created_at."""
    if not rows:
        return {}
    columns = _columns(table)
    select, params = bulk.rows_select(columns, [[_wire_value(row[name], pg) for row in rows] for name, pg in columns])
    names = ", ".join(name for name, _ in columns)
    inserted = await conn.fetch(
        f"INSERT INTO {table.name} ({names}, version, version_by, version_device)"  # noqa: S608 - fixed identifiers
        f" SELECT r.*, 1, r.created_by, r.device_id FROM ({select}) AS r"
        " ON CONFLICT (id) DO NOTHING RETURNING id, created_at",
        *params,
    )
    return {r["id"]: r["created_at"] for r in inserted}


def _wire_value(value: Any, pg: str) -> Any:
    if pg == "uuid[]":
        return "{" + ",".join(str(v) for v in value) + "}"
    return value


async def fetch_current(
    conn: Connection, *, table: VersionedTable, ids: Sequence[uuid.UUID], department_id: uuid.UUID | None = None
) -> dict[uuid.UUID, asyncpg.Record]:
    """Current versions by id; with ``department_id``, only that department's."""
    if not ids:
        return {}
    rows = await conn.fetch(
        f"SELECT {_read_columns(table)} FROM {table.name}"  # noqa: S608 - fixed identifiers
        " WHERE id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR department_id = $2)",
        list(ids),
        department_id,
    )
    return {r["id"]: r for r in rows}


async def lock_current(conn: Connection, *, table: VersionedTable, id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {_read_columns(table)} FROM {table.name} WHERE id = $1 FOR UPDATE",  # noqa: S608
        id,
    )


async def replace_version(
    conn: Connection, *, table: VersionedTable, current: asyncpg.Record, changes: dict[str, Any]
) -> None:
    """Archive the locked current version and write the next one.

    ``changes`` holds content, content_sha256, participant_ids, version_by,
    version_device and the table's extra columns.
    """
    await conn.execute(
        f"INSERT INTO {table.versions} ({table.foreign_key}, version, content_sha256, content, changed_by,"  # noqa: S608
        " device_id, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        current["id"],
        current["version"],
        current["content_sha256"],
        current["content"],
        current["version_by"],
        current["version_device"],
        current["updated_at"],
    )
    assignments = ", ".join(f"{name} = ${i + 2}" for i, name in enumerate(changes))
    await conn.execute(
        f"UPDATE {table.name} SET {assignments}, version = version + 1, updated_at = now(),"  # noqa: S608
        " txid = pg_current_xact_id() WHERE id = $1",
        current["id"],
        *changes.values(),
    )


async def list_versions(conn: Connection, *, table: VersionedTable, id: uuid.UUID) -> list[asyncpg.Record]:
    """Superseded versions, oldest first (the current one is in the main table)."""
    return await conn.fetch(
        f"SELECT version, content_sha256, content, changed_by, device_id, changed_at FROM {table.versions}"  # noqa: S608
        f" WHERE {table.foreign_key} = $1 ORDER BY version",
        id,
    )


async def version_exists(
    conn: Connection, *, table: VersionedTable, id: uuid.UUID, version: int, content_sha256: str, changed_by: uuid.UUID
) -> bool:
    """Whether a superseded version with this number and content was made by ``changed_by``."""
    value: bool = await conn.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM {table.versions} WHERE {table.foreign_key} = $1 AND version = $2"  # noqa: S608
        " AND content_sha256 = $3 AND changed_by = $4)",
        id,
        version,
        content_sha256,
        changed_by,
    )
    return value
