"""SQL for credit supervision (信用监管): records, lists, objections and repairs, grades.

Other domains should read grades through ``api.credit.service.current_grades``,
which refreshes grades whose facts aged out and gives the baseline to subjects
never graded; ``current_grades`` here is the stored row only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from storage import rows
from storage.db import Connection

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # deadlines and periods are counted in local days
LOCAL_DATE = "(reported_at AT TIME ZONE 'Asia/Shanghai')::date"
RECORD_COLUMNS = (
    "id, subject_id, department_id, kind, serious, decided_on, summary, document_no, source_kind, source_id, state,"
    " platform_due_on, reported_at, report_receipt, created_at,"
    f" platform_due_on IS NOT NULL AND coalesce({LOCAL_DATE}, $0::date) > platform_due_on AS late"
)


def _record_columns(as_of_param: str) -> str:
    """Columns of a credit record; ``late`` judged against the date in ``as_of_param`` when not yet reported."""
    return RECORD_COLUMNS.replace("$0", as_of_param)


async def insert_record(conn: Connection, *, row: dict[str, Any]) -> bool:
    """Insert unless a record from the same source exists; True when inserted."""
    return await rows.insert(
        conn,
        table="credit_records",
        row=row,
        on_conflict="ON CONFLICT (source_kind, source_id) WHERE source_kind <> 'manual' DO NOTHING",
    )


async def get_record(conn: Connection, *, id: uuid.UUID, as_of: dt.date, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {_record_columns('$2')} FROM credit_records WHERE id = $1" + (" FOR UPDATE" if lock else ""),  # noqa: S608
        id,
        as_of,
    )


async def list_records(conn: Connection, *, subject_id: uuid.UUID, as_of: dt.date) -> list[asyncpg.Record]:
    """Every credit record of the subject, from every department, newest first."""
    return await conn.fetch(
        f"SELECT {_record_columns('$2')} FROM credit_records WHERE subject_id = $1"  # noqa: S608
        " ORDER BY decided_on DESC, created_at DESC",
        subject_id,
        as_of,
    )


async def update_record(conn: Connection, *, id: uuid.UUID, changes: dict[str, Any]) -> None:
    await rows.update(conn, table="credit_records", id=id, changes=changes, also="updated_at = now()")


async def active_facts(conn: Connection, *, subject_ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    """What the grade is computed from: each subject's active records (kind, serious, decided_on)."""
    return await conn.fetch(
        "SELECT subject_id, kind, serious, decided_on FROM credit_records"
        " WHERE subject_id = ANY($1::uuid[]) AND state = 'active'",
        list(subject_ids),
    )


async def platform_records(
    conn: Connection, *, department_id: uuid.UUID | None, due_from: dt.date, due_to: dt.date, as_of: dt.date
) -> list[asyncpg.Record]:
    """双公示 records whose platform deadline falls in [due_from, due_to]."""
    return await conn.fetch(
        f"SELECT {_record_columns('$4')} FROM credit_records"  # noqa: S608
        " WHERE ($1::uuid IS NULL OR department_id = $1) AND platform_due_on BETWEEN $2 AND $3"
        " ORDER BY platform_due_on, id",
        department_id,
        due_from,
        due_to,
        as_of,
    )


LIST_COLUMNS = (
    "id, subject_id, department_id, list, entered_on, entry_reason, entry_basis, exited_on, exit_reason, created_at"
)


async def insert_list_entry(conn: Connection, *, row: dict[str, Any]) -> bool:
    """False when the subject is already on that list (one open entry per list)."""
    return await rows.insert(
        conn,
        table="credit_list_entries",
        row=row,
        on_conflict="ON CONFLICT (subject_id, list) WHERE exited_on IS NULL DO NOTHING",
    )


async def get_list_entry(conn: Connection, *, id: uuid.UUID, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {LIST_COLUMNS} FROM credit_list_entries WHERE id = $1" + (" FOR UPDATE" if lock else ""),  # noqa: S608
        id,
    )


