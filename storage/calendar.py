"""SQL of the working calendar (节假日安排): numbered versions, each the days of the years it covers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg

from storage.db import Connection


async def latest_version(conn: Connection) -> int:
    """The newest version's number (0 when none): what a cached calendar is checked against."""
    value: int = await conn.fetchval("SELECT coalesce(max(version), 0) FROM calendar_versions")
    return value


async def all_versions(conn: Connection) -> list[asyncpg.Record]:
    """Every version without its days, newest first."""
    return await conn.fetch(
        "SELECT version, source, years, document_no, title, note, file_sha256, imported_by, imported_at,"
        " (SELECT count(*) FROM calendar_days d WHERE d.version = v.version) AS days"
        " FROM calendar_versions v ORDER BY version DESC"
    )


async def all_days(conn: Connection) -> list[asyncpg.Record]:
    """Every version's days (version, day, kind, name): the service works out which version governs each."""
    return await conn.fetch("SELECT version, day, kind, name FROM calendar_days ORDER BY version, day")


async def version_days(conn: Connection, *, version: int) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT day, kind, name FROM calendar_days WHERE version = $1 ORDER BY day", version)


async def add_version(
    conn: Connection,
    *,
    years: Sequence[int],
    document_no: str,
    title: str,
    note: str,
    file_sha256: str,
    imported_by: uuid.UUID | None,
    days: Sequence[tuple[dt.date, str, str]],
) -> int:
    """Store the next version (numbers have no gaps: the table is locked until commit) with its days."""
    await conn.execute("LOCK TABLE calendar_versions IN EXCLUSIVE MODE")
    version: int = await conn.fetchval(
        "INSERT INTO calendar_versions (version, source, years, document_no, title, note, file_sha256, imported_by)"
        " SELECT coalesce(max(version), 0) + 1, 'notice', $1, $2, $3, $4, $5, $6 FROM calendar_versions"
        " RETURNING version",
        list(years),
        document_no,
        title,
        note,
        file_sha256,
        imported_by,
    )
    await conn.copy_records_to_table(
        "calendar_days", records=[(version, *d) for d in days], columns=("version", "day", "kind", "name")
    )
    return version
