"""SQL for vision nodes and camera leases (摄像头分析租约): who runs which camera, until when.

A lease is one row per camera of an active site. A node renews the leases it holds and claims free
ones (never held, released, or expired) with ``FOR UPDATE SKIP LOCKED``, so two nodes claiming at once
take different cameras and neither waits for the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from storage.db import Connection

# the cameras of a department's active sites, as their current configs list them
ACTIVE_CAMERAS = (
    "SELECT s.id AS site_id, c ->> 'id' AS camera_id FROM sites s"
    " CROSS JOIN LATERAL jsonb_array_elements(s.config -> 'cameras') AS c WHERE s.department_id = $1 AND s.active"
)
LEASE_COLUMNS = "l.site_id, l.camera_id, l.generation, l.acquired_at, l.expires_at"


async def register_node(
    conn: Connection, *, department_id: uuid.UUID, node: str, user_id: uuid.UUID, max_streams: int, lease_s: float
) -> None:
    """The node is alive for one more lease period, with the capacity it declares now."""
    await conn.execute(
        "INSERT INTO vision_nodes (department_id, node, user_id, max_streams, expires_at)"
        " VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))"
        " ON CONFLICT (department_id, node) DO UPDATE SET user_id = EXCLUDED.user_id,"
        " max_streams = EXCLUDED.max_streams, seen_at = now(), expires_at = EXCLUDED.expires_at",
        department_id,
        node,
        user_id,
        max_streams,
        lease_s,
    )


async def materialise(conn: Connection, *, department_id: uuid.UUID) -> None:
    """A lease row for every camera of the department's active sites (new cameras start free)."""
    await conn.execute(
        f"INSERT INTO camera_leases (site_id, camera_id, department_id) SELECT site_id, camera_id, $1"  # noqa: S608
        f" FROM ({ACTIVE_CAMERAS}) AS a ON CONFLICT (site_id, camera_id) DO NOTHING",
        department_id,
    )


async def camera_count(conn: Connection, *, department_id: uuid.UUID) -> int:
    """The cameras of the department's active sites."""
    count = await conn.fetchval(f"SELECT count(*) FROM ({ACTIVE_CAMERAS}) AS a", department_id)  # noqa: S608
    return int(count)


async def live_nodes(conn: Connection, *, department_id: uuid.UUID) -> dict[str, int]:
    """Node name → declared capacity, of the nodes alive now."""
    rows = await conn.fetch(
        "SELECT node, max_streams FROM vision_nodes WHERE department_id = $1 AND expires_at > now()", department_id
    )
    return {row["node"]: row["max_streams"] for row in rows}


async def renew(
    conn: Connection,
    *,
    department_id: uuid.UUID,
    node: str,
    held: Sequence[tuple[str, str, int]],
    lease_s: float,
) -> list[asyncpg.Record]:
    """Extend the leases this node still holds (same generation, camera still active), oldest first."""
    return await conn.fetch(
        f"UPDATE camera_leases l SET expires_at = now() + make_interval(secs => $6)"  # noqa: S608
        " FROM unnest($3::text[], $4::text[], $5::bigint[]) AS h (site_id, camera_id, generation)"
        " WHERE l.department_id = $1 AND l.node = $2 AND l.site_id = h.site_id AND l.camera_id = h.camera_id"
        " AND l.generation = h.generation"
        f" AND (l.site_id, l.camera_id) IN (SELECT site_id, camera_id FROM ({ACTIVE_CAMERAS}) AS a)"
        f" RETURNING {LEASE_COLUMNS}",
        department_id,
        node,
        [h[0] for h in held],
        [h[1] for h in held],
        [h[2] for h in held],
        lease_s,
    )


async def release_others(
    conn: Connection, *, department_id: uuid.UUID, node: str, keep: Sequence[tuple[str, str]]
) -> int:
    """Free the node's leases it no longer runs (it stopped them, or the camera was removed)."""
    result = await conn.execute(
        "UPDATE camera_leases SET node = NULL, expires_at = now() WHERE department_id = $1 AND node = $2"
        " AND (site_id, camera_id) NOT IN (SELECT * FROM unnest($3::text[], $4::text[]))",
        department_id,
        node,
        [k[0] for k in keep],
        [k[1] for k in keep],
    )
    return int(result.split()[-1])


async def claim(
    conn: Connection, *, department_id: uuid.UUID, node: str, count: int, lease_s: float
) -> list[asyncpg.Record]:
    """Take up to ``count`` free leases (never held, released or expired); locked rows are skipped."""
    if count <= 0:
        return []
    return await conn.fetch(
        "WITH free AS (SELECT l.site_id, l.camera_id FROM camera_leases l"  # noqa: S608
        " WHERE l.department_id = $1 AND (l.node IS NULL OR l.expires_at IS NULL OR l.expires_at < now())"
        f" AND (l.site_id, l.camera_id) IN (SELECT site_id, camera_id FROM ({ACTIVE_CAMERAS}) AS a)"
        " ORDER BY l.expires_at NULLS FIRST, l.site_id, l.camera_id LIMIT $3 FOR UPDATE SKIP LOCKED)"
        " UPDATE camera_leases l SET node = $2, generation = l.generation + 1, acquired_at = now(),"
        " expires_at = now() + make_interval(secs => $4) FROM free"
        f" WHERE l.site_id = free.site_id AND l.camera_id = free.camera_id RETURNING {LEASE_COLUMNS}",
        department_id,
        node,
        count,
        lease_s,
    )


async def leases_of(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    """Every lease of the department (all departments for None) with its node, for the health board."""
    return await conn.fetch(
        f"SELECT l.node, {LEASE_COLUMNS} FROM camera_leases l"  # noqa: S608
        " WHERE ($1::uuid IS NULL OR l.department_id = $1) AND l.node IS NOT NULL AND l.expires_at > now()",
        department_id,
    )


async def site_configs(conn: Connection, *, site_ids: Sequence[str]) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT id, config FROM sites WHERE id = ANY($1::text[])", list(site_ids))