async def list_entries(conn: Connection, *, subject_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {LIST_COLUMNS} FROM credit_list_entries WHERE subject_id = $1 ORDER BY entered_on, created_at",  # noqa: S608
        subject_id,
    )


async def open_list_entries(conn: Connection, *, subject_ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    """Entries not yet exited: who is on the abnormal list or blacklist now."""
    return await conn.fetch(
        f"SELECT {LIST_COLUMNS} FROM credit_list_entries"  # noqa: S608
        " WHERE subject_id = ANY($1::uuid[]) AND exited_on IS NULL",
        list(subject_ids),
    )


async def exit_list_entry(
    conn: Connection, *, id: uuid.UUID, exited_on: dt.date, reason: str, exited_by: uuid.UUID
) -> None:
    await conn.execute(
        "UPDATE credit_list_entries SET exited_on = $2, exit_reason = $3, exited_by = $4 WHERE id = $1",
        id,
        exited_on,
        reason,
        exited_by,
    )


REQUEST_COLUMNS = (
    "id, kind, subject_id, department_id, record_id, list_entry_id, applicant, filed_on, statement, state, reply,"
    " decided_by, decided_at"
)


async def insert_request(conn: Connection, *, row: dict[str, Any]) -> bool:
    """False when the same kind of request on the same target is already open."""
    return await rows.insert(
        conn,
        table="credit_requests",
        row=row,
        on_conflict="ON CONFLICT (kind, coalesce(record_id, list_entry_id)) WHERE state = 'received' DO NOTHING",
    )


async def get_request(conn: Connection, *, id: uuid.UUID, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {REQUEST_COLUMNS} FROM credit_requests WHERE id = $1" + (" FOR UPDATE" if lock else ""),  # noqa: S608
        id,
    )


async def list_requests(
    conn: Connection, *, department_id: uuid.UUID | None, subject_id: uuid.UUID | None, state: str | None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {REQUEST_COLUMNS} FROM credit_requests WHERE ($1::uuid IS NULL OR department_id = $1)"  # noqa: S608
        " AND ($2::uuid IS NULL OR subject_id = $2) AND ($3::text IS NULL OR state = $3) ORDER BY filed_on, id",
        department_id,
        subject_id,
        state,
    )


async def decide_request(conn: Connection, *, id: uuid.UUID, state: str, reply: str, decided_by: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE credit_requests SET state = $2, reply = $3, decided_by = $4, decided_at = now() WHERE id = $1",
        id,
        state,
        reply,
        decided_by,
    )


GRADE_COLUMNS = "subject_id, grade, score, parts, as_of, changes_on, computed_at"


async def save_grade(conn: Connection, *, grade: dict[str, Any]) -> None:
    """Store a subject's freshly computed grade (subject_id, grade, score, parts, as_of, changes_on)."""
    await rows.insert(
        conn,
        table="credit_grades",
        row=grade,
        on_conflict="ON CONFLICT (subject_id) DO UPDATE SET grade = excluded.grade, score = excluded.score,"
        " parts = excluded.parts, as_of = excluded.as_of, changes_on = excluded.changes_on, computed_at = now()",
    )


async def current_grades(conn: Connection, *, subject_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
    """The stored grade of each subject that has one (columns: GRADE_COLUMNS)."""
    found = await conn.fetch(
        f"SELECT {GRADE_COLUMNS} FROM credit_grades WHERE subject_id = ANY($1::uuid[])",  # noqa: S608
        list(subject_ids),
    )
    return {r["subject_id"]: r for r in found}


async def uncollected_penalties(conn: Connection, *, department_id: uuid.UUID) -> list[asyncpg.Record]:
    """The department's penalty records (行政处罚) that no credit record was taken from yet."""
    return await conn.fetch(
        "SELECT r.id, r.occurred_at, r.content FROM records r WHERE r.kind = 'penalty' AND r.department_id = $1"
        " AND NOT EXISTS (SELECT 1 FROM credit_records c WHERE c.source_kind = 'record' AND c.source_id = r.id::text)"
        " ORDER BY r.occurred_at, r.id",
        department_id,
    )
