"""SQL for shares of a case's evidence package (案卷共享) and items withheld from them (不予披露)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from storage.db import Connection

COLUMNS = (
    "id, case_id, department_id, recipient_name, recipient_organ, purpose, expires_at, created_at, created_by,"
    " revoked_at, revoke_reason"
)


async def insert(conn: Connection, *, row: dict[str, Any]) -> tuple[asyncpg.Record, bool]:
    """Insert the share, or find the one stored under the same id (a retry); True when inserted now."""
    names = list(row)
    params = ", ".join(f"${i + 1}" for i in range(len(names)))
    inserted = await conn.fetchval(
        f"INSERT INTO case_shares ({', '.join(names)}) VALUES ({params}) ON CONFLICT (id) DO NOTHING RETURNING id",  # noqa: S608
        *row.values(),
    )
    stored = await conn.fetchrow(f"SELECT {COLUMNS} FROM case_shares WHERE id = $1", row["id"])  # noqa: S608
    assert stored is not None  # inserted above or before
    return stored, inserted is not None


async def get(conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {COLUMNS} FROM case_shares WHERE id = $1 AND ($2::uuid IS NULL OR department_id = $2)",  # noqa: S608
        id,
        department_id,
    )


async def by_token(conn: Connection, *, token_sha256: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {COLUMNS} FROM case_shares WHERE token_sha256 = $1", token_sha256)  # noqa: S608


async def for_case(conn: Connection, *, case_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {COLUMNS} FROM case_shares WHERE case_id = $1 ORDER BY created_at", case_id)  # noqa: S608


async def revoke(conn: Connection, *, id: uuid.UUID, by: uuid.UUID, reason: str) -> None:
    """Revoke once; revoking a revoked share changes nothing."""
    await conn.execute(
        "UPDATE case_shares SET revoked_at = now(), revoked_by = $2, revoke_reason = $3"
        " WHERE id = $1 AND revoked_at IS NULL",
        id,
        by,
        reason,
    )


async def withheld(conn: Connection, *, case_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT w.evidence_id FROM evidence_withheld w JOIN evidence_items e ON e.id = w.evidence_id"
        " JOIN records r ON r.id = e.record_id WHERE r.case_id = $1",
        case_id,
    )
    return {r["evidence_id"] for r in rows}


async def set_withheld(conn: Connection, *, evidence_id: uuid.UUID, withheld: bool, reason: str, by: uuid.UUID) -> None:
    if withheld:
        await conn.execute(
            "INSERT INTO evidence_withheld (evidence_id, reason, set_by) VALUES ($1, $2, $3)"
            " ON CONFLICT (evidence_id) DO UPDATE SET reason = EXCLUDED.reason, set_by = $3, set_at = now()",
            evidence_id,
            reason,
            by,
        )
    else:
        await conn.execute("DELETE FROM evidence_withheld WHERE evidence_id = $1", evidence_id)
