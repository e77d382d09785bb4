"""SQL for risk signals per subject and the per-department performance figures (监管的监管)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg

from storage.credit import LOCAL_TZ
from storage.db import Connection


def local_days(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) instants of the local (Asia/Shanghai) days ``first`` to ``last``."""
    return dt.datetime.combine(first, dt.time(), LOCAL_TZ), dt.datetime.combine(
        last + dt.timedelta(days=1), dt.time(), LOCAL_TZ
    )


async def credit_signals(
    conn: Connection, *, subject_ids: Sequence[uuid.UUID], since: dt.date, until: dt.date
) -> list[asyncpg.Record]:
    """(subject_id, kind, n): active penalties and upheld complaints decided in [since, until]."""
    return await conn.fetch(
        "SELECT subject_id, kind, count(*) AS n FROM credit_records WHERE subject_id = ANY($1::uuid[])"
        " AND state = 'active' AND kind IN ('penalty', 'complaint_upheld') AND decided_on BETWEEN $2 AND $3"
        " GROUP BY subject_id, kind",
        list(subject_ids),
        since,
        until,
    )


async def alert_signals(
    conn: Connection, *, subject_ids: Sequence[uuid.UUID], since: dt.datetime, kinds: Sequence[str]
) -> dict[uuid.UUID, int]:
    """Camera alerts since ``since`` at sites whose permitted-area zones name one of the subject's permits.

    Alerts closed as no violation, false alarm or device fault do not count against the subject.
    """
    rows = await conn.fetch(
        "WITH site_subjects AS ("
        "  SELECT DISTINCT s.id AS site_id, p.subject_id FROM sites s"
        "  CROSS JOIN LATERAL jsonb_path_query(s.config,"
        "    '$.cameras[*].zones[*] ? (@.kind == \"permitted\").permit_no') AS z(permit_no)"
        "  JOIN mining_permits p ON p.permit_no = z.permit_no #>> '{}'"
        "  WHERE p.subject_id = ANY($1::uuid[]))"
        " SELECT ss.subject_id, count(*) AS n FROM alerts a JOIN site_subjects ss ON ss.site_id = a.site_id"
        " WHERE a.started_at >= $2 AND a.kind = ANY($3::text[])"
        " AND (a.state <> 'closed' OR a.outcome = 'violation_confirmed') GROUP BY ss.subject_id",
        list(subject_ids),
        since,
        list(kinds),
    )
    return {r["subject_id"]: r["n"] for r in rows}


async def departments(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    """One department, or every department for None."""
    return await conn.fetch(
        "SELECT id, code, name FROM departments WHERE $1::uuid IS NULL OR id = $1 ORDER BY code",
        department_id,
    )


async def items_in_force(
    conn: Connection, *, department_id: uuid.UUID, period_from: dt.date, period_to: dt.date
) -> list[asyncpg.Record]:
    """(code, name, records): the department's items in force in the period and its supervision records on each.

    In force: not withdrawn before the period began (a duty exists by law, not from the day the item
    was typed in). Records count when they are the department's own (seed 003: each department's
    items need its own records).
    """
    return await conn.fetch(
        "SELECT c.code, c.content->>'name' AS name, (SELECT count(*) FROM records r"
        "  WHERE r.department_id = c.department_id AND r.item_code = c.code"
        "  AND r.occurred_at >= $2 AND r.occurred_at < $3) AS records"
        " FROM catalogue_items c WHERE c.department_id = $1"
        " AND (c.content->>'withdrawn_on' IS NULL OR (c.content->>'withdrawn_on')::date >= $4) ORDER BY c.code",
        department_id,
        *local_days(period_from, period_to),
        period_from,
    )


async def alerts_not_handled(
    conn: Connection, *, department_id: uuid.UUID, period_from: dt.date, period_to: dt.date
) -> list[asyncpg.Record]:
    """The department's alerts that started in the period and are not closed with feedback."""
    return await conn.fetch(
        "SELECT id, site_id, kind, state, started_at FROM alerts WHERE department_id = $1 AND state <> 'closed'"
        " AND started_at >= $2 AND started_at < $3 ORDER BY started_at, id",
        department_id,
        *local_days(period_from, period_to),
    )
