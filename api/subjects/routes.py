"""HTTP routes for supervised subjects (监管对象) and mining permits (采矿许可证)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from litestar import Controller, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.auth.guards import requires
from api.auth.roles import FILE_READERS
from api.deps import Caller, Db
from api.subjects import service
from mobile_contract.auth import Role
from mobile_contract.parties import PartyKind
from mobile_contract.subjects import (
    PermitCreate,
    PermitRead,
    PermitUpdate,
    SubjectCreate,
    SubjectPage,
    SubjectRead,
    SubjectUpdate,
)

WRITERS = requires(Role.SUPERVISOR, Role.ADMIN)


class SubjectController(Controller):
    path = "/subjects"
    tags = ("subjects 监管对象",)

    @post("/", guards=[WRITERS], summary="登记监管对象（已登记则加入本单位名录库）/ register a subject")
    async def register(self, db: Db, principal: Caller, data: JSONBody[SubjectCreate]) -> Response[SubjectRead]:
        read, inserted = await service.register(db, principal, data)
        return Response(read, status_code=201 if inserted else 200)

    @get("/", guards=[FILE_READERS], summary="检查对象名录库 / the department's target register")
    async def list_subjects(
        self,
        db: Db,
        principal: Caller,
        kind: FromQuery[PartyKind | None] = None,
        search: Annotated[str | None, QueryParameter(min_length=1, max_length=100)] = None,
        cursor: FromQuery[uuid.UUID | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> SubjectPage:
        return await service.list_page(db, principal, kind=kind, search=search, cursor=cursor, limit=limit)

    @get("/{subject_id:uuid}", guards=[FILE_READERS], summary="查看监管对象 / read a subject")
    async def read(self, db: Db, principal: Caller, subject_id: FromPath[uuid.UUID]) -> SubjectRead:
        return service.subject_read(await service.visible_subject(db, principal, subject_id))

    @get(
        "/by-key/{key:str}",
        guards=[FILE_READERS],
        summary="按统一社会信用代码或身份证号查找 / find by USCC or ID number",
    )
    async def by_key(self, db: Db, principal: Caller, key: FromPath[str]) -> SubjectRead:
        return await service.by_key(db, principal, key)

    @patch("/{subject_id:uuid}", guards=[WRITERS], summary="修改监管对象 / edit a subject")
    async def update(
        self, db: Db, principal: Caller, subject_id: FromPath[uuid.UUID], data: JSONBody[SubjectUpdate]
    ) -> SubjectRead:
        return await service.update(db, principal, subject_id, data)


class PermitController(Controller):
    path = "/permits"
    tags = ("permits 采矿许可证",)

    @post("/", guards=[WRITERS], summary="登记采矿许可证 / register a mining permit")
    async def create(self, db: Db, principal: Caller, data: JSONBody[PermitCreate]) -> PermitRead:
        return await service.create_permit(db, principal, data)

    @put("/{permit_id:uuid}", guards=[WRITERS], summary="变更采矿许可证（须带基准版本）/ change a permit")
    async def update(
        self, db: Db, principal: Caller, permit_id: FromPath[uuid.UUID], data: JSONBody[PermitUpdate]
    ) -> PermitRead:
        return await service.update_permit(db, principal, permit_id, data)

    @get(
        "/",
        # Not vision nodes (issue 12): a node needs only its site configs and alert delivery (docs/monitoring-api.md).
        guards=[requires(Role.MONITORING_OPERATOR, Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN)],
        summary="许可证列表；valid_on 给出当日有效的许可证 / permits, those in force on a day",
    )
    async def list_permits(
        self,
        db: Db,
        principal: Caller,
        valid_on: FromQuery[dt.date | None] = None,
        subject_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[PermitRead]:
        return await service.list_permits(db, principal, valid_on=valid_on, subject_id=subject_id)

    @get("/{permit_id:uuid}", guards=[FILE_READERS], summary="查看采矿许可证 / read a permit")
    async def read(self, db: Db, principal: Caller, permit_id: FromPath[uuid.UUID]) -> PermitRead:
        return await service.read_permit(db, principal, permit_id)
