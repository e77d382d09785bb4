"""SQL for exporting a case as an evidence package: its audit-chain excerpt and the chain's head."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from storage.audit import COLUMNS
from storage.db import Connection


async def audit_excerpt(
    conn: Connection, *, case_id: uuid.UUID, record_ids: Sequence[uuid.UUID], evidence_ids: Sequence[uuid.UUID]
) -> list[asyncpg.Record]:
    """Every audit entry about the case, its records and their evidence, in chain order."""
    return await conn.fetch(
        f"SELECT {', '.join(COLUMNS)} FROM audit_log"  # noqa: S608 - fixed identifiers
        " WHERE (entity_type = 'case' AND entity_id = $1)"
        " OR (entity_type = 'record' AND entity_id = ANY($2::text[]))"
        " OR (entity_type = 'evidence' AND entity_id = ANY($3::text[])) ORDER BY seq",
        str(case_id),
        [str(i) for i in record_ids],
        [str(i) for i in evidence_ids],
    )


async def case_records(conn: Connection, *, case_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, content, content_sha256 FROM records WHERE case_id = $1 ORDER BY created_at, id", case_id
    )
