"""Rules for credit records, grades and the credit platform deadline (信用监管).

Other domains call ``record_fact`` to add a fact (a random inspection's
result, an upheld complaint, a licence from the approval hand-over) and
``current_grades`` to read grades. A stored grade is recomputed in the
transaction of every change to the subject's facts or lists, and on read
once a fact has aged out of (or come into) its window, so no job is needed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg
import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.credit import grading
from api.subjects.service import new_id, visible_subject
from mobile_contract.credit import (
    PLATFORM_DEADLINE_DAYS,
    PLATFORM_KINDS,
    CreditFactKind,
    CreditGradeRead,
    CreditList,
    CreditProfile,
    CreditRecordCreate,
    CreditRecordRead,
    CreditRequestRead,
    ListEntryRead,
    PlatformReport,
    PlatformStatus,
)
from mobile_contract.problems import Conflict, InvalidInput, NotFound
from storage import audit, credit
from storage.credit import LOCAL_TZ
from storage.db import Connection


def today() -> dt.date:
    """The local date (Asia/Shanghai): deadlines and windows are counted in local days."""
    return dt.datetime.now(LOCAL_TZ).date()


def record_read(row: asyncpg.Record) -> CreditRecordRead:
    return msgspec.convert(dict(row), CreditRecordRead)


async def regrade(conn: Connection, subject_ids: Sequence[uuid.UUID], as_of: dt.date | None = None) -> None:
    """Recompute and store the grade of each subject from its active facts and open list entries."""
    day = as_of or today()
    facts: dict[uuid.UUID, list[grading.Fact]] = {id: [] for id in subject_ids}
    for row in await credit.active_facts(conn, subject_ids=subject_ids):
        facts[row["subject_id"]].append(grading.Fact(CreditFactKind(row["kind"]), row["serious"], row["decided_on"]))
    lists: dict[uuid.UUID, set[CreditList]] = {id: set() for id in subject_ids}
    for row in await credit.open_list_entries(conn, subject_ids=subject_ids):
        lists[row["subject_id"]].add(CreditList(row["list"]))
    for id in subject_ids:
        result = grading.grade(facts[id], lists[id], day)
        await credit.save_grade(
            conn, grade=msgspec.to_builtins(result, builtin_types=(dt.date,)) | {"subject_id": id, "as_of": day}
        )


async def current_grades(conn: Connection, subject_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CreditGradeRead]:
    """信用等级 of each subject today: stored grades, recomputed first where a fact aged out or came into force
    since (``changes_on``), and the baseline for subjects never graded."""
    day = today()
    stored = await credit.current_grades(conn, subject_ids=subject_ids)
    if stale := [id for id, row in stored.items() if row["changes_on"] is not None and row["changes_on"] <= day]:
        await regrade(conn, stale, day)
        stored |= await credit.current_grades(conn, subject_ids=stale)
    return {
        id: msgspec.convert(dict(stored[id]), CreditGradeRead) if id in stored else _baseline(id, day)
        for id in subject_ids
    }


def _baseline(subject_id: uuid.UUID, day: dt.date) -> CreditGradeRead:
    result = grading.grade([], set(), day)
    return CreditGradeRead(
        subject_id=subject_id,
        grade=result.grade,
        score=result.score,
        parts=result.parts,
        as_of=day,
        changes_on=None,
        computed_at=None,
    )


def _platform_due(kind: CreditFactKind, decided_on: dt.date) -> dt.date | None:
    """双公示 deadline: decision day plus 7 natural days (seed 003, 三)."""
    return decided_on + dt.timedelta(days=PLATFORM_DEADLINE_DAYS) if kind in PLATFORM_KINDS else None


async def record_fact(conn: Connection, principal: Principal, data: CreditRecordCreate) -> CreditRecordRead:
    """Add a credit fact about a subject in the caller's register; a repeated source adds nothing."""
    await visible_subject(conn, principal, data.subject_id)
    row = msgspec.to_builtins(data, builtin_types=(dt.date, uuid.UUID)) | {
        "id": new_id(),
        "department_id": principal.department_id,
        "platform_due_on": _platform_due(data.kind, data.decided_on),
        "created_by": principal.user_id,
    }
    if not await credit.insert_record(conn, row=row):
        raise Conflict(
            f"来源 {data.source_kind}/{data.source_id} 已有信用记录，无需重复登记",
            "a credit record from this source exists",
            code="credit-source-recorded",
        )
    await regrade(conn, [data.subject_id])
    await audit.append(
        conn, trail.change(principal, "credit.record", "credit_record", row["id"], detail={"kind": data.kind.value})
    )
    return record_read(await _record(conn, row["id"]))


