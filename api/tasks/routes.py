"""HTTP routes for inspection tasks (检查任务)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.auth.guards import requires
from api.deps import Caller, Db
from api.tasks import service
from mobile_contract.auth import Role
from mobile_contract.tasks import TaskCreate, TaskRead, TaskStatus


class TaskController(Controller):
    path = "/tasks"
    tags: ClassVar[list[str]] = ["tasks 检查任务"]

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
        return await service.list_tasks(db, principal, status)

    @post(
        "/{task_id:uuid}/complete", guards=[requires(Role.INSPECTOR)], status_code=200, summary="完成任务 / mark done"
    )
    async def complete(self, db: Db, principal: Caller, task_id: FromPath[uuid.UUID]) -> TaskRead:
        return await service.complete_task(db, principal, task_id)
