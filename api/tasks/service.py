"""Rules for inspection tasks: assigned within the department, completed by the assignee.

Other domains hand work to an inspector through ``assign`` (an alert dispatch, a review sent back,
a time limit about to run out) and take it back through ``withdraw`` (改派、预警已办结); both
change the task's ``txid``, so the change reaches the handheld with its next pull.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from api.audit import trail
from api.auth.principal import Principal
from mobile_contract.auth import Role
from mobile_contract.problems import Conflict, InvalidInput, NotFound
from mobile_contract.tasks import TaskCreate, TaskRead, TaskSource, TaskStatus
from storage import tasks
from storage.db import Connection


def to_read(row: Any) -> TaskRead:
    """A stored task; an alert task's detail is typed (``alert``), every other source's stays as sent."""
    fields = dict(row)
    if fields["source"] == TaskSource.ALERT and fields["alert_id"] is not None:
        fields |= {"alert": fields["detail"], "detail": {}}
    return msgspec.convert(fields, TaskRead)


async def create_task(conn: Connection, principal: Principal, data: TaskCreate) -> TaskRead:
    if not await tasks.is_department_inspector(conn, user_id=data.assignee_id, department_id=principal.department_id):
        raise InvalidInput("任务只能派给本单位在岗执法人员", "assignee is not an active inspector of the department")
    fields = msgspec.structs.asdict(data)
    if await tasks.create(conn, department_id=principal.department_id, created_by=principal.user_id, **fields):
        await _audit_created(conn, principal, data.id, principal.department_id, fields)
    (task,) = await read_tasks(conn, [data.id], None)
    if task.assignee_id != data.assignee_id or task.title != data.title:
        raise Conflict("任务编号已被使用", "task id exists with different content", code="id-conflict")
    return task


class Assignment(msgspec.Struct, frozen=True, kw_only=True):
    """Work another domain hands to one inspector (the id decides: the same id twice is one task)."""

    id: uuid.UUID
    department_id: uuid.UUID
    assignee_id: uuid.UUID
    source: TaskSource
    title: str
    detail: dict[str, Any]  # JSON-ready; an alert task's is an AlertTaskDetail
    alert_id: uuid.UUID | None = None
    due_on: dt.date | None = None


async def assign(conn: Connection, actor: Principal | trail.Actor, work: Assignment) -> bool:
    """Create the task unless its id exists (then nothing changes); True when created now."""
    fields = msgspec.structs.asdict(work)
    if not await tasks.create(conn, **fields, item_code=None, created_by=actor.user_id):
        return False
    await _audit_created(conn, actor, work.id, work.department_id, fields)
    return True


async def withdraw(conn: Connection, actor: Principal | trail.Actor, task: TaskRead, reason: str) -> bool:
    """Withdraw an open task (改派、办结) with the reason the handheld shows; False if it was not open."""
    if not await tasks.cancel(conn, id=task.id, reason=reason):
        return False
    await audit_change(
        conn, actor, task, "task.cancel", detail={"status": TaskStatus.CANCELLED.value, "reason": reason}
    )
    return True


async def audit_change(
    conn: Connection, actor: Principal | trail.Actor, task: TaskRead, action: str, **change: Any
) -> None:
    """One audit entry on the task; ``change`` holds ``before``/``after`` states or a ``detail``."""
    await trail.record(
        conn,
        actor,
        action=action,
        entity_type="task",
        entity_id=str(task.id),
        department_id=task.department_id,
        **change,
    )


async def _audit_created(
    conn: Connection, actor: Principal | trail.Actor, id: uuid.UUID, department_id: uuid.UUID, fields: dict
) -> None:
    await trail.record(
        conn,
        actor,
        action="task.create",
        entity_type="task",
        entity_id=str(id),
        department_id=department_id,
        after=msgspec.to_builtins(fields),
    )


async def read_tasks(conn: Connection, ids: Sequence[uuid.UUID], department_id: uuid.UUID | None) -> list[TaskRead]:
    return [to_read(r) for r in await tasks.fetch(conn, ids=ids, department_id=department_id)]


async def list_tasks(conn: Connection, principal: Principal, status: TaskStatus | None) -> list[TaskRead]:
    assignee = principal.user_id if principal.role is Role.INSPECTOR else None
    rows = await tasks.list_for(conn, department_id=principal.department_scope, assignee_id=assignee, status=status)
    return [to_read(r) for r in rows]


async def own_task(conn: Connection, principal: Principal, id: uuid.UUID) -> TaskRead:
    """The caller's task, locked for a change; 404 for any other (another's is not shown to exist)."""
    row = await tasks.get(conn, id=id, department_id=principal.department_scope)
    if row is None or row["assignee_id"] != principal.user_id:
        raise NotFound("任务不存在或未派给您", f"task {id} not found for this inspector")
    return to_read(row)
