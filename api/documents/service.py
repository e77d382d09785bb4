"""Reading a case's numbered documents (执法文书)."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from api.auth.principal import Principal
from api.cases import workflow
from mobile_contract.documents import DocumentRead
from mobile_contract.problems import NotFound
from storage import numbered_documents
from storage.db import Connection


def _read(row: asyncpg.Record) -> DocumentRead:
    return msgspec.convert({k: row[k] for k in DocumentRead.__struct_fields__}, DocumentRead)


async def for_case(conn: Connection, principal: Principal, case_id: uuid.UUID) -> list[DocumentRead]:
    await workflow.case_file(conn, principal, case_id)
    return [_read(r) for r in await numbered_documents.for_case(conn, case_id=case_id)]


async def get(conn: Connection, principal: Principal, id: uuid.UUID) -> tuple[DocumentRead, str]:
    """The document and its printable HTML."""
    row = await numbered_documents.get(conn, id=id, department_id=principal.department_scope)
    if row is None:
        raise NotFound("文书不存在或不属于本单位", f"document {id} not found")
    return _read(row), row["html"]
