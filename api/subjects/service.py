"""Rules for supervised subjects (监管对象), target registers and mining permits.

A subject is registered once by its key (USCC or ID number); every
department that supervises it adds it to its own register, and non-admins
see only subjects in their register. ``register`` is what other domains call
to turn the party of a record or complaint into a subject.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec
import uuid_utils

from api.audit import trail
from api.auth.principal import Principal
from api.idempotency import content_hash
from mobile_contract.parties import PartyKind
from mobile_contract.problems import Conflict, NotFound
from mobile_contract.subjects import (
    PermitCreate,
    PermitRead,
    PermitUpdate,
    SubjectCreate,
    SubjectPage,
    SubjectRead,
    SubjectUpdate,
    party_key,
)
from storage import audit, subjects
from storage.db import Connection


def new_id() -> uuid.UUID:
    """A time-ordered id (UUIDv7), so lists in id order are in creation order."""
    return uuid.UUID(str(uuid_utils.uuid7()))


async def visible_subject(conn: Connection, principal: Principal, subject_id: uuid.UUID) -> asyncpg.Record:
    """The subject if it is in the caller's register (admins: any), else 404."""
    found = await subjects.get(conn, id=subject_id, department_id=principal.department_scope)
    if found is None:
        raise NotFound("监管对象不存在或不在本单位检查对象名录库中", f"subject {subject_id} not found")
    return found


def subject_read(row: asyncpg.Record) -> SubjectRead:
    return msgspec.convert(dict(row), SubjectRead)


def permit_read(row: asyncpg.Record) -> PermitRead:
    return msgspec.convert(dict(row), PermitRead)


async def list_page(
    conn: Connection,
    principal: Principal,
    *,
    kind: PartyKind | None,
    search: str | None,
    cursor: uuid.UUID | None,
    limit: int,
) -> SubjectPage:
    """The department's register (名录库), by name or key, a page after ``cursor``."""
    found = await subjects.list_for_department(
        conn,
        department_id=principal.department_scope,
        kinds=[kind] if kind else None,
        search=search,
        after=cursor,
        limit=limit,
    )
    items = [subject_read(r) for r in found]
    return SubjectPage(items=items, next_cursor=str(items[-1].id) if len(items) == limit else None)


async def by_key(conn: Connection, principal: Principal, key: str) -> SubjectRead:
    """The subject with this USCC or ID number in the caller's register."""
    found = await subjects.get_by_key(conn, key=key.upper(), department_id=principal.department_scope)
    if found is None:
        raise NotFound("本单位名录库中没有该代码的监管对象", "no subject with this key in the register")
    return subject_read(found)


async def list_permits(
    conn: Connection, principal: Principal, *, valid_on: dt.date | None, subject_id: uuid.UUID | None
) -> list[PermitRead]:
    found = await subjects.list_permits(
        conn, department_id=principal.department_scope, valid_on=valid_on, subject_id=subject_id
    )
    return [permit_read(r) for r in found]


async def register(conn: Connection, principal: Principal, data: SubjectCreate) -> tuple[SubjectRead, bool]:
    """登记监管对象: the subject for the party, in the caller's register. Returns it and whether it is new."""
    party = data.party
    row = {
        "id": new_id(),
        "kind": party.kind.value,
        "subject_key": party_key(party),
        "name": party.name,
        "region_code": data.region_code,
        "address": party.address,
        "phone": party.phone,
        "legal_representative": data.legal_representative,
        "industry": data.industry,
        "created_by": principal.user_id,
    }
    found, inserted, linked = await subjects.ensure(conn, row=row, department_id=principal.department_id)
    if inserted or linked:
        action = "subject.create" if inserted else "subject.add_to_register"
        await audit.append(conn, trail.change(principal, action, "subject", found["id"]))
    return subject_read(found), inserted


async def update(conn: Connection, principal: Principal, id: uuid.UUID, data: SubjectUpdate) -> SubjectRead:
    before = subject_read(await visible_subject(conn, principal, id))
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if changes:
        await subjects.update(conn, id=id, changes=changes)
        after = subject_read(await visible_subject(conn, principal, id))
        await audit.append(
            conn,
            trail.change(
                principal, "subject.update", "subject", id, before=content_hash(before), after=content_hash(after)
            ),
        )
    return subject_read(await visible_subject(conn, principal, id))


async def create_permit(conn: Connection, principal: Principal, data: PermitCreate) -> PermitRead:
    """登记采矿许可证 for a subject in the caller's register."""
    await visible_subject(conn, principal, data.subject_id)
    row = msgspec.to_builtins(data, builtin_types=(dt.date, uuid.UUID)) | {
        "id": new_id(),
        "department_id": principal.department_id,
        "updated_by": principal.user_id,
    }
    if not await subjects.insert_permit(conn, row=row):
        raise Conflict(f"采矿许可证号 {data.permit_no} 已登记", "permit number exists", code="permit-exists")
    read = await read_permit(conn, principal, row["id"])
    await audit.append(
        conn, trail.change(principal, "permit.create", "mining_permit", read.id, after=content_hash(read))
    )
    return read


async def update_permit(conn: Connection, principal: Principal, id: uuid.UUID, data: PermitUpdate) -> PermitRead:
    """延续、变更、暂扣、吊销、注销: replace the permit's terms, based on the version the caller read."""
    current = await subjects.get_permit(conn, id=id, department_id=principal.department_scope, lock=True)
    if current is None:
        raise NotFound("采矿许可证不存在或不属于本单位", f"permit {id} not found")
    if current["version"] != data.base_version:
        raise Conflict(
            f"该许可证已被修改（当前版本 {current['version']}），请刷新后再改",
            "stale permit edit",
            code="stale-version",
            extra={"current_version": current["version"]},
        )
    changes = msgspec.to_builtins(data, builtin_types=(dt.date,))
    del changes["base_version"]
    changes["updated_by"] = principal.user_id
    await subjects.update_permit(conn, id=id, changes=changes)
    after = await read_permit(conn, principal, id)
    await audit.append(
        conn,
        trail.change(
            principal,
            "permit.update",
            "mining_permit",
            id,
            before=content_hash(permit_read(current)),
            after=content_hash(after),
        ),
    )
    return after


async def read_permit(conn: Connection, principal: Principal, id: uuid.UUID) -> PermitRead:
    found = await subjects.get_permit(conn, id=id, department_id=principal.department_scope)
    if found is None:
        raise NotFound("采矿许可证不存在或不属于本单位", f"permit {id} not found")
    return permit_read(found)
