"""Reading a case's numbered documents (执法文书): the record, the sealed PDF, the blank 送达回证."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import msgspec

from api.auth.principal import Principal
from api.cases import workflow
from api.cases.clock import CHINA
from api.documents import content
from api.documents.pdf import press
from api.documents.render import TITLES
from mobile_contract.documents import DocumentKind, DocumentRead
from mobile_contract.problems import InvalidTransition, NotFound
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


async def pdf(conn: Connection, principal: Principal, id: uuid.UUID) -> tuple[str, bytes]:
    """The number and the sealed PDF as issued."""
    row = await numbered_documents.pdf(conn, id=id, department_id=principal.department_scope)
    if row is None:
        raise NotFound("文书不存在、不属于本单位，或签发于启用 PDF 之前", f"document {id} has no PDF here")
    return row["number"], row["pdf"]


SERVED_KINDS = (DocumentKind.NOTICE, DocumentKind.DECISION, DocumentKind.NO_PENALTY_DECISION)


async def receipt_form(conn: Connection, principal: Principal, id: uuid.UUID) -> tuple[str, bytes]:
    """A blank 送达回证 for a notice or decision, to print and take to the party before service.

    It carries the served document's verification code, and is not itself a numbered document:
    the numbered 送达回证 is issued when service is recorded."""
    document, _ = await get(conn, principal, id)
    if document.kind not in SERVED_KINDS:
        raise InvalidTransition(
            "只有告知书和决定书需要送达回证", f"{document.kind} is not served", code="not-a-served-document"
        )
    case = await workflow.case_file(conn, principal, document.case_id)
    dept = await numbered_documents.department(conn, id=case.department_id)
    form = content.receipt_form(case, TITLES[document.kind], document.number)
    form = msgspec.structs.replace(
        form,
        title="送达回证",
        organ=dept["name"],
        number="（送达时编号）",
        issued_on=document.issued_at.astimezone(CHINA).date(),
        verification_code=document.verification_code or "",
    )
    return document.number, await asyncio.to_thread(press.current().unsealed, form)
