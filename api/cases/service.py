"""Rules for cases (案件). The procedure's state machine builds on this (issue 4)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import asyncpg
import msgspec

from api import idempotency
from api.audit import trail
from api.auth.principal import Principal
from api.idempotency import NewDocument, Outcome
from mobile_contract.problems import AppError
from mobile_contract.records import CaseCreate, CaseRead, CaseUpdate, CaseVersionRead, RecordContent
from storage import audit, cases, versioned
from storage.db import Connection
from storage.versioned import CASES

ENTITY = "案件"


async def create_cases(
    conn: Connection, principal: Principal, creates: Sequence[CaseCreate]
) -> dict[uuid.UUID, Outcome | AppError]:
    docs = [
        NewDocument(
            c.id,
            idempotency.new_row(principal, c.content, id=c.id, participants=[]),
            idempotency.content_hash(c.content),
        )
        for c in creates
    ]
    outcomes, inserted = await idempotency.create_many(conn, principal, table=CASES, entity=ENTITY, docs=docs)
    await audit.append_many(
        conn,
        [
            trail.change(principal, "case.create", "case", d.id, after=d.content_sha256)
            for d in docs
            if d.id in inserted
        ],
    )
    return outcomes


async def update_case(conn: Connection, principal: Principal, id: uuid.UUID, update: CaseUpdate) -> Outcome:
    current = await idempotency.lock_for_edit(conn, principal, table=CASES, entity=ENTITY, id=id)
    new_sha = idempotency.content_hash(update.content)
    if replay := await idempotency.edit_outcome(
        conn, current, principal, table=CASES, base_version=update.base_version, new_sha256=new_sha, entity=ENTITY
    ):
        return replay
    changes = {
        "content": idempotency.canonical(update.content)[0],
        "content_sha256": new_sha,
        "version_by": principal.user_id,
        "version_device": principal.device_id,
    }
    await versioned.replace_version(conn, table=CASES, current=current, changes=changes)
    await audit.append(
        conn, trail.change(principal, "case.update", "case", id, before=current["content_sha256"], after=new_sha)
    )
    return Outcome.UPDATED


async def officers_named(conn: Connection, contents: Iterable[RecordContent]) -> None:
    """The officers a case's records name take part in the case: a record naming someone new (a change
    of officers) brings them the case with their next pull, and its time-limit reminders after it."""
    named = sorted({(c.case_id, o.user_id) for c in contents if c.case_id is not None for o in c.officers})
    if named:
        await cases.add_participants(conn, pairs=named)


async def read_cases(
    conn: Connection, ids: Sequence[uuid.UUID], department_id: uuid.UUID | None = None
) -> dict[uuid.UUID, CaseRead]:
    rows = await versioned.fetch_current(conn, table=CASES, ids=ids, department_id=department_id)
    return {id: _read(row) for id, row in rows.items()}


async def list_versions(conn: Connection, principal: Principal, id: uuid.UUID) -> list[CaseVersionRead]:
    head = await versioned.fetch_current(conn, table=CASES, ids=[id], department_id=principal.department_scope)
    if id not in head:
        raise idempotency.not_found(ENTITY, id)
    older = [msgspec.convert(dict(r), CaseVersionRead) for r in await versioned.list_versions(conn, table=CASES, id=id)]
    return [*older, msgspec.convert(idempotency.as_version(head[id]), CaseVersionRead)]


def _read(row: asyncpg.Record) -> CaseRead:
    return msgspec.convert(dict(row), CaseRead)
