"""Issuing numbered documents (文书号) as part of a procedure step, in the step's transaction.

Each document is numbered, its content built (``content``), rendered as HTML and typeset and
sealed as a PDF with a fresh verification code; the PDF, its SHA-256 and the signing certificate's
fingerprint are stored with the document, and the step's event records both hashes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid

import msgspec

from api.cases import clock
from api.documents import content
from api.documents.content import CaseFile, Context, EvidenceLine
from api.documents.pdf import press
from api.documents.pdf.signing import SigningUnavailable
from api.documents.render import TITLES, Rendered, to_html
from mobile_contract.case_state import WorkflowState
from mobile_contract.documents import DocumentKind, DocumentRead, DocumentSettings
from mobile_contract.problems import UpstreamError
from storage import numbered_documents
from storage.db import Connection

__all__ = ["CaseFile", "issue"]

ABBREVIATIONS = {
    DocumentKind.FILING_APPROVAL: "立",
    DocumentKind.NOTICE: "告",
    DocumentKind.DECISION: "罚",
    DocumentKind.NO_PENALTY_DECISION: "不罚",
    DocumentKind.SERVICE_RECEIPT: "送",
}


class SealUnavailable(UpstreamError):
    status = 503
    code = "seal-unavailable"
    title = "Signing key unavailable"


async def context(conn: Connection, department_id: uuid.UUID, case_id: uuid.UUID) -> Context:
    row = await numbered_documents.document_settings(conn, department_id=department_id)
    settings = msgspec.convert(dict(row), DocumentSettings) if row else None
    lines = await numbered_documents.evidence_list(conn, case_id=case_id)
    return Context(settings=settings, evidence=[msgspec.convert(dict(r), EvidenceLine) for r in lines])


async def issue(
    conn: Connection, *, case: CaseFile, kind: DocumentKind, state: WorkflowState, event_id: uuid.UUID
) -> DocumentRead:
    """Number, render, seal and store one document for ``case`` as it stands in ``state``."""
    issued_at = dt.datetime.now(dt.UTC)
    issued_on = clock.today()
    body = content.BUILDERS[kind](case, state, await context(conn, case.department_id, case.id))
    dept = await numbered_documents.department(conn, id=case.department_id)
    serial = await numbered_documents.next_serial(
        conn, department_id=case.department_id, year=issued_on.year, kind=kind.value
    )
    number = f"{dept['code']}{ABBREVIATIONS[kind]}〔{issued_on.year}〕{serial}号"
    body = msgspec.structs.replace(
        body,
        title=TITLES[kind],
        organ=dept["name"],
        number=number,
        issued_on=issued_on,
        verification_code=press.new_verification_code(),
    )
    html = to_html(body)
    sealed = await seal(body, dept["code"], case.content.place.address)
    read = DocumentRead(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=kind,
        number=number,
        year=issued_on.year,
        serial=serial,
        issued_at=issued_at,
        html_sha256=hashlib.sha256(html.encode()).hexdigest(),
        pdf_sha256=sealed.sha256,
        verification_code=sealed.verification_code,
    )
    await _store(conn, read, case.department_id, event_id, body, html, sealed)
    return read


async def _store(
    conn: Connection,
    read: DocumentRead,
    department_id: uuid.UUID,
    event_id: uuid.UUID,
    body: Rendered,
    html: str,
    sealed: press.IssuedPdf,
) -> None:
    """Keep the document as issued: its content, HTML and sealed PDF, under the step that issued it."""
    row = msgspec.structs.asdict(read) | {"department_id": department_id, "event_id": event_id}
    kept = {"kind": read.kind.value, "data": msgspec.json.encode(body), "html": html, "pdf": sealed.pdf}
    await numbered_documents.insert(conn, row=row | kept | {"signer_certificate_sha256": sealed.certificate_sha256})


async def seal(body: Rendered, department_code: str, location: str) -> press.IssuedPdf:
    """Typeset and sign in a worker thread; a missing key refuses the step (nothing is stored)."""
    try:
        return await asyncio.to_thread(press.current().issue, body, department_code=department_code, location=location)
    except SigningUnavailable as exc:
        raise SealUnavailable(
            "本单位的电子签章证书不可用，文书无法签发；请系统管理员配置签章证书后重试", f"signing key: {exc}"
        ) from exc
