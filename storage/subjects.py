"""SQL for supervised subjects (监管对象), target registers and mining permits.

Other domains read subjects through this module: ``get``, ``get_by_key``,
``list_for_department`` (a department's 检查对象名录库, the pool a random
draw takes targets from) and ``ensure`` (find or register the party of a
record or complaint).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage import rows
from storage.db import Connection

COLUMNS = (
    "s.id, s.kind, s.subject_key AS key, s.name, s.region_code, s.address, s.phone, s.legal_representative,"
    " s.industry, s.created_at, s.updated_at"
)


def in_register(param: str) -> str:
    """SQL condition: subject ``s`` is in the register of the department in ``param`` (any when NULL)."""
    return (
        f"({param}::uuid IS NULL OR EXISTS (SELECT 1 FROM subject_departments d"  # noqa: S608 - a parameter name
        f" WHERE d.subject_id = s.id AND d.department_id = {param}))"
    )


async def ensure(
    conn: Connection, *, row: dict[str, Any], department_id: uuid.UUID
) -> tuple[asyncpg.Record, bool, bool]:
    """登记: the subject with ``row['subject_key']``, inserted if new, and in ``department_id``'s register.

    Returns the subject, whether it was inserted now and whether it joined the register now.
    ``row`` holds id, kind, subject_key, name, region_code, created_by and optionally address,
    phone, legal_representative, industry.
    """
    inserted = await rows.insert(conn, table="subjects", row=row, on_conflict="ON CONFLICT (subject_key) DO NOTHING")
    subject = await get_by_key(conn, key=row["subject_key"], department_id=None)
    assert subject is not None
    linked = await rows.insert(
        conn,
        table="subject_departments",
        row={"subject_id": subject["id"], "department_id": department_id, "added_by": row["created_by"]},
        on_conflict="ON CONFLICT DO NOTHING",
    )
    return subject, inserted, linked


async def get(conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None) -> asyncpg.Record | None:
    """The subject; with ``department_id``, only if it is in that department's register."""
    return await conn.fetchrow(
        f"SELECT {COLUMNS} FROM subjects s WHERE s.id = $1 AND {in_register('$2')}",  # noqa: S608
        id,
        department_id,
    )


async def get_by_key(conn: Connection, *, key: str, department_id: uuid.UUID | None) -> asyncpg.Record | None:
    """By USCC or ID number; with ``department_id``, only if in that department's register."""
    return await conn.fetchrow(
        f"SELECT {COLUMNS} FROM subjects s WHERE s.subject_key = $1 AND {in_register('$2')}",  # noqa: S608
        key,
        department_id,
    )


async def list_for_department(
    conn: Connection,
    *,
    department_id: uuid.UUID | None,
    kinds: Sequence[str] | None = None,
    search: str | None = None,
    after: uuid.UUID | None = None,
    limit: int | None = None,
) -> list[asyncpg.Record]:
    """检查对象名录库: subjects in the department's register (all for None), in id order.

    ``search`` matches the start of the key or any part of the name; ``after``/``limit`` page.
    """
    return await conn.fetch(
        f"SELECT {COLUMNS} FROM subjects s WHERE {in_register('$1')}"  # noqa: S608
        " AND ($2::text[] IS NULL OR s.kind = ANY($2))"
        " AND ($3::text IS NULL OR s.subject_key LIKE $3 || '%' OR strpos(s.name, $3) > 0)"
        " AND ($4::uuid IS NULL OR s.id > $4) ORDER BY s.id LIMIT $5",
        department_id,
        list(kinds) if kinds else None,
        search,
        after,
        limit,
    )


async def update(conn: Connection, *, id: uuid.UUID, changes: dict[str, Any]) -> None:
    await rows.update(conn, table="subjects", id=id, changes=changes, also="updated_at = now()")


PERMIT_COLUMNS = (
    "p.id, p.permit_no, p.subject_id, s.subject_key, s.name AS subject_name, p.department_id, p.mine_name,"
    " p.mineral, p.valid_from, p.valid_to, p.status, p.boundary, p.version, p.updated_at"
)
PERMIT_FROM = "mining_permits p JOIN subjects s ON s.id = p.subject_id"


async def insert_permit(conn: Connection, *, row: dict[str, Any]) -> bool:
    """Insert unless the permit number exists; True when inserted."""
    return await rows.insert(conn, table="mining_permits", row=row, on_conflict="ON CONFLICT (permit_no) DO NOTHING")


async def get_permit(
    conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None, lock: bool = False
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {PERMIT_COLUMNS} FROM {PERMIT_FROM} WHERE p.id = $1"  # noqa: S608
        " AND ($2::uuid IS NULL OR p.department_id = $2)" + (" FOR UPDATE OF p" if lock else ""),
        id,
        department_id,
    )


async def update_permit(conn: Connection, *, id: uuid.UUID, changes: dict[str, Any]) -> None:
    await rows.update(
        conn, table="mining_permits", id=id, changes=changes, also="version = version + 1, updated_at = now()"
    )


async def list_permits(
    conn: Connection,
    *,
    department_id: uuid.UUID | None,
    valid_on: dt.date | None = None,
    subject_id: uuid.UUID | None = None,
) -> list[asyncpg.Record]:
    """Permits of a department; with ``valid_on``, only those in force that day (status valid, within dates)."""
    return await conn.fetch(
        f"SELECT {PERMIT_COLUMNS} FROM {PERMIT_FROM}"  # noqa: S608
        " WHERE ($1::uuid IS NULL OR p.department_id = $1)"
        " AND ($2::date IS NULL OR (p.status = 'valid' AND $2 BETWEEN p.valid_from AND p.valid_to))"
        " AND ($3::uuid IS NULL OR p.subject_id = $3) ORDER BY p.permit_no",
        department_id,
        valid_on,
        subject_id,
    )
