"""HTTP routes for cases (案件)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody

from api.cases import service
from api.deps import Caller, Db
from api.records.intake import Outcome, not_found
from api.records.routes import READERS, STATUS, WRITERS
from mobile_contract.problems import AppError
from mobile_contract.records import CaseCreate, CaseRead, CaseUpdate, CaseVersionRead


class CaseController(Controller):
    path = "/cases"
    tags: ClassVar[list[str]] = ["cases 案件"]

    @post("/", guards=[WRITERS], summary="立案登记（可安全重发）/ open a case, safe to retry")
    async def create(self, db: Db, principal: Caller, data: JSONBody[CaseCreate]) -> Response[CaseRead]:
        outcome = (await service.create_cases(db, principal, [data]))[data.id]
        if isinstance(outcome, AppError):
            raise outcome
        read = (await service.read_cases(db, [data.id]))[data.id]
        return Response(
            read, status_code=STATUS[outcome], headers={"Idempotent-Replay": str(outcome is Outcome.REPLAYED).lower()}
        )

    @put("/{case_id:uuid}", guards=[WRITERS], summary="修改案件（须带基准版本）/ edit a case")
    async def update(
        self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID], data: JSONBody[CaseUpdate]
    ) -> Response[CaseRead]:
        outcome = await service.update_case(db, principal, case_id, data)
        return Response((await service.read_cases(db, [case_id]))[case_id], status_code=STATUS[outcome])

    @get("/{case_id:uuid}", guards=[READERS], summary="查看案件 / read a case")
    async def read(self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> CaseRead:
        found = await service.read_cases(db, [case_id], principal.department_scope)
        if case_id not in found:
            raise not_found(service.ENTITY, case_id)
        return found[case_id]

    @get("/{case_id:uuid}/versions", guards=[READERS], summary="历史版本 / every version")
    async def versions(self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> list[CaseVersionRead]:
        return await service.list_versions(db, principal, case_id)
