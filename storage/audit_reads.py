"""Department-scoped reads of the audit log (留痕查询) for supervisors and legal reviewers.

Writing and walking the chain live in ``storage.audit``; this module only
pages through it. ``department_id=None`` means every department (admins).
"""

from __future__ import annotations

import uuid

import asyncpg

from storage.audit import COLUMNS, StoredAuditEntry
from storage.db import Connection

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM audit_log"  # noqa: S608


def _entry(record: asyncpg.Record) -> StoredAuditEntry:
    return StoredAuditEntry(**{c: record[c] for c in COLUMNS})


async def page(
    conn: Connection, *, department_id: uuid.UUID | None, after_seq: int, limit: int
) -> list[StoredAuditEntry]:
    rows = await conn.fetch(
        f"{_SELECT} WHERE seq > $1 AND ($2::uuid IS NULL OR department_id = $2) ORDER BY seq LIMIT $3",
        after_seq,
        department_id,
        limit,
    )
    return [_entry(r) for r in rows]


async def for_entity(
    conn: Connection, *, entity_type: str, entity_id: str, department_id: uuid.UUID | None
) -> list[StoredAuditEntry]:
    rows = await conn.fetch(
        f"{_SELECT} WHERE entity_type = $1 AND entity_id = $2 AND ($3::uuid IS NULL OR department_id = $3)"
        " ORDER BY seq",
        entity_type,
        entity_id,
        department_id,
    )
    return [_entry(r) for r in rows]


async def lowest_seq(conn: Connection) -> int | None:
    """The smallest seq stored; the chain starts at 1, so anything lower was put there by hand."""
    value: int | None = await conn.fetchval("SELECT min(seq) FROM audit_log")
    return value
