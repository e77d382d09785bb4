"""The task a dispatch gives the inspector (预警派遣任务): where to go, what was seen, what to do.

The task names the site and camera, the kind of alert in Chinese, the camera's location (else the
site's), the newest verified snapshot as an API path (each read audited, never a bare object-store
URL) and the operator's note. A dispatch to another inspector withdraws the previous task (改派),
so the first inspector's handheld learns it with its next pull; closing the alert withdraws an
open task.
"""

from __future__ import annotations

import uuid

import msgspec

from api.alerts.naming import site_and_camera
from api.auth.principal import Principal
from api.tasks import service as tasks
from mobile_contract.alerts import KIND_NAMES, AlertDispatch, AlertRead
from mobile_contract.tasks import AlertTaskDetail, TaskRead, TaskSnapshot, TaskSource, TaskStatus
from storage import alerts, users
from storage.db import Connection


def snapshot_path(alert_id: uuid.UUID, media_id: int) -> str:
    return f"/alerts/{alert_id}/media/{media_id}/content"


async def task_detail(db: Connection, principal: Principal, alert: AlertRead, note: str) -> AlertTaskDetail:
    site, camera = await site_and_camera(db, alert)
    shot = await alerts.latest_verified_snapshot(db, alert_id=alert.id)
    snapshot = None
    if shot is not None:
        snapshot = TaskSnapshot(
            url=snapshot_path(alert.id, shot["id"]), sha256=shot["sha256"], media_type=shot["media_type"]
        )
    operator = await users.get_user(db, id=principal.user_id)
    return AlertTaskDetail(
        alert_id=alert.id,
        site_id=site.id,
        site_name=site.name,
        camera_id=alert.camera_id,
        camera_name=camera.name if camera else alert.camera_id,
        kind=alert.kind,
        kind_name=KIND_NAMES[alert.kind],
        severity=alert.severity,
        summary=alert.summary,
        started_at=alert.started_at,
        location=(camera.location if camera else None) or site.location,
        snapshot=snapshot,
        note=note,
        dispatched_by_name=operator["display_name"] if operator else "",
    )


async def dispatched(db: Connection, principal: Principal, before: AlertRead, step: AlertDispatch) -> uuid.UUID:
    """The task of this dispatch: the open one if it already goes to this inspector, else a new one."""
    current = await _current_task(db, before)
    if current is not None and current.status is TaskStatus.OPEN and current.assignee_id == step.inspector_id:
        return current.id
    if current is not None:
        inspector = await users.get_user(db, id=step.inspector_id)
        assert inspector is not None  # the step's guard admitted only an active inspector
        await tasks.withdraw(db, principal, current, f"预警已改派给{inspector['display_name']}")
    detail = await task_detail(db, principal, before, step.note)
    work = tasks.Assignment(
        id=uuid.uuid4(),
        department_id=before.department_id,
        assignee_id=step.inspector_id,
        source=TaskSource.ALERT,
        title=f"预警核查：{detail.site_name}（{detail.kind_name}）",
        detail=msgspec.to_builtins(detail),
        alert_id=before.id,
    )
    await tasks.assign(db, principal, work)
    return work.id


async def closed(db: Connection, principal: Principal, before: AlertRead) -> None:
    """An alert closed while its task is still open: the inspector need not go any more."""
    current = await _current_task(db, before)
    if current is not None:
        await tasks.withdraw(db, principal, current, "预警已办结，无需再核查")


async def _current_task(db: Connection, alert: AlertRead) -> TaskRead | None:
    if alert.task_id is None:
        return None
    found = await tasks.read_tasks(db, [alert.task_id], alert.department_id)
    return found[0] if found else None