async def _record(conn: Connection, id: uuid.UUID, *, lock: bool = False) -> asyncpg.Record:
    found = await credit.get_record(conn, id=id, as_of=today(), lock=lock)
    if found is None:
        raise NotFound("信用记录不存在", f"credit record {id} not found")
    return found


async def own_record(conn: Connection, principal: Principal, id: uuid.UUID) -> asyncpg.Record:
    """A credit record of the caller's department, locked for change (admins: any)."""
    found = await _record(conn, id, lock=True)
    if not principal.can_see_department(found["department_id"]):
        raise NotFound("信用记录不存在或不属于本单位", f"credit record {id} not found")
    return found


async def mark_reported(
    conn: Connection, principal: Principal, id: uuid.UUID, report: PlatformReport
) -> CreditRecordRead:
    """Note that the record reached the credit platform (上传信用平台), once."""
    row = await own_record(conn, principal, id)
    if row["platform_due_on"] is None:
        raise Conflict("该类信用记录无需上传信用平台", "not a record for the credit platform", code="not-for-platform")
    if row["reported_at"] is not None:
        raise Conflict("该记录已标记为已上传", "already reported", code="already-reported")
    reported_on = report.reported_at.astimezone(LOCAL_TZ).date()
    if not row["decided_on"] <= reported_on <= today():
        raise InvalidInput("上传时间不得早于决定日期，也不得晚于今天", "reported_at outside decision day .. today")
    await credit.update_record(
        conn, id=id, changes={"reported_at": report.reported_at, "report_receipt": report.receipt}
    )
    await audit.append(
        conn, trail.change(principal, "credit.reported", "credit_record", id, detail={"receipt": report.receipt})
    )
    return record_read(await _record(conn, id))


async def platform_status(
    conn: Connection, principal: Principal, *, due_from: dt.date, due_to: dt.date, as_of: dt.date
) -> PlatformStatus:
    """Penalty and licence records due in the window: late ones, pending ones, and how many were on time."""
    found = [
        record_read(r)
        for r in await credit.platform_records(
            conn, department_id=principal.department_scope, due_from=due_from, due_to=due_to, as_of=as_of
        )
    ]
    return PlatformStatus(
        as_of=as_of,
        deadline_days=PLATFORM_DEADLINE_DAYS,
        on_time=sum(1 for r in found if r.reported_at is not None and not r.late),
        late=[r for r in found if r.late],
        pending=[r for r in found if r.reported_at is None and not r.late],
    )


async def profile(conn: Connection, principal: Principal, subject_id: uuid.UUID) -> CreditProfile:
    """信用档案: everything every department recorded about a subject in the caller's register."""
    await visible_subject(conn, principal, subject_id)
    day = today()
    return CreditProfile(
        grade=(await current_grades(conn, [subject_id]))[subject_id],
        records=[record_read(r) for r in await credit.list_records(conn, subject_id=subject_id, as_of=day)],
        lists=[msgspec.convert(dict(r), ListEntryRead) for r in await credit.list_entries(conn, subject_id=subject_id)],
        requests=[
            msgspec.convert(dict(r), CreditRequestRead)
            for r in await credit.list_requests(conn, department_id=None, subject_id=subject_id, state=None)
        ],
    )


async def read_record(conn: Connection, principal: Principal, id: uuid.UUID) -> CreditRecordRead:
    """A credit record whose subject is in the caller's register."""
    found = await _record(conn, id)
    await visible_subject(conn, principal, found["subject_id"])
    return record_read(found)
