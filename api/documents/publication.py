"""Publishing a penalty decision (行政执法公示) and withdrawing it (行政处罚法第四十八条).

The public version is built from the decision as decided, with natural
persons' personal data masked; it appears in the public feed at once. Both
publishing and withdrawing are steps of the case (so their deadlines and the
case history follow) and need the head of the department.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import asyncpg
import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.cases import workflow
from api.documents import redaction
from api.documents.masking import public_party, scrub
from api.documents.render import penalty_text
from api.paging import decode_cursor, encode_cursor
from mobile_contract.documents import (
    PublicationCreate,
    PublicationPage,
    PublicationRead,
    PublicDecision,
    WithdrawalCreate,
)
from mobile_contract.problems import FieldError, InvalidInput, NotFound
from mobile_contract.workflow import Publish, WithdrawPublication
from storage import audit, custody, evidence, numbered_documents, publications
from storage.db import Connection
from storage.objects import ObjectStore


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


async def publish(
    conn: Connection, store: ObjectStore, principal: Principal, case_id: uuid.UUID, data: PublicationCreate
) -> PublicationRead:
    """Publish the case's decision under ``data.id`` (safe to retry with the same id), with its photos blurred."""
    id = data.id
    case = await workflow.case_file(conn, principal, case_id)
    state = (await workflow.read(conn, principal, case_id)).state
    document = await numbered_documents.latest_of_kind(conn, case_id=case_id, kind="decision")
    if state.publication is None and state.decision and state.decision.penalty and document is not None:
        photos = await _photos(conn, case_id, data.photos)
        dept = await numbered_documents.department(conn, id=case.department_id)
        name, code, address = public_party(case.content.party)
        penalty = state.decision.penalty
        public = PublicDecision(
            document_no=document["number"],
            organ=dept["name"],
            party_name=name,
            party_code=code,
            party_address=address,
            facts=scrub(penalty.facts, case.content.party),
            legal_basis=scrub(penalty.legal_basis, case.content.party),
            penalty=penalty_text(penalty),
            decided_on=state.decision.decided_on,
            images=[f"/public/decisions/{id}/images/{n}" for n in range(1, len(photos) + 1)],
        )
        await publications.insert(
            conn,
            row={
                "id": id,
                "case_id": case_id,
                "department_id": case.department_id,
                "document_id": document["id"],
                "region_code": case.content.region_code,
                "public": msgspec.json.encode(public).decode(),
                "published_by": principal.user_id,
            },
        )
        await _publish_photos(conn, store, principal, id, photos)
    await workflow.advance(conn, principal, case_id, id, Publish(publication_id=id))  # refuses when nothing to publish
    return await _get(conn, id, principal.department_scope)


async def _photos(conn: Connection, case_id: uuid.UUID, ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """The chosen items: each must be a verified photo of this case."""
    items = {i["id"]: i for i in await custody.items(conn, case_id=case_id, evidence_id=None, department_id=None)}
    errors = [
        FieldError(f"photos[{n}]", "只能公示本案已核验的照片")
        for n, i in enumerate(ids)
        if i not in items or items[i]["kind"] != "photo" or items[i]["status"] != "verified"
    ]
    if errors:
        raise InvalidInput(
            "所选公示照片有误，请选择本案已核验的照片", "photos not verified photos of the case", errors=errors
        )
    return [items[i] for i in ids]


async def _publish_photos(
    conn: Connection, store: ObjectStore, principal: Principal, id: uuid.UUID, photos: list[asyncpg.Record]
) -> None:
    """Blur a copy of each photo (the stored original is only read) and audit the read."""
    for n, item in enumerate(photos, start=1):
        original = await evidence.get_item(conn, id=item["id"], department_id=None)
        assert original is not None
        stream = await store.open_read(original["object_key"], original["version_id"])
        if stream is None:
            raise NotFound("照片原件不在证据存储中", f"evidence {item['id']} object missing")
        data = b"".join([chunk async for chunk in stream.chunks()])
        redacted = await asyncio.to_thread(redaction.redact, data)
        await publications.insert_image(
            conn,
            row={
                "publication_id": id,
                "n": n,
                "evidence_id": item["id"],
                "jpeg": redacted.jpeg,
                "sha256": hashlib.sha256(redacted.jpeg).hexdigest(),
                "faces": len(redacted.faces),
                "plates": len(redacted.plates),
            },
        )
        detail = {"publication_id": str(id), "faces": len(redacted.faces), "plates": len(redacted.plates)}
        await audit.append(
            conn,
            trail.entry(
                principal,
                action="evidence.publication_image",
                entity_type="evidence",
                entity_id=str(item["id"]),
                department_id=item["department_id"],
                detail=detail,
            ),
        )


async def public_image(conn: Connection, publication_id: uuid.UUID, n: int) -> bytes:
    found = await publications.public_image(conn, publication_id=publication_id, n=n)
    if found is None:
        raise NotFound("公示照片不存在或已撤回", f"publication {publication_id} image {n} not found")
    return found


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
