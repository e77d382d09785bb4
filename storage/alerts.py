"""SQL for vision alerts (预警): revisions, the current state, evidence media and the change feed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.db import Connection

ALERT_COLUMNS = (
    "id, department_id, site_id, camera_id, revision, kind, severity, started_at, last_seen_at, ended_at,"
    " summary, detail, model, state, created_at, updated_at, acknowledged_at, acknowledged_by, acknowledge_note,"
    " dispatched_at, dispatched_by, inspector_id, dispatch_note, closed_at, closed_by, outcome, feedback, task_id,"
    " result, handover"
)
MEDIA_COLUMNS = (
    "id, kind, object_key, sha256, size, media_type, verification, checked_at, revision, stream, width, height"
)
HANDLING_COLUMNS = frozenset(
    {
        "acknowledged_at",
        "acknowledged_by",
        "acknowledge_note",
        "dispatched_at",
        "dispatched_by",
        "inspector_id",
        "dispatch_note",
        "closed_at",
        "closed_by",
        "outcome",
        "feedback",
        "task_id",
    }
)
EVENTS_LOCK_KEY = 0x616C6576  # "alev": makes alert_events ids visible in commit order
# the lease generation a node raised the alert under; NULL unless a whole number (a node's detail is free-form,
# and one bad value must not break the sweep: CASE decides before the cast is tried)
RAISED_UNDER = (
    "(CASE WHEN jsonb_typeof(a.detail -> 'lease_generation') = 'number'"
    " AND (a.detail ->> 'lease_generation')::numeric = trunc((a.detail ->> 'lease_generation')::numeric)"
    " THEN (a.detail ->> 'lease_generation')::numeric END)"
)


async def department_of(conn: Connection, *, id: uuid.UUID) -> uuid.UUID | None:
    value: uuid.UUID | None = await conn.fetchval("SELECT department_id FROM alerts WHERE id = $1", id)
    return value


async def revision_sha256(conn: Connection, *, alert_id: uuid.UUID, revision: int) -> str | None:
    value: str | None = await conn.fetchval(
        "SELECT content_sha256 FROM alert_revisions WHERE alert_id = $1 AND revision = $2", alert_id, revision
    )
    return value


async def revision_content(conn: Connection, *, alert_id: uuid.UUID, revision: int) -> Any:
    return await conn.fetchval(
        "SELECT content FROM alert_revisions WHERE alert_id = $1 AND revision = $2", alert_id, revision
    )


async def insert_revision(
    conn: Connection,
    *,
    alert_id: uuid.UUID,
    revision: int,
    content: Any,
    content_sha256: str,
    user_id: uuid.UUID | None,
) -> bool:
    """Store one delivery; False when this (id, revision) is already stored.

    ON CONFLICT makes concurrent duplicates wait for the first and then do nothing,
    so however many arrive at once, one row is written. ``user_id`` None: raised by the API itself.
    """
    inserted = await conn.fetchval(
        "INSERT INTO alert_revisions (alert_id, revision, content, content_sha256, received_by)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (alert_id, revision) DO NOTHING RETURNING true",
        alert_id,
        revision,
        content,
        content_sha256,
        user_id,
    )
    return bool(inserted)


async def upsert_current(conn: Connection, *, department_id: uuid.UUID, alert: Any) -> bool | None:
    """Make ``alert`` (an AlertUpsert) the current state unless a higher revision is stored.

    Returns True when the alert was created, False when updated, None when the
    stored revision is higher or the API ended the alert at a hand-over (a late
    delivery: kept in history only, never reopening it).
    """
    value: bool | None = await conn.fetchval(
        "INSERT INTO alerts (id, department_id, site_id, camera_id, revision, kind, severity, started_at,"
        " last_seen_at, ended_at, summary, detail, model)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        " ON CONFLICT (id) DO UPDATE SET site_id = EXCLUDED.site_id, camera_id = EXCLUDED.camera_id,"
        " revision = EXCLUDED.revision, kind = EXCLUDED.kind, severity = EXCLUDED.severity,"
        " started_at = EXCLUDED.started_at, last_seen_at = EXCLUDED.last_seen_at, ended_at = EXCLUDED.ended_at,"
        " summary = EXCLUDED.summary, detail = EXCLUDED.detail, model = EXCLUDED.model, updated_at = now()"
        " WHERE alerts.revision < EXCLUDED.revision AND alerts.department_id = EXCLUDED.department_id"
        " AND alerts.handover IS NULL"
        " RETURNING (xmax = 0)",  # xmax is 0 on a freshly inserted row, set on an updated one
        alert.id,
        department_id,
        alert.site_id,
        alert.camera_id,
        alert.revision,
        alert.kind,
        alert.severity,
        alert.started_at,
        alert.last_seen_at,
        alert.ended_at,
        alert.summary,
        alert.detail,
        alert.model,
    )
    return value


async def get(
    conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None, for_update: bool = False
) -> asyncpg.Record | None:
    """One alert; ``department_id`` None reads across departments (admins)."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1 AND ($2::uuid IS NULL OR department_id = $2){lock}",  # noqa: S608
        id,
        department_id,
    )


