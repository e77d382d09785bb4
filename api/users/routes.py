"""Departments, users and handheld devices over HTTP: admins change, supervisors read their own department."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from api.audit.trail import Actor
from api.auth.guards import ALL_ROLES, requires
from api.deps import Caller, Db
from api.users import devices, service
from mobile_contract.auth import Role, UserRead
from mobile_contract.users import (
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    DeviceBind,
    DeviceRead,
    DeviceRegister,
    UserCreate,
    UserUpdate,
)

ADMIN = requires(Role.ADMIN)
ADMIN_OR_SUPERVISOR = requires(Role.ADMIN, Role.SUPERVISOR)
DepartmentFilter = Annotated[
    uuid.UUID | None, QueryParameter(description="实施机构；监管负责人只能查本机构 / department (supervisors: own)")
]


class DepartmentController(Controller):
    path = "/departments"
    tags = ("users",)

    @post("/", guards=[ADMIN], summary="新建实施机构 / create a department")
    async def create(self, db: Db, principal: Caller, data: JSONBody[DepartmentCreate]) -> DepartmentRead:
        return await service.create_department(db, Actor.of(principal), data)

    @get("/", guards=[ADMIN], summary="实施机构列表 / list departments")
    async def list_all(self, db: Db) -> list[DepartmentRead]:
        return await service.list_departments(db)

    @patch("/{department_id:uuid}", guards=[ADMIN], summary="修改实施机构 / change a department")
    async def update(
        self, db: Db, principal: Caller, department_id: FromPath[uuid.UUID], data: JSONBody[DepartmentUpdate]
    ) -> DepartmentRead:
        return await service.update_department(db, Actor.of(principal), department_id, data)


class UserController(Controller):
    path = "/users"
    tags = ("users",)

    @get("/me", guards=[requires(*ALL_ROLES)], summary="当前用户 / the signed-in user")
    async def me(self, db: Db, principal: Caller) -> UserRead:
        return await service.me(db, principal)

    @post("/", guards=[ADMIN], summary="新建用户 / create a user")
    async def create(self, db: Db, principal: Caller, data: JSONBody[UserCreate]) -> UserRead:
        return await service.create_user(db, Actor.of(principal), data)

    @get("/", guards=[ADMIN_OR_SUPERVISOR], summary="用户列表 / list users")
    async def list_users(self, db: Db, principal: Caller, department_id: DepartmentFilter = None) -> list[UserRead]:
        return await service.list_users(db, principal, department_id)

    @get("/{user_id:uuid}", guards=[ADMIN_OR_SUPERVISOR], summary="查看用户 / read a user")
    async def read(self, db: Db, principal: Caller, user_id: FromPath[uuid.UUID]) -> UserRead:
        return await service.get_user(db, principal, user_id)

    @patch("/{user_id:uuid}", guards=[ADMIN], summary="修改或停用用户 / change or deactivate a user")
    async def update(
        self, db: Db, principal: Caller, user_id: FromPath[uuid.UUID], data: JSONBody[UserUpdate]
    ) -> UserRead:
        return await service.update_user(db, Actor.of(principal), user_id, data)


class DeviceController(Controller):
    path = "/devices"
    tags = ("users",)

    @post("/", guards=[ADMIN], summary="登记执法终端并绑定执法人员 / register and bind a handheld")
    async def register(self, db: Db, principal: Caller, data: JSONBody[DeviceRegister]) -> DeviceRead:
        return await devices.register(db, Actor.of(principal), data)

    @get("/", guards=[ADMIN_OR_SUPERVISOR], summary="执法终端列表 / list handhelds")
    async def list_devices(self, db: Db, principal: Caller, department_id: DepartmentFilter = None) -> list[DeviceRead]:
        return await devices.list_devices(db, principal, department_id)

    @put("/{device_id:str}/binding", guards=[ADMIN], summary="改绑执法终端 / bind to another inspector")
    async def bind(self, db: Db, principal: Caller, device_id: FromPath[str], data: JSONBody[DeviceBind]) -> DeviceRead:
        return await devices.bind(db, Actor.of(principal), device_id, data)

    @post("/{device_id:str}/revoke", status_code=200, guards=[ADMIN], summary="停用执法终端 / revoke a handheld")
    async def revoke(self, db: Db, principal: Caller, device_id: FromPath[str]) -> DeviceRead:
        return await devices.revoke(db, Actor.of(principal), device_id)
