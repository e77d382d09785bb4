"""Publishing a penalty decision (行政执法公示) and withdrawing it (行政处罚法第四十八条).

The public version is built from the decision as decided, with natural
persons' personal data masked; it appears in the public feed at once. Both
publishing and withdrawing are steps of the case (so their deadlines and the
case history follow) and need the head of the department.
"""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from api.auth.principal import Principal
from api.cases import workflow
from api.documents.masking import public_party, scrub
from api.documents.render import penalty_text
from api.records.routes import decode_cursor, encode_cursor
from mobile_contract.documents import PublicationPage, PublicationRead, PublicDecision, WithdrawalCreate
from mobile_contract.problems import NotFound
from mobile_contract.workflow import Publish, WithdrawPublication
from storage import numbered_documents, publications
from storage.db import Connection


def read(row: asyncpg.Record) -> PublicationRead:
    withdrawn = row["withdrawn_at"] is not None
    return PublicationRead(
        id=row["id"],
        region_code=row["region_code"],
        published_at=row["published_at"],
        decision=None if withdrawn else msgspec.convert(row["public"], PublicDecision),
        withdrawn_at=row["withdrawn_at"],
        withdraw_reason=row["withdraw_reason"],
    )


async def publish(conn: Connection, principal: Principal, case_id: uuid.UUID, id: uuid.UUID) -> PublicationRead:
    """Publish the case's decision under ``id`` (safe to retry with the same id)."""
    case = await workflow.case_file(conn, principal, case_id)
    state = (await workflow.read(conn, principal, case_id)).state
    document = await numbered_documents.latest_of_kind(conn, case_id=case_id, kind="decision")
    if state.publication is None and state.decision and state.decision.penalty and document is not None:
        dept = await numbered_documents.department(conn, id=case.department_id)
        name, code, address = public_party(case.content.party)
        penalty = state.decision.penalty
        public = PublicDecision(
            document_no=document["number"], organ=dept["name"], party_name=name, party_code=code,
            party_address=address, facts=scrub(penalty.facts, case.content.party),
            legal_basis=scrub(penalty.legal_basis, case.content.party), penalty=penalty_text(penalty),
            decided_on=state.decision.decided_on,
        )  # fmt: skip
        await publications.insert(conn, row={
            "id": id, "case_id": case_id, "department_id": case.department_id, "document_id": document["id"],
            "region_code": case.content.region_code, "public": msgspec.json.encode(public).decode(),
            "published_by": principal.user_id,
        })  # fmt: skip
    await workflow.advance(conn, principal, case_id, id, Publish(publication_id=id))  # refuses when nothing to publish
    return await _get(conn, id, principal.department_scope)


async def withdraw(conn: Connection, principal: Principal, id: uuid.UUID, data: WithdrawalCreate) -> PublicationRead:
    row = await _row(conn, id, principal.department_scope)
    await publications.withdraw(conn, id=id, by=principal.user_id, reason=data.reason)
    step = WithdrawPublication(publication_id=id, reason=data.reason)
    await workflow.advance(conn, principal, row["case_id"], data.event_id, step)
    return await _get(conn, id, principal.department_scope)


async def _row(conn: Connection, id: uuid.UUID, department_id: uuid.UUID | None) -> asyncpg.Record:
    row = await publications.get(conn, id=id, department_id=department_id)
    if row is None:
        raise NotFound("公示不存在或不属于本单位", f"publication {id} not found")
    return row


async def _get(conn: Connection, id: uuid.UUID, department_id: uuid.UUID | None) -> PublicationRead:
    return read(await _row(conn, id, department_id))


async def public_feed(conn: Connection, *, region_code: str | None, cursor: str | None, limit: int) -> PublicationPage:
    rows = await publications.feed(conn, region_code=region_code, after=decode_cursor(cursor), limit=limit)
    last = rows[-1] if len(rows) == limit else None
    return PublicationPage(
        items=[read(r) for r in rows], next_cursor=encode_cursor(last["published_at"], last["id"]) if last else None
    )


async def public_one(conn: Connection, id: uuid.UUID) -> PublicationRead:
    return await _get(conn, id, None)
