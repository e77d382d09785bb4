"""SQL for evidence items (证据): upload state, integrity checks and legal holds.

Rows of ``evidence_items`` are created by the records service when a record
declares its manifest; here they only move through their upload status.
Integrity checks and legal holds are history tables the database keeps
append-only (migration 0003).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.db import Connection

ITEM_COLUMNS = (
    "id, record_id, department_id, kind, media_type, size, sha256, captured_at, declared_at, gps_lat, gps_lon,"
    " gps_accuracy_m, device_id, description, object_key, status, verified_at, version_id, failure_reason"
)
CHECK_COLUMNS = (
    "evidence_id",
    "trigger",
    "outcome",
    "version_id",
    "expected_sha256",
    "actual_sha256",
    "expected_size",
    "actual_size",
    "detail",
    "checked_by",
)


async def get_item(
    conn: Connection, *, id: uuid.UUID, department_id: uuid.UUID | None, lock: bool = False
) -> asyncpg.Record | None:
    """One item, if it belongs to ``department_id`` (None: any); ``lock`` holds it until commit."""
    return await conn.fetchrow(
        f"SELECT {ITEM_COLUMNS} FROM evidence_items WHERE id = $1 AND ($2::uuid IS NULL OR department_id = $2)"  # noqa: S608
        + (" FOR UPDATE" if lock else ""),
        id,
        department_id,
    )


async def set_status(
    conn: Connection, *, id: uuid.UUID, status: str, version_id: str | None = None, failure_reason: str | None = None
) -> None:
    """Move an item to ``status``; verification stamps its time and the verified object version.

    The owning record is touched too (its txid), so the next sync pull brings the device the new status.
    """
    await conn.execute(
        "WITH item AS (UPDATE evidence_items SET status = $2, version_id = coalesce($3, version_id),"
        " failure_reason = $4, verified_at = CASE WHEN $2 = 'verified' THEN now() ELSE verified_at END"
        " WHERE id = $1 RETURNING record_id)"
        " UPDATE records SET txid = pg_current_xact_id() WHERE id = (SELECT record_id FROM item)",
        id,
        status,
        version_id,
        failure_reason,
    )


async def list_verified(
    conn: Connection,
    *,
    department_id: uuid.UUID | None,
    record_id: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Verified items in id order, keyset-paged, optionally limited to a department or a record."""
    return await conn.fetch(
        f"SELECT {ITEM_COLUMNS} FROM evidence_items WHERE status = 'verified'"  # noqa: S608
        " AND ($1::uuid IS NULL OR department_id = $1) AND ($2::uuid IS NULL OR record_id = $2)"
        " AND ($3::uuid IS NULL OR id > $3) ORDER BY id LIMIT $4",
        department_id,
        record_id,
        after,
        limit,
    )


# -- multipart uploads -------------------------------------------------------------------------


async def get_open_upload(conn: Connection, *, evidence_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT upload_id, part_size, part_count FROM evidence_uploads WHERE evidence_id = $1 AND closed_at IS NULL",
        evidence_id,
    )


async def open_upload(
    conn: Connection,
    *,
    upload_id: str,
    evidence_id: uuid.UUID,
    part_size: int,
    part_count: int,
    started_by: uuid.UUID,
    device_id: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO evidence_uploads (upload_id, evidence_id, part_size, part_count, started_by, device_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        upload_id,
        evidence_id,
        part_size,
        part_count,
        started_by,
        device_id,
    )


async def close_upload(conn: Connection, *, upload_id: str, outcome: str) -> None:
    await conn.execute(
        "UPDATE evidence_uploads SET closed_at = now(), outcome = $2 WHERE upload_id = $1 AND closed_at IS NULL",
        upload_id,
        outcome,
    )


async def save_part_checksums(conn: Connection, *, upload_id: str, parts: Sequence[tuple[int, str]]) -> None:
    """Remember the SHA-256 each part URL was signed for; the latest signing of a part wins."""
    await conn.executemany(
        "INSERT INTO evidence_upload_parts (upload_id, part_number, sha256) VALUES ($1, $2, $3)"
        " ON CONFLICT (upload_id, part_number) DO UPDATE SET sha256 = excluded.sha256",
        [(upload_id, number, sha256) for number, sha256 in parts],
    )


async def part_checksums(conn: Connection, *, upload_id: str) -> dict[int, str]:
    rows = await conn.fetch("SELECT part_number, sha256 FROM evidence_upload_parts WHERE upload_id = $1", upload_id)
    return {r["part_number"]: r["sha256"] for r in rows}


# -- history -----------------------------------------------------------------------------------


async def add_checks(conn: Connection, *, checks: Sequence[dict[str, Any]]) -> None:
    """Record integrity checks (one dict per check, keys as ``CHECK_COLUMNS``)."""
    await conn.copy_records_to_table(
        "evidence_integrity_checks", records=[tuple(c[k] for k in CHECK_COLUMNS) for c in checks], columns=CHECK_COLUMNS
    )


async def list_checks(conn: Connection, *, evidence_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT checked_at, {', '.join(CHECK_COLUMNS[1:])} FROM evidence_integrity_checks"  # noqa: S608
        " WHERE evidence_id = $1 ORDER BY id DESC",
        evidence_id,
    )


async def add_legal_hold(
    conn: Connection,
    *,
    evidence_id: uuid.UUID,
    enabled: bool,
    reason: str,
    version_id: str,
    set_by: uuid.UUID,
    device_id: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO evidence_legal_holds (evidence_id, enabled, reason, version_id, set_by, device_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        evidence_id,
        enabled,
        reason,
        version_id,
        set_by,
        device_id,
    )


async def list_legal_holds(conn: Connection, *, evidence_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT enabled, reason, version_id, set_by, set_at FROM evidence_legal_holds"
        " WHERE evidence_id = $1 ORDER BY id DESC",
        evidence_id,
    )


async def live_playback(
    conn: Connection, *, evidence_id: uuid.UUID, user_id: uuid.UUID, sign_in_id: uuid.UUID, window_s: float
) -> uuid.UUID | None:
    """The playback of this sign-in's latest range of the item, if that range was served within ``window_s``."""
    value: uuid.UUID | None = await conn.fetchval(
        "SELECT playback_id FROM evidence_playback_ranges"
        " WHERE evidence_id = $1 AND user_id = $2 AND sign_in_id = $3"
        " AND served_at > now() - make_interval(secs => $4)"
        " ORDER BY served_at DESC LIMIT 1",
        evidence_id,
        user_id,
        sign_in_id,
        window_s,
    )
    return value


async def add_playback_range(
    conn: Connection,
    *,
    playback_id: uuid.UUID,
    evidence_id: uuid.UUID,
    user_id: uuid.UUID,
    sign_in_id: uuid.UUID,
    first_byte: int,
    last_byte: int,
) -> None:
    await conn.execute(
        "INSERT INTO evidence_playback_ranges (playback_id, evidence_id, user_id, sign_in_id, first_byte, last_byte)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        playback_id,
        evidence_id,
        user_id,
        sign_in_id,
        first_byte,
        last_byte,
    )


async def repoint_versions(conn: Connection, *, moved: dict[str, str]) -> list[asyncpg.Record]:
    """Point verified items at the versions their objects became in a restored bucket (old → new id)."""
    return await conn.fetch(
        "UPDATE evidence_items AS e SET version_id = m.new FROM unnest($1::text[], $2::text[]) AS m (old, new)"
        " WHERE e.version_id = m.old RETURNING e.id, e.department_id, m.old, m.new",
        list(moved),
        list(moved.values()),
    )
