"""HTTP routes for inspection tasks (检查任务)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.auth.guards import requires
from api.deps import Caller, Db
from api.tasks import notices, results, service
from mobile_contract.auth import Role
from mobile_contract.task_results import TaskReport
from mobile_contract.tasks import TaskCreate, TaskRead, TaskStatus


class TaskController(Controller):
    path = "/tasks"
    tags = ("tasks 检查任务",)

    @post("/", guards=[requires(Role.SUPERVISOR, Role.ADMIN)], summary="派发任务 / assign a task to an inspector")
    async def create(self, db: Db, principal: Caller, data: JSONBody[TaskCreate]) -> TaskRead:
        return await service.create_task(db, principal, data)

    @get(
        "/",
        guards=[requires(Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN)],
        summary="任务列表 / tasks (inspectors: their own)",
    )
    async def list_tasks(
        self, db: Db, principal: Caller, status: FromQuery[TaskStatus | None] = None
    ) -> list[TaskRead]:
        if principal.role is Role.INSPECTOR:
            await notices.remind_deadlines(db, principal)
        return await service.list_tasks(db, principal, status)

    @post(
        "/{task_id:uuid}/complete",
        guards=[requires(Role.INSPECTOR)],
        status_code=200,
        summary="完成任务并反馈结果 / mark done, with the result (a record, a case, or nothing found)",
    )
    async def complete(
        self, db: Db, principal: Caller, task_id: FromPath[uuid.UUID], data: JSONBody[TaskReport | None] = None
    ) -> TaskRead:
        return (await results.complete(db, principal, task_id, data))[0]
