"""SQL of the alert statistics (预警统计): counts per camera of the alerts started in a period."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from storage.db import Connection
from storage.risk import local_days


async def per_camera(
    conn: Connection, *, department_id: uuid.UUID | None, period_from: dt.date, period_to: dt.date
) -> list[asyncpg.Record]:
    """(site, camera, alerts, open, outcome counts) of the alerts that started in the local days given."""
    return await conn.fetch(
        "SELECT site_id, camera_id, count(*) AS alerts, count(*) FILTER (WHERE state <> 'closed') AS open,"
        " count(*) FILTER (WHERE outcome = 'violation_confirmed') AS violation_confirmed,"
        " count(*) FILTER (WHERE outcome = 'no_violation') AS no_violation,"
        " count(*) FILTER (WHERE outcome = 'false_alarm') AS false_alarm,"
        " count(*) FILTER (WHERE outcome = 'device_fault') AS device_fault"
        " FROM alerts WHERE ($1::uuid IS NULL OR department_id = $1) AND started_at >= $2 AND started_at < $3"
        " GROUP BY site_id, camera_id ORDER BY site_id, camera_id",
        department_id,
        *local_days(period_from, period_to),
    )
