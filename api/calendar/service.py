"""The working calendar the procedure counts on (节假日安排): built from the database, cached per process.

``current`` checks the newest version number on every call (one indexed query; see
bench/calendar_cache.py for its cost) and rebuilds only when it changed, so an import made by
another process, the command line or another API worker, counts from the next request on.

Which days count: a year's days are those of the newest version that covers the year. A notice
may also name days of the December before its year (2019's moved 30–31 December 2018); such a
day counts unless a newer version covers that December's year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import asyncpg
import msgspec

from api.audit import trail
from api.audit.trail import Actor
from api.auth.principal import Principal
from api.calendar import notice
from api.calendar.workdays import DayKind, WorkingCalendar
from mobile_contract.calendar import CalendarDay, CalendarImport, CalendarStatus, CalendarVersionRead
from mobile_contract.problems import NotFound
from storage import audit
from storage import calendar as sql
from storage.db import Connection

NOTICE_MONTH = 11  # the State Council publishes next year's notice in November or December


class _Cache:
    calendar: WorkingCalendar | None = None


_CACHE = _Cache()


async def current(conn: Connection) -> WorkingCalendar:
    """The calendar as the database holds it now; rebuilt only after a new version."""
    cached = _CACHE.calendar
    if cached is None or cached.version != await sql.latest_version(conn):
        cached = _CACHE.calendar = build(await sql.all_versions(conn), await sql.all_days(conn))
    return cached


def build(versions: Sequence[asyncpg.Record], days: Sequence[asyncpg.Record]) -> WorkingCalendar:
    """The days that count, from every version's days (days of versions not listed are left out)."""
    governing: dict[int, int] = {}
    for row in sorted(versions, key=lambda r: r["version"]):
        governing |= dict.fromkeys(row["years"], row["version"])
    listed: dict[int, dict[dt.date, DayKind]] = {}
    for row in days:
        listed.setdefault(row["version"], {})[row["day"]] = DayKind(row["kind"])
    counted = {
        day: kind for year, v in governing.items() for day, kind in listed.get(v, {}).items() if day.year == year
    }
    for v in sorted(set(governing.values())):  # days named outside the version's years; a newer notice wins
        counted |= {day: kind for day, kind in listed.get(v, {}).items() if v > governing.get(day.year, 0)}
    latest = max((r["version"] for r in versions), default=0)
    return WorkingCalendar(version=latest, years=frozenset(governing), days=counted)


async def add_notice(conn: Connection, actor: Principal | Actor, data: CalendarImport) -> CalendarVersionRead:
    """Store a year's notice as the next version (every bad line named in one 422); not yet audited."""
    days = notice.parse(data.year, data.format, data.text)
    version = await sql.add_version(
        conn,
        years=[data.year],
        document_no=data.document_no.strip(),
        title=data.title.strip() or title_of(data.year),
        note=data.note.strip(),
        file_sha256=hashlib.sha256(data.text.encode()).hexdigest(),
        imported_by=actor.user_id,
        days=[(d.day, d.kind.value, d.name) for d in days],
    )
    return await version_read(conn, version)


def title_of(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


async def version_read(conn: Connection, version: int) -> CalendarVersionRead:
    found = [v for v in await versions(conn) if v.version == version]
    if not found:
        raise NotFound(f"没有第 {version} 版节假日安排", f"calendar version {version} not found")
    return found[0]


async def versions(conn: Connection) -> list[CalendarVersionRead]:
    return [msgspec.convert(dict(r), CalendarVersionRead) for r in await sql.all_versions(conn)]


async def version_days(conn: Connection, version: int) -> list[CalendarDay]:
    await version_read(conn, version)
    rows = await sql.version_days(conn, version=version)
    return [CalendarDay(date=r["day"], kind=r["kind"], name=r["name"]) for r in rows]


def audit_entry(actor: Principal | Actor, read: CalendarVersionRead, changed: int) -> audit.AuditEntry:
    """``calendar.import``: who loaded which document for which year, and how many deadlines it moved."""
    detail = {
        "years": read.years,
        "document_no": read.document_no,
        "title": read.title,
        "note": read.note,
        "days": read.days,
        "deadlines_changed": changed,
    }
    return trail.entry(
        actor,
        action="calendar.import",
        entity_type="calendar_version",
        entity_id=str(read.version),
        department_id=None,
        after_hash=read.file_sha256,
        detail=detail,
    )


async def status(conn: Connection, today: dt.date) -> CalendarStatus:
    calendar = await current(conn)
    missing = missing_years(calendar, today)
    return CalendarStatus(
        today=today,
        years=sorted(calendar.years),
        missing=missing,
        warning=warning(missing),
        versions=await versions(conn),
    )


def missing_years(calendar: WorkingCalendar, today: dt.date) -> list[int]:
    """This year, and from 1 November next year, when their notice is not loaded."""
    wanted = [today.year, today.year + 1] if today.month >= NOTICE_MONTH else [today.year]
    return [year for year in wanted if year not in calendar.years]


def warning(missing: Sequence[int]) -> str:
    if not missing:
        return ""
    years = "、".join(str(y) for y in missing)
    return (
        f"尚未导入 {years} 年的节假日安排：进入该年的工作日期限将无法计算（告知等步骤会被拒绝）。"
        "国务院办公厅通常在 11–12 月发布次年放假通知，发布后请管理员导入"
        "（enforce calendar import 或 POST /calendar/versions）"
    )
