"""The record list (记录列表): the department's records, newest first, keyset-paged."""

from __future__ import annotations

import uuid

from api.auth.principal import Principal
from api.paging import decode_cursor, encode_cursor
from api.records.service import read_records
from mobile_contract.records import RecordKind, RecordPage
from storage import records
from storage.db import Connection


async def list_page(
    conn: Connection,
    principal: Principal,
    *,
    kind: RecordKind | None,
    case_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> RecordPage:
    after = decode_cursor(cursor)
    department_id = principal.department_scope
    ids = await records.list_page(
        conn, department_id=department_id, kind=kind, case_id=case_id, after=after, limit=limit
    )
    found = await read_records(conn, ids)
    items = [found[i] for i in ids]
    last = items[-1] if len(items) == limit else None
    return RecordPage(items=items, next_cursor=encode_cursor(last.created_at, last.id) if last else None)
