"""HTTP routes for the discretion benchmark (裁量基准)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from api.auth.guards import requires
from api.auth.roles import FILE_READERS
from api.deps import Caller, Db
from api.discretion import service
from mobile_contract.auth import Role
from mobile_contract.discretion import Benchmark, BenchmarkImport, BenchmarkSummary

EDITORS = requires(Role.SUPERVISOR, Role.LEGAL_REVIEWER)


class BenchmarkController(Controller):
    path = "/discretion"
    tags = ("discretion 裁量基准",)

    @post("/versions", guards=[EDITORS], summary="导入新版本（CSV，草稿）/ import a draft version from CSV")
    async def import_csv(self, db: Db, principal: Caller, data: JSONBody[BenchmarkImport]) -> BenchmarkSummary:
        return await service.import_csv(db, principal, principal.department_id, data)

    @post("/versions/{table_id:uuid}/publish", guards=[EDITORS], status_code=200, summary="发布 / publish a draft")
    async def publish(self, db: Db, principal: Caller, table_id: FromPath[uuid.UUID]) -> BenchmarkSummary:
        return await service.publish(db, principal, table_id, principal.department_scope)

    @get("/versions", guards=[FILE_READERS], summary="全部版本 / every version, newest first")
    async def versions(self, db: Db, principal: Caller) -> list[BenchmarkSummary]:
        return await service.list_versions(db, principal)

    @get("/versions/{table_id:uuid}", guards=[FILE_READERS], summary="某一版本 / one version with its rows")
    async def version(self, db: Db, principal: Caller, table_id: FromPath[uuid.UUID]) -> Benchmark:
        return await service.read(db, principal, table_id)

    @get("/current", guards=[FILE_READERS], summary="现行版本（尚未发布时为 null）/ the binding version, or null")
    async def current(self, db: Db, principal: Caller) -> Benchmark | None:
        return await service.current(db, principal.department_id)
