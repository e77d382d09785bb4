"""HTTP routes for credit supervision (信用监管)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.auth.guards import requires
from api.auth.roles import FILE_READERS
from api.credit import collect, requests, service
from api.deps import Caller, Db
from mobile_contract.auth import Role
from mobile_contract.credit import (
    CollectResult,
    CreditProfile,
    CreditRecordCreate,
    CreditRecordRead,
    CreditRequestCreate,
    CreditRequestDecision,
    CreditRequestRead,
    ListEntryCreate,
    ListEntryRead,
    ListExit,
    PlatformReport,
    PlatformStatus,
    RequestState,
)

WRITERS = requires(Role.SUPERVISOR, Role.ADMIN)


class CreditController(Controller):
    path = "/credit"
    tags = ("credit 信用监管",)

    @get("/subjects/{subject_id:uuid}", guards=[FILE_READERS], summary="信用档案 / a subject's credit profile")
    async def profile(self, db: Db, principal: Caller, subject_id: FromPath[uuid.UUID]) -> CreditProfile:
        return await service.profile(db, principal, subject_id)

    @post("/records", guards=[WRITERS], summary="新增信用记录 / record a credit fact")
    async def record(self, db: Db, principal: Caller, data: JSONBody[CreditRecordCreate]) -> CreditRecordRead:
        return await service.record_fact(db, principal, data)

    @get("/records/{record_id:uuid}", guards=[FILE_READERS], summary="查看信用记录 / read a credit record")
    async def read_record(self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID]) -> CreditRecordRead:
        return await service.read_record(db, principal, record_id)

    @post(
        "/records/{record_id:uuid}/reported",
        guards=[WRITERS],
        status_code=200,
        summary="标记已上传信用平台 / mark as reported to the credit platform",
    )
    async def reported(
        self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID], data: JSONBody[PlatformReport]
    ) -> CreditRecordRead:
        return await service.mark_reported(db, principal, record_id, data)

    @get("/platform", guards=[WRITERS], summary="信用平台上传情况（7日内）/ credit platform deadline report")
    async def platform(
        self,
        db: Db,
        principal: Caller,
        due_from: FromQuery[dt.date | None] = None,
        due_to: FromQuery[dt.date | None] = None,
    ) -> PlatformStatus:
        today = service.today()
        start = due_from or today - dt.timedelta(days=90)
        return await service.platform_status(
            db, principal, due_from=start, due_to=due_to or today + dt.timedelta(days=7), as_of=today
        )

    @post("/collect", guards=[WRITERS], status_code=200, summary="归集本单位行政处罚 / collect penalties")
    async def collect(self, db: Db, principal: Caller) -> CollectResult:
        return await collect.collect_penalties(db, principal)

    @post("/lists", guards=[WRITERS], summary="列入经营异常名录或黑名单 / put on a list")
    async def enter_list(self, db: Db, principal: Caller, data: JSONBody[ListEntryCreate]) -> ListEntryRead:
        return await requests.enter_list(db, principal, data)

    @post("/lists/{entry_id:uuid}/exit", guards=[WRITERS], status_code=200, summary="移出名录 / take off a list")
    async def exit_list(
        self, db: Db, principal: Caller, entry_id: FromPath[uuid.UUID], data: JSONBody[ListExit]
    ) -> ListEntryRead:
        return await requests.exit_list(db, principal, entry_id, data)

    @post("/requests", guards=[WRITERS], summary="受理异议或信用修复申请 / register an objection or repair")
    async def file_request(self, db: Db, principal: Caller, data: JSONBody[CreditRequestCreate]) -> CreditRequestRead:
        return await requests.file_request(db, principal, data)

    @post(
        "/requests/{request_id:uuid}/decision", guards=[WRITERS], status_code=200, summary="办理申请 / decide a request"
    )
    async def decide(
        self, db: Db, principal: Caller, request_id: FromPath[uuid.UUID], data: JSONBody[CreditRequestDecision]
    ) -> CreditRequestRead:
        return await requests.decide_request(db, principal, request_id, data)

    @get("/requests", guards=[WRITERS], summary="本单位的异议与修复申请 / the department's requests")
    async def list_requests(
        self,
        db: Db,
        principal: Caller,
        request_state: Annotated[RequestState | None, QueryParameter(name="state")] = None,
    ) -> list[CreditRequestRead]:
        return await requests.list_requests(db, principal, request_state)
