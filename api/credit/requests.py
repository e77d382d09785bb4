"""The abnormal list and blacklist, objections (异议) and credit repair (信用修复).

Both requests follow one path: the department that made the record (or the
list entry) registers the application (受理), then decides it (办理), and the
effect of an accepted request is a table, ``EFFECTS``:

| request | on a credit record | on a list entry |
| --- | --- | --- |
| objection accepted (异议成立) | record → corrected | entry exited |
| repair approved (准予修复) | record → repaired | entry exited |

Repair of a penalty waits for the shortest publication period of
《失信行为纠正后的信用信息修复管理办法（试行）》: three months, one year if serious.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.credit import service
from api.subjects.service import new_id, visible_subject
from mobile_contract.credit import (
    CreditFactKind,
    CreditRecordState,
    CreditRequestCreate,
    CreditRequestDecision,
    CreditRequestRead,
    ListEntryCreate,
    ListEntryRead,
    ListExit,
    RequestKind,
    RequestState,
)
from mobile_contract.problems import Conflict, InvalidInput, InvalidTransition, NotFound
from storage import audit, credit
from storage.db import Connection

NEGATIVE_KINDS = frozenset(
    {
        CreditFactKind.PENALTY,
        CreditFactKind.INSPECTION_FAILED,
        CreditFactKind.COMPLAINT_UPHELD,
        CreditFactKind.COMMITMENT_BROKEN,
    }
)
EFFECTS = {
    (RequestKind.OBJECTION, "record"): CreditRecordState.CORRECTED,
    (RequestKind.REPAIR, "record"): CreditRecordState.REPAIRED,
    (RequestKind.OBJECTION, "entry"): "异议成立",
    (RequestKind.REPAIR, "entry"): "信用修复",
}


def entry_read(row: asyncpg.Record) -> ListEntryRead:
    return msgspec.convert(dict(row), ListEntryRead)


def request_read(row: asyncpg.Record) -> CreditRequestRead:
    return msgspec.convert(dict(row), CreditRequestRead)


async def enter_list(conn: Connection, principal: Principal, data: ListEntryCreate) -> ListEntryRead:
    """列入经营异常名录或黑名单."""
    await visible_subject(conn, principal, data.subject_id)
    id = new_id()
    row = {
        "id": id,
        "subject_id": data.subject_id,
        "department_id": principal.department_id,
        "list": data.list.value,
        "entered_on": data.entered_on,
        "entry_reason": data.reason,
        "entry_basis": data.basis,
        "created_by": principal.user_id,
    }
    if not await credit.insert_list_entry(conn, row=row):
        raise Conflict("该对象已在此名录中", "subject already on this list", code="already-listed")
    await service.regrade(conn, [data.subject_id])
    await audit.append(
        conn, trail.change(principal, "credit.list.enter", "credit_list_entry", id, detail={"list": data.list.value})
    )
    return entry_read(await _entry(conn, id))


async def exit_list(conn: Connection, principal: Principal, id: uuid.UUID, data: ListExit) -> ListEntryRead:
    """移出名录, with the reason kept beside the reason for entry."""
    entry = _own(principal, await _entry(conn, id, lock=True), "名录记录")
    if entry["exited_on"] is not None:
        raise InvalidTransition("该对象已移出名录", "entry already exited")
    if data.exited_on < entry["entered_on"]:
        raise InvalidInput("移出日期不得早于列入日期", "exit before entry")
    await credit.exit_list_entry(conn, id=id, exited_on=data.exited_on, reason=data.reason, exited_by=principal.user_id)
    await service.regrade(conn, [entry["subject_id"]])
    await audit.append(
        conn, trail.change(principal, "credit.list.exit", "credit_list_entry", id, detail={"reason": data.reason})
    )
    return entry_read(await _entry(conn, id))


async def file_request(conn: Connection, principal: Principal, data: CreditRequestCreate) -> CreditRequestRead:
    """受理 an objection or a repair application on a record or list entry of the caller's department."""
    target = await _target(conn, principal, data.record_id, data.list_entry_id)
    _check_target(data, target)
    id = new_id()
    row = msgspec.to_builtins(data, builtin_types=(dt.date, uuid.UUID)) | {
        "id": id,
        "subject_id": target["subject_id"],
        "department_id": target["department_id"],
        "created_by": principal.user_id,
    }
    if not await credit.insert_request(conn, row=row):
        raise Conflict("同一记录已有待办理的同类申请", "an open request of this kind exists", code="request-open")
    await audit.append(conn, trail.change(principal, f"credit.{data.kind}.file", "credit_request", id))
    return request_read(await _request(conn, id))


