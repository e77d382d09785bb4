"""SQL of the case list (案件列表): search a department's cases, newest first, keyset-paged.

A case's stage lives in ``case_workflow`` (no row yet: registered); its numbers in ``case_documents``
and its officers on its records. Text conditions match as plain substrings (``strpos``), never as
patterns, so a ``%`` or ``_`` typed by a user means itself. A department has thousands of cases, not
millions, so the party and number conditions filter the department's rows in index order without an
index of their own (``cases_department_registered``, migration 0066, serves the order and the scope).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.db import Connection

REGISTERED = "registered"


async def search_page(
    conn: Connection,
    *,
    department_id: uuid.UUID | None,
    number: str,
    party: str,
    stage: str | None,
    officer_id: uuid.UUID | None,
    registered_from: dt.datetime | None,
    registered_before: dt.datetime | None,
    after: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """One page of cases matching every condition given (empty text and None match anything)."""
    after_at, after_id = after or (None, None)
    return await conn.fetch(
        "SELECT c.id, c.department_id, c.content, c.created_at, c.created_by,"
        " coalesce(w.stage, $11) AS stage, coalesce(w.state ->> 'filing_document_no', '') AS filing_no"
        " FROM cases c LEFT JOIN case_workflow w ON w.case_id = c.id"
        " WHERE ($1::uuid IS NULL OR c.department_id = $1)"
        " AND ($2 = '' OR strpos(coalesce(w.state ->> 'filing_document_no', ''), $2) > 0"
        "      OR EXISTS (SELECT 1 FROM case_documents d WHERE d.case_id = c.id AND strpos(d.number, $2) > 0))"
        " AND ($3 = '' OR strpos(lower(c.content -> 'party' ->> 'name'), lower($3)) > 0"
        "      OR upper($3) IN (c.content -> 'party' ->> 'uscc', c.content -> 'party' ->> 'id_number'))"
        " AND ($4::text IS NULL OR coalesce(w.stage, $11) = $4)"
        " AND ($5::uuid IS NULL OR c.created_by = $5"
        "      OR EXISTS (SELECT 1 FROM records r WHERE r.case_id = c.id AND $5 = ANY (r.participant_ids)))"
        " AND ($6::timestamptz IS NULL OR c.created_at >= $6)"
        " AND ($7::timestamptz IS NULL OR c.created_at < $7)"
        " AND ($8::timestamptz IS NULL OR (c.created_at, c.id) < ($8, $9::uuid))"
        " ORDER BY c.created_at DESC, c.id DESC LIMIT $10",
        department_id,
        number,
        party,
        stage,
        officer_id,
        registered_from,
        registered_before,
        after_at,
        after_id,
        limit,
        REGISTERED,
    )


async def officer_lists(conn: Connection, *, case_ids: Sequence[uuid.UUID]) -> list[Any]:
    """(case id, officer list) of every record of these cases, oldest record first."""
    return await conn.fetch(
        "SELECT case_id, content -> 'officers' AS officers FROM records"
        " WHERE case_id = ANY ($1::uuid[]) ORDER BY created_at, id",
        list(case_ids),
    )
