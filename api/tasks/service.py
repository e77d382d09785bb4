"""Rules for inspection tasks: assigned within the department, completed by the assignee."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec

from api.audit import trail
from api.auth.principal import Principal
from mobile_contract.auth import Role
from mobile_contract.problems import Conflict, InvalidInput, NotFound
from mobile_contract.tasks import TaskCreate, TaskRead, TaskStatus
from storage import tasks
from storage.db import Connection


async def create_task(conn: Connection, principal: Principal, data: TaskCreate) -> TaskRead:
    if not await tasks.is_department_inspector(conn, user_id=data.assignee_id, department_id=principal.department_id):
        raise InvalidInput("任务只能派给本单位在岗执法人员", "assignee is not an active inspector of the department")
    fields = msgspec.structs.asdict(data)
    if await tasks.create(conn, department_id=principal.department_id, created_by=principal.user_id, **fields):
        await trail.record(
            conn,
            principal,
            action="task.create",
            entity_type="task",
            entity_id=str(data.id),
            department_id=principal.department_id,
            after=fields,
        )
    (task,) = await read_tasks(conn, [data.id], None)
    if task.assignee_id != data.assignee_id or task.title != data.title:
        raise Conflict("任务编号已被使用", "task id exists with different content", code="id-conflict")
    return task


async def read_tasks(conn: Connection, ids: Sequence[uuid.UUID], department_id: uuid.UUID | None) -> list[TaskRead]:
    return [msgspec.convert(dict(r), TaskRead) for r in await tasks.fetch(conn, ids=ids, department_id=department_id)]


async def list_tasks(conn: Connection, principal: Principal, status: TaskStatus | None) -> list[TaskRead]:
    assignee = principal.user_id if principal.role is Role.INSPECTOR else None
    rows = await tasks.list_for(conn, department_id=principal.department_scope, assignee_id=assignee, status=status)
    return [msgspec.convert(dict(r), TaskRead) for r in rows]


async def complete_task(conn: Connection, principal: Principal, id: uuid.UUID) -> TaskRead:
    found = await read_tasks(conn, [id], principal.department_scope)
    if not found or found[0].assignee_id != principal.user_id:
        raise NotFound("任务不存在或未派给您", f"task {id} not found for this inspector")
    if found[0].status is TaskStatus.OPEN:
        await tasks.set_status(conn, id=id, status=TaskStatus.DONE)
        await trail.record(
            conn,
            principal,
            action="task.complete",
            entity_type="task",
            entity_id=str(id),
            department_id=principal.department_id,
            detail={"status": TaskStatus.DONE.value},
        )
    return (await read_tasks(conn, [id], None))[0]