async def set_handling(conn: Connection, *, id: uuid.UUID, state: str, **columns: Any) -> asyncpg.Record:
    """Move the alert to ``state`` and set the operator's handling columns (who, when, what)."""
    if unknown := set(columns) - HANDLING_COLUMNS:
        raise ValueError(f"not handling columns: {unknown}")
    names = list(columns)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
    row = await conn.fetchrow(
        f"UPDATE alerts SET state = $2, updated_at = now(), {assignments} WHERE id = $1 RETURNING {ALERT_COLUMNS}",  # noqa: S608
        id,
        state,
        *(columns[n] for n in names),
    )
    assert row is not None  # the caller holds the alert row locked
    return row


async def set_result(conn: Connection, *, id: uuid.UUID, result: Any) -> asyncpg.Record:
    """Keep the inspector's result on the alert (核查结果反馈); the handling state does not change."""
    row = await conn.fetchrow(
        f"UPDATE alerts SET result = $2, updated_at = now() WHERE id = $1 RETURNING {ALERT_COLUMNS}",  # noqa: S608
        id,
        result,
    )
    assert row is not None  # the caller holds the alert row locked
    return row


async def latest_verified_snapshot(conn: Connection, *, alert_id: uuid.UUID) -> asyncpg.Record | None:
    """The newest snapshot whose stored hash the server confirmed (the picture sent with a dispatch)."""
    return await conn.fetchrow(
        f"SELECT {MEDIA_COLUMNS} FROM alert_media WHERE alert_id = $1 AND kind = 'snapshot'"  # noqa: S608
        " AND verification = 'verified' ORDER BY revision DESC, id DESC LIMIT 1",
        alert_id,
    )


