"""SQL for the unwatched-camera watchdog (无人分析监测): which cameras no node has reported lately.

One sweep runs at a time across every API process: the sweep's transaction takes a transaction-level
advisory lock and a process that does not get it skips that round.
"""

from __future__ import annotations

import uuid

import asyncpg

from storage.db import Connection

SWEEP_LOCK_KEY = 0x63616D77  # "camw"


async def take_sweep(conn: Connection) -> bool:
    """True for the one transaction that may sweep now (released at its commit or rollback)."""
    value: bool = await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", SWEEP_LOCK_KEY)
    return value


async def know_cameras(conn: Connection, *, department_id: uuid.UUID | None) -> None:
    """Start the clock for cameras of active sites the watchdog has not seen before (None: every department)."""
    await conn.execute(
        "INSERT INTO camera_watch (site_id, camera_id, department_id)"
        " SELECT s.id, c ->> 'id', s.department_id FROM sites s"
        " CROSS JOIN LATERAL jsonb_array_elements(s.config -> 'cameras') AS c"
        " WHERE s.active AND ($1::uuid IS NULL OR s.department_id = $1)"
        " ON CONFLICT (site_id, camera_id) DO NOTHING",
        department_id,
    )


async def judged(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    """Every camera the watchdog knows: still active or not, when last reported, its open alert, its threshold.

    ``watched_since`` is the last report received, or when the watchdog started watching the camera (its site
    registered or reactivated) if that is later: a report from before a deactivation does not count.
    """
    return await conn.fetch(
        "SELECT w.site_id, w.camera_id, w.department_id, w.alert_id, w.alert_revision, c.config AS camera,"
        " l.received_at AS reported_at, l.node, greatest(l.received_at, w.first_seen_at) AS watched_since,"
        " now() AS now, (c.config IS NOT NULL) AS active"
        " FROM camera_watch w"
        " LEFT JOIN LATERAL (SELECT cam AS config FROM sites s"
        " CROSS JOIN LATERAL jsonb_array_elements(s.config -> 'cameras') AS cam"
        " WHERE s.id = w.site_id AND s.active AND cam ->> 'id' = w.camera_id) AS c ON true"
        " LEFT JOIN camera_liveness l ON l.site_id = w.site_id AND l.camera_id = w.camera_id"
        " WHERE (c.config IS NOT NULL OR w.alert_id IS NOT NULL) AND ($1::uuid IS NULL OR w.department_id = $1)",
        department_id,
    )


async def set_alert(
    conn: Connection, *, site_id: str, camera_id: str, alert_id: uuid.UUID | None, revision: int | None
) -> None:
    await conn.execute(
        "UPDATE camera_watch SET alert_id = $3, alert_revision = $4 WHERE site_id = $1 AND camera_id = $2",
        site_id,
        camera_id,
        alert_id,
        revision,
    )


async def forget_inactive(conn: Connection) -> None:
    """Cameras no longer run (site deactivated, camera removed) and without an open alert start afresh later."""
    await conn.execute(
        "DELETE FROM camera_watch w WHERE w.alert_id IS NULL AND NOT EXISTS (SELECT 1 FROM sites s"
        " CROSS JOIN LATERAL jsonb_array_elements(s.config -> 'cameras') AS cam"
        " WHERE s.id = w.site_id AND s.active AND cam ->> 'id' = w.camera_id)"
    )