async def list_requests(conn: Connection, principal: Principal, state: RequestState | None) -> list[CreditRequestRead]:
    """The department's objections and repair requests (异议与信用修复申请), in one state or all."""
    found = await credit.list_requests(conn, department_id=principal.department_scope, subject_id=None, state=state)
    return [request_read(r) for r in found]


async def decide_request(
    conn: Connection, principal: Principal, id: uuid.UUID, decision: CreditRequestDecision
) -> CreditRequestRead:
    """办理: accept or reject; an accepted request takes effect at once (see EFFECTS)."""
    request = _own(principal, await _request(conn, id, lock=True), "申请")
    if request["state"] != RequestState.RECEIVED:
        raise InvalidTransition("该申请已办结", "request already decided")
    state = RequestState.ACCEPTED if decision.accept else RequestState.REJECTED
    await credit.decide_request(conn, id=id, state=state.value, reply=decision.reply, decided_by=principal.user_id)
    if decision.accept:
        await _apply(conn, principal, request, decision.reply)
    await service.regrade(conn, [request["subject_id"]])
    await audit.append(conn, trail.change(principal, f"credit.{request['kind']}.{state}", "credit_request", id))
    return request_read(await _request(conn, id))


async def _apply(conn: Connection, principal: Principal, request: asyncpg.Record, reply: str) -> None:
    kind = RequestKind(request["kind"])
    if request["record_id"] is not None:
        state = EFFECTS[kind, "record"]
        await credit.update_record(conn, id=request["record_id"], changes={"state": state})
        return
    entry = await _entry(conn, request["list_entry_id"], lock=True)
    if entry["exited_on"] is None:
        await credit.exit_list_entry(
            conn,
            id=entry["id"],
            exited_on=max(service.today(), entry["entered_on"]),
            reason=f"{EFFECTS[kind, 'entry']}：{reply}",
            exited_by=principal.user_id,
        )


def _check_target(data: CreditRequestCreate, target: asyncpg.Record) -> None:
    if data.record_id is not None:
        if target["state"] != CreditRecordState.ACTIVE:
            raise InvalidTransition("该信用记录已更正或已修复", "record not active")
        if data.kind is RequestKind.REPAIR:
            _check_repairable(target, data.filed_on)
    elif target["exited_on"] is not None:
        raise InvalidTransition("该对象已移出名录", "entry already exited")


def _check_repairable(record: asyncpg.Record, filed_on: dt.date) -> None:
    if record["kind"] not in NEGATIVE_KINDS:
        raise InvalidInput("只有失信记录可以申请信用修复", "only adverse records can be repaired")
    if record["kind"] == CreditFactKind.PENALTY:
        earliest = add_months(record["decided_on"], 12 if record["serious"] else 3)
        if filed_on < earliest:
            raise Conflict(
                f"行政处罚信息最短公示期未满，{earliest.isoformat()} 起可申请信用修复",
                f"shortest publication period runs until {earliest}",
                code="repair-too-early",
                extra={"earliest": earliest.isoformat()},
            )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, the month's last day when it has no such day."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


async def _target(
    conn: Connection, principal: Principal, record_id: uuid.UUID | None, entry_id: uuid.UUID | None
) -> asyncpg.Record:
    if record_id is not None:
        return await service.own_record(conn, principal, record_id)
    assert entry_id is not None
    return _own(principal, await _entry(conn, entry_id, lock=True), "名录记录")


async def _entry(conn: Connection, id: uuid.UUID, *, lock: bool = False) -> asyncpg.Record:
    found = await credit.get_list_entry(conn, id=id, lock=lock)
    if found is None:
        raise NotFound("名录记录不存在", f"list entry {id} not found")
    return found


async def _request(conn: Connection, id: uuid.UUID, *, lock: bool = False) -> asyncpg.Record:
    found = await credit.get_request(conn, id=id, lock=lock)
    if found is None:
        raise NotFound("申请不存在", f"credit request {id} not found")
    return found


def _own(principal: Principal, row: asyncpg.Record, what: str) -> asyncpg.Record:
    if not principal.can_see_department(row["department_id"]):
        raise NotFound(f"{what}不存在或不属于本单位", f"{row['id']} not in caller's department")
    return row
