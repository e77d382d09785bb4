"""SQL for camera liveness (摄像头运行状态) and the per-camera alert counts of the health board."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.db import Connection

LIVENESS_COLUMNS = (
    "site_id, camera_id, node, frames_analysed, analysis_hz, lag_s, detector_ms, last_frame_at, node_time, received_at"
)


async def unregistered(
    conn: Connection, *, department_id: uuid.UUID, cameras: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The (site, camera) pairs that no config version of a site of this department lists."""
    rows = await conn.fetch(
        "SELECT p.site_id, p.camera_id FROM unnest($2::text[], $3::text[]) AS p (site_id, camera_id)"
        " WHERE NOT EXISTS (SELECT 1 FROM sites s JOIN site_versions v ON v.site_id = s.id"
        " WHERE s.id = p.site_id AND s.department_id = $1"
        " AND v.config -> 'cameras' @> jsonb_build_array(jsonb_build_object('id', p.camera_id)))",
        department_id,
        [site for site, _ in cameras],
        [camera for _, camera in cameras],
    )
    return [(r["site_id"], r["camera_id"]) for r in rows]


async def upsert_liveness(
    conn: Connection,
    *,
    department_id: uuid.UUID,
    node: str,
    user_id: uuid.UUID,
    node_time: dt.datetime,
    cameras: Sequence[Any],
) -> None:
    """Keep each camera's latest report (``cameras``: CameraLiveness); received_at is the server's now()."""
    await conn.executemany(
        "INSERT INTO camera_liveness (site_id, camera_id, department_id, node, reported_by, frames_analysed,"
        " analysis_hz, lag_s, detector_ms, last_frame_at, node_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11) ON CONFLICT (site_id, camera_id) DO UPDATE SET department_id = EXCLUDED.department_id,"
        " node = EXCLUDED.node, reported_by = EXCLUDED.reported_by, frames_analysed = EXCLUDED.frames_analysed,"
        " analysis_hz = EXCLUDED.analysis_hz, lag_s = EXCLUDED.lag_s, detector_ms = EXCLUDED.detector_ms,"
        " last_frame_at = EXCLUDED.last_frame_at, node_time = EXCLUDED.node_time, received_at = now()",
        [(c.site_id, c.camera_id, department_id, node, user_id, *_measures(c), node_time) for c in cameras],
    )


def _measures(camera: Any) -> tuple[Any, ...]:
    return camera.frames_analysed, camera.analysis_hz, camera.lag_s, camera.detector_ms, camera.last_frame_at


async def liveness_of(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {LIVENESS_COLUMNS} FROM camera_liveness WHERE $1::uuid IS NULL OR department_id = $1",  # noqa: S608
        department_id,
    )


async def open_alerts_by_camera(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    """Per camera: alerts not closed, and the camera-fault kinds among them (遮挡、离线 …)."""
    return await conn.fetch(
        "SELECT site_id, camera_id, count(*) AS open_alerts,"
        " coalesce(array_agg(DISTINCT kind) FILTER (WHERE kind LIKE 'camera\\_%'), '{}') AS tamper_kinds"
        " FROM alerts WHERE ($1::uuid IS NULL OR department_id = $1) AND state <> 'closed'"
        " GROUP BY site_id, camera_id",
        department_id,
    )