async def list_page(
    conn: Connection,
    *,
    department_id: uuid.UUID | None,
    filters: dict[str, Any],
    after: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest first; ``filters`` holds state, kind, severity, site_id, camera_id, since (changed since),
    started_from and started_to (each None for any)."""
    after_created, after_id = after or (None, None)
    return await conn.fetch(
        f"SELECT {ALERT_COLUMNS} FROM alerts WHERE ($1::uuid IS NULL OR department_id = $1)"  # noqa: S608
        " AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR kind = $3)"
        " AND ($4::text IS NULL OR site_id = $4) AND ($5::text IS NULL OR camera_id = $5)"
        " AND ($6::timestamptz IS NULL OR updated_at >= $6)"
        " AND ($7::timestamptz IS NULL OR (created_at, id) < ($7, $8::uuid))"
        " AND ($10::text IS NULL OR severity = $10) AND ($11::timestamptz IS NULL OR started_at >= $11)"
        " AND ($12::timestamptz IS NULL OR started_at < $12)"
        " ORDER BY created_at DESC, id DESC LIMIT $9",
        department_id,
        filters.get("state"),
        filters.get("kind"),
        filters.get("site_id"),
        filters.get("camera_id"),
        filters.get("since"),
        after_created,
        after_id,
        limit,
        filters.get("severity"),
        filters.get("started_from"),
        filters.get("started_to"),
    )


async def latest_snapshots(conn: Connection, *, alert_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
    """Each alert's most recent snapshot (by revision), whatever its verification."""
    rows = await conn.fetch(
        f"SELECT DISTINCT ON (alert_id) alert_id, {MEDIA_COLUMNS} FROM alert_media"  # noqa: S608
        " WHERE alert_id = ANY($1::uuid[]) AND kind = 'snapshot' ORDER BY alert_id, revision DESC, id DESC",
        list(alert_ids),
    )
    return {r["alert_id"]: r for r in rows}


async def latest_camera_snapshot(
    conn: Connection, *, department_id: uuid.UUID | None, site_id: str, camera_id: str
) -> asyncpg.Record | None:
    """The newest verified snapshot any alert of the camera carries: (alert_id, media id)."""
    return await conn.fetchrow(
        "SELECT m.alert_id, m.id FROM alert_media m JOIN alerts a ON a.id = m.alert_id"
        " WHERE ($1::uuid IS NULL OR a.department_id = $1) AND a.site_id = $2 AND a.camera_id = $3"
        " AND m.kind = 'snapshot' AND m.verification = 'verified' ORDER BY m.checked_at DESC, m.id DESC LIMIT 1",
        department_id,
        site_id,
        camera_id,
    )


async def open_critical_ids(conn: Connection, *, department_id: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
    """Critical alerts nobody has taken on yet (state open), newest first."""
    rows = await conn.fetch(
        "SELECT id FROM alerts WHERE ($1::uuid IS NULL OR department_id = $1) AND severity = 'critical'"
        " AND state = 'open' ORDER BY created_at DESC LIMIT $2",
        department_id,
        limit,
    )
    return [r["id"] for r in rows]


async def events_of(conn: Connection, *, alert_id: uuid.UUID) -> list[asyncpg.Record]:
    """The alert's own feed: every change, oldest first (its handling history)."""
    return await conn.fetch(
        "SELECT id, action, occurred_at, payload FROM alert_events WHERE alert_id = $1 ORDER BY id", alert_id
    )


async def active_inspectors(conn: Connection, *, department_id: uuid.UUID) -> list[asyncpg.Record]:
    """Inspectors an alert of the department can be dispatched to, by name."""
    return await conn.fetch(
        "SELECT id, display_name, certificate_no FROM users"
        " WHERE department_id = $1 AND role = 'inspector' AND active ORDER BY display_name, id",
        department_id,
    )


async def list_revisions(conn: Connection, *, alert_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT revision, content, content_sha256, received_at, received_by FROM alert_revisions"
        " WHERE alert_id = $1 ORDER BY revision",
        alert_id,
    )


async def list_media(conn: Connection, *, alert_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {MEDIA_COLUMNS} FROM alert_media WHERE alert_id = $1 ORDER BY id", alert_id)  # noqa: S608


async def get_media(conn: Connection, *, alert_id: uuid.UUID, media_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {MEDIA_COLUMNS} FROM alert_media WHERE alert_id = $1 AND id = $2",  # noqa: S608
        alert_id,
        media_id,
    )


async def verified_keys(conn: Connection, *, alert_id: uuid.UUID) -> set[str]:
    rows = await conn.fetch(
        "SELECT object_key FROM alert_media WHERE alert_id = $1 AND verification = 'verified'", alert_id
    )
    return {r["object_key"] for r in rows}


async def record_media(
    conn: Connection, *, alert_id: uuid.UUID, revision: int, checked: Sequence[tuple[Any, str]]
) -> None:
    """Record each (AlertMedia, verification); a verified row is never overwritten."""
    now = dt.datetime.now(dt.UTC)
    await conn.executemany(
        "INSERT INTO alert_media (alert_id, object_key, kind, sha256, size, media_type, verification, checked_at,"
        " revision, stream, width, height) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        " ON CONFLICT (alert_id, object_key) DO UPDATE SET kind = EXCLUDED.kind, sha256 = EXCLUDED.sha256,"
        " size = EXCLUDED.size, media_type = EXCLUDED.media_type, verification = EXCLUDED.verification,"
        " checked_at = EXCLUDED.checked_at, stream = EXCLUDED.stream, width = EXCLUDED.width,"
        " height = EXCLUDED.height WHERE alert_media.verification <> 'verified'",
        [
            (
                alert_id,
                m.object_key,
                m.kind,
                m.sha256,
                m.size,
                m.media_type,
                verification,
                now,
                revision,
                m.stream,
                m.width,
                m.height,
            )
            for m, verification in checked
        ],
    )


async def open_after_handover(
    conn: Connection, *, department_id: uuid.UUID | None, grace_s: float
) -> list[asyncpg.Record]:
    """Open vision incidents whose camera a later lease generation took over, not seen since (locked).

    The incident's own generation is the one its node ran it under (``detail.lease_generation``); alerts of
    cameras run without leases, and the API's own ``camera_unwatched``, have none. The take-over must be older
    than ``grace_s``, so a node that handed the camera back has that long to deliver its own ending.
    """
    return await conn.fetch(
        f"SELECT {', '.join(f'a.{c.strip()}' for c in ALERT_COLUMNS.split(','))},"  # noqa: S608
        f" {RAISED_UNDER}::bigint AS previous_generation,"
        " l.node AS new_node, l.generation AS new_generation, l.acquired_at AS taken_over_at, now() AS now"
        " FROM alerts a JOIN camera_leases l ON l.site_id = a.site_id AND l.camera_id = a.camera_id"
        f" WHERE a.ended_at IS NULL AND a.handover IS NULL AND {RAISED_UNDER} BETWEEN 0 AND l.generation - 1"
        " AND a.last_seen_at < l.acquired_at AND l.node IS NOT NULL AND l.expires_at > now()"
        " AND l.acquired_at < now() - make_interval(secs => $2)"
        " AND ($1::uuid IS NULL OR a.department_id = $1) ORDER BY a.created_at, a.id FOR UPDATE OF a SKIP LOCKED",
        department_id,
        grace_s,
    )


async def end_at_handover(conn: Connection, *, id: uuid.UUID, ended_at: dt.datetime, handover: Any) -> asyncpg.Record:
    """End the alert for the API (its node lost the camera); the caller holds the row locked."""
    row = await conn.fetchrow(
        f"UPDATE alerts SET ended_at = $2, handover = $3, updated_at = now() WHERE id = $1"  # noqa: S608
        f" RETURNING {ALERT_COLUMNS}",
        id,
        ended_at,
        handover,
    )
    assert row is not None  # locked by open_after_handover
    return row


async def append_event(
    conn: Connection, *, department_id: uuid.UUID, alert_id: uuid.UUID, action: str, payload: Any
) -> int:
    """Add a change to the feed; call it near the end of the transaction.

    The lock is held until commit, so no transaction can take a higher id and commit
    before this one: a stream that has seen id N will never later find a smaller one.
    """
    await conn.execute("SELECT pg_advisory_xact_lock($1)", EVENTS_LOCK_KEY)
    value: int = await conn.fetchval(
        "INSERT INTO alert_events (department_id, alert_id, action, payload) VALUES ($1, $2, $3, $4) RETURNING id",
        department_id,
        alert_id,
        action,
        payload,
    )
    return value


async def events_after(
    conn: Connection, *, department_id: uuid.UUID | None, after_id: int, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, department_id, action, occurred_at, payload FROM alert_events"
        " WHERE ($1::uuid IS NULL OR department_id = $1) AND id > $2 ORDER BY id LIMIT $3",
        department_id,
        after_id,
        limit,
    )


async def last_event_id(conn: Connection) -> int:
    value: int = await conn.fetchval("SELECT coalesce(max(id), 0) FROM alert_events")
    return value


async def is_active_inspector(conn: Connection, *, user_id: uuid.UUID, department_id: uuid.UUID) -> bool:
    value: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND department_id = $2 AND role = 'inspector' AND active)",
        user_id,
        department_id,
    )
    return value
