"""SQL for the supervision item catalogue (监管事项清单).

Items are versioned documents (storage/versioned.py) with a unique 14-digit
code; other domains look items up with ``fetch_by_codes`` and
``list_for_department``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from storage.db import Connection
from storage.versioned import READ_COLUMNS, VersionedTable

CATALOGUE = VersionedTable("catalogue_items", "catalogue_item_versions", "item_id", (("code", "text"),))
COLUMNS = f"{READ_COLUMNS}, code"


async def fetch_by_codes(conn: Connection, *, codes: Sequence[str], lock: bool = False) -> dict[str, asyncpg.Record]:
    """Current versions by code, in any department; ``lock`` holds them for an import."""
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM catalogue_items WHERE code = ANY($1::text[]) ORDER BY code"  # noqa: S608
        + (" FOR UPDATE" if lock else ""),
        list(codes),
    )
    return {r["code"]: r for r in rows}


async def list_for_department(
    conn: Connection,
    *,
    department_id: uuid.UUID | None,
    search: str | None = None,
    after_code: str | None = None,
    limit: int | None = None,
) -> list[asyncpg.Record]:
    """The department's items (all for None) in code order; ``search`` matches code prefix or name."""
    return await conn.fetch(
        f"SELECT {COLUMNS} FROM catalogue_items WHERE ($1::uuid IS NULL OR department_id = $1)"  # noqa: S608
        " AND ($2::text IS NULL OR code LIKE $2 || '%' OR strpos(content->>'name', $2) > 0)"
        " AND ($3::text IS NULL OR code > $3) ORDER BY code LIMIT $4",
        department_id,
        search,
        after_code,
        limit,
    )
