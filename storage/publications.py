"""SQL for published decisions (行政执法公示) and their withdrawal."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from storage.db import Connection

COLUMNS = (
    "id, case_id, department_id, document_id, region_code, public, published_at, published_by, withdrawn_at,"
    " withdrawn_by, withdraw_reason"
)


async def insert(conn: Connection, *, row: dict[str, Any]) -> bool:
    """Insert unless the id exists; True when inserted now."""
    names = ", ".join(row)
    params = ", ".join(f"${i + 1}" for i in range(len(row)))
    done = await conn.fetchval(
        f"INSERT INTO publications ({names}) VALUES ({params}) ON CONFLICT (id) DO NOTHING RETURNING id",  # noqa: S608
        *row.values(),
    )
    return done is not None


async def get(conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None = None) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {COLUMNS} FROM publications WHERE id = $1 AND ($2::uuid IS NULL OR department_id = $2)",  # noqa: S608
        id,
        department_id,
    )


async def withdraw(conn: Connection, *, id: uuid.UUID, by: uuid.UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE publications SET withdrawn_at = now(), withdrawn_by = $2, withdraw_reason = $3"
        " WHERE id = $1 AND withdrawn_at IS NULL",
        id,
        by,
        reason,
    )


async def feed(
    conn: Connection, *, region_code: str | None, after: tuple[dt.datetime, uuid.UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """Newest first, keyset-paged by (published_at, id)."""
    return await conn.fetch(
        f"SELECT {COLUMNS} FROM publications WHERE ($1::text IS NULL OR region_code = $1)"  # noqa: S608
        " AND ($2::timestamptz IS NULL OR (published_at, id) < ($2, $3))"
        " ORDER BY published_at DESC, id DESC LIMIT $4",
        region_code,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def insert_image(conn: Connection, *, row: dict[str, Any]) -> None:
    names = ", ".join(row)
    params = ", ".join(f"${i + 1}" for i in range(len(row)))
    await conn.execute(f"INSERT INTO publication_images ({names}) VALUES ({params})", *row.values())  # noqa: S608


async def public_image(conn: Connection, *, publication_id: uuid.UUID, n: int) -> bytes | None:
    """A published photo, unless the publication was withdrawn."""
    value: bytes | None = await conn.fetchval(
        "SELECT i.jpeg FROM publication_images i JOIN publications p ON p.id = i.publication_id"
        " WHERE i.publication_id = $1 AND i.n = $2 AND p.withdrawn_at IS NULL",
        publication_id,
        n,
    )
    return value
