"""The unwatched-camera watchdog (无人分析监测): a camera nobody analyses is an alert, not a silence.

Every ``FLEET_WATCH_EVERY_S`` each API process tries a sweep; the one that gets the advisory lock
(storage.camera_watch) judges every camera of the active sites. A camera that no node has reported
for longer than its ``offline_after_s`` — a dead node, a crashed pipeline, a lease nobody took —
raises a ``camera_unwatched`` alert (revision 1, critical); the first report after it ends the alert
(revision 2, ``ended_at`` = when reporting resumed), as does deactivating the site. The API is the
alert's author: its revisions have no delivering user, its audit entries the role ``watchdog``.

The same sweep ends the vision incidents a lost node left open once a later lease generation took their
camera over (api.alerts.handover), one lease period after the take-over.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
import uuid_utils

from api.alerts.flows import publish
from api.alerts.handover import end_handed_over
from api.alerts.service import to_read
from api.audit.trail import Actor
from api.background import background
from api.settings import Settings
from mobile_contract.alerts import AlertAction, AlertKind, AlertUpsert, Severity
from storage import alerts, camera_watch
from storage.canonical import canonical_sha256
from storage.db import Connection, transaction

log = logging.getLogger(__name__)
WATCHDOG = Actor(user_id=None, role="watchdog")
DEFAULT_THRESHOLD_S = 30.0


def overdue(row: Any) -> bool:
    """Active, and no report for longer than the camera's threshold."""
    if not row["active"]:
        return False
    threshold = row["camera"].get("offline_after_s", DEFAULT_THRESHOLD_S)
    return (row["now"] - row["watched_since"]).total_seconds() > threshold


async def sweep(conn: Connection, *, department_id: uuid.UUID | None = None, handover_grace_s: float = 0.0) -> int:
    """One round (of one department, for tests); the alerts raised or ended (0: another process sweeps).

    ``handover_grace_s``: how long after a take-over the incidents left open under the earlier lease are ended
    (the API passes one lease period)."""
    if not await camera_watch.take_sweep(conn):
        return 0
    await camera_watch.forget_inactive(conn)
    await camera_watch.know_cameras(conn, department_id=department_id)
    changed = await end_handed_over(conn, WATCHDOG, department_id=department_id, grace_s=handover_grace_s)
    for row in await camera_watch.judged(conn, department_id=department_id):
        if overdue(row) and row["alert_id"] is None:
            await _store(conn, row, _raised(row))
        elif not overdue(row) and row["alert_id"] is not None:
            await _store(conn, row, await _ended(conn, row))
        else:
            continue
        changed += 1
    return changed


def _raised(row: Any) -> AlertUpsert:
    name, threshold = row["camera"].get("name", row["camera_id"]), row["camera"].get("offline_after_s", 30.0)
    last = f"最后由节点 {row['node']} 上报" if row["node"] else "从未有节点上报"
    return AlertUpsert(
        id=uuid.UUID(str(uuid_utils.uuid7())),
        revision=1,
        site_id=row["site_id"],
        camera_id=row["camera_id"],
        kind=AlertKind.CAMERA_UNWATCHED,
        severity=Severity.CRITICAL,
        started_at=row["watched_since"],
        last_seen_at=row["now"],
        summary=f"摄像头「{name}」超过 {threshold:g} 秒无视频分析节点上报（{last}），画面无人分析",
        detail={"threshold_s": threshold, "last_node": row["node"], "last_report_at": _iso(row["reported_at"])},
    )


async def _ended(conn: Connection, row: Any) -> AlertUpsert:
    current = msgspec.convert(
        (await alerts.revision_content(conn, alert_id=row["alert_id"], revision=row["alert_revision"])), AlertUpsert
    )
    resumed = row["active"] and row["reported_at"] is not None
    ended_at = row["reported_at"] if resumed else row["now"]
    summary = f"已恢复分析（节点 {row['node']}）" if resumed else "点位已停用或摄像头已移除，不再需要分析"
    return msgspec.structs.replace(
        current,
        revision=current.revision + 1,
        last_seen_at=ended_at,
        ended_at=ended_at,
        summary=f"{current.summary}；{summary}",
        detail=current.detail | {"resumed_by": row["node"] if resumed else None},
    )


async def _store(conn: Connection, row: Any, body: AlertUpsert) -> None:
    """Keep the revision and make it current, publish it live and audit it, as a node's delivery would."""
    digest = canonical_sha256(body)
    await alerts.insert_revision(
        conn, alert_id=body.id, revision=body.revision, content=body, content_sha256=digest, user_id=None
    )
    before = await alerts.get(conn, id=body.id, department_id=None, for_update=True)
    created = await alerts.upsert_current(conn, department_id=row["department_id"], alert=body)
    after = to_read(await alerts.get(conn, id=body.id, department_id=None))
    action = AlertAction.CREATED if created else AlertAction.UPDATED
    await publish(conn, WATCHDOG, action, after, before=to_read(before) if before else None, content_sha256=digest)
    open_id, revision = (None, None) if body.ended_at else (body.id, body.revision)
    await camera_watch.set_alert(
        conn, site_id=row["site_id"], camera_id=row["camera_id"], alert_id=open_id, revision=revision
    )


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at else None


async def watch_periodically(pool: asyncpg.Pool, every_s: float, lease_s: float) -> None:
    while True:
        try:
            async with transaction(pool) as conn:
                await sweep(conn, handover_grace_s=lease_s)
        except Exception:  # a database outage: try again next round, keep serving
            log.exception("unwatched-camera sweep failed")
        await asyncio.sleep(every_s)


@contextlib.asynccontextmanager
async def watching(pool: asyncpg.Pool, settings: Settings) -> AsyncIterator[None]:
    """While the app runs, sweep every ``FLEET_WATCH_EVERY_S`` seconds (not at all at 0)."""
    every_s = settings.fleet.watch_every_s
    watch = watch_periodically(pool, every_s, settings.fleet.lease_s) if every_s else None
    async with background(watch):
        yield
