"""HTTP routes for complaints and reports (投诉举报)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from api.auth.guards import requires
from api.complaints import service
from api.complaints.identity import IdentityCipher
from api.deps import Caller, Db
from api.errors import answer
from api.throttling.address import client_address
from mobile_contract.auth import Role
from mobile_contract.complaints import (
    ComplaintPublicStatus,
    ComplaintRead,
    ComplaintReceipt,
    ComplaintStatus,
    ComplaintSubmit,
    Decision,
    Dispatch,
    Feedback,
    HandlingResult,
    StatusLookup,
    Supervision,
    Transfer,
    WhistleblowerRead,
)
from mobile_contract.problems import Problem
from mobile_contract.tasks import TaskRead

OFFICE = requires(Role.COMPLAINT_OFFICER, Role.ADMIN)
DEPARTMENT = requires(Role.SUPERVISOR, Role.ADMIN)
LISTERS = requires(Role.COMPLAINT_OFFICER, Role.SUPERVISOR, Role.ADMIN)
THROTTLED = {
    429: ResponseSpec(Problem, generate_examples=False, description="过于频繁，见 Retry-After / see Retry-After")
}


def provide_cipher(state: State) -> IdentityCipher:
    """One cipher per app, built at start (``api.app``: the API does not start without its key)."""
    return state.complaint_cipher


Cipher = NamedDependency[IdentityCipher]


class ComplaintController(Controller):
    path = "/complaints"
    tags = ("complaints 投诉举报",)
    dependencies: Mapping[str, Provide] = {"cipher": Provide(provide_cipher, sync_to_thread=False)}

    @post(
        "/submit",
        opt={"public": True},
        responses=THROTTLED,
        summary="提交投诉举报（公开，可匿名；同一地址限次）/ submit, no sign-in needed, limited per address",
    )
    async def submit(
        self, request: Request, db: Db, state: State, cipher: Cipher, data: JSONBody[ComplaintSubmit]
    ) -> Response[ComplaintReceipt]:
        throttle, address = state.settings.throttle, client_address(request)
        outcome = await service.guarded_submit(db, cipher, data, address=address, throttle=throttle)
        return answer(request, outcome, status_code=201)

    @post(
        "/lookup",
        opt={"public": True},
        status_code=200,
        responses=THROTTLED,
        summary="凭查询码查询进度（无效查询码过多则限流）/ progress by token",
    )
    async def lookup(
        self, request: Request, db: Db, state: State, data: JSONBody[StatusLookup]
    ) -> Response[ComplaintPublicStatus]:
        address = client_address(request)
        return answer(request, await service.lookup(db, data.token, address=address, throttle=state.settings.throttle))

    @get(
        "/",
        guards=[LISTERS],
        summary="投诉举报列表 / complaints of the region (office) or transferred to the department",
    )
    async def list_complaints(
        self,
        db: Db,
        principal: Caller,
        status: FromQuery[ComplaintStatus | None] = None,
        overdue: FromQuery[bool] = False,
    ) -> list[ComplaintRead]:
        return await service.list_complaints(db, principal, status, overdue)

    @get(
        "/{complaint_id:uuid}",
        guards=[LISTERS],
        summary="投诉举报详情 / one complaint with its timeline",
    )
    async def read(self, db: Db, principal: Caller, complaint_id: FromPath[uuid.UUID]) -> ComplaintRead:
        return await service.read(db, principal, complaint_id)

    @post("/{complaint_id:uuid}/decision", guards=[OFFICE], status_code=200, summary="受理决定 / accept or refuse")
    async def decide(
        self, db: Db, principal: Caller, complaint_id: FromPath[uuid.UUID], data: JSONBody[Decision]
    ) -> ComplaintRead:
        return await service.decide(db, principal, complaint_id, data.accept, data.reason)

    @post("/{complaint_id:uuid}/transfer", guards=[OFFICE], status_code=200, summary="转办 / transfer")
    async def transfer(
        self, db: Db, principal: Caller, complaint_id: FromPath[uuid.UUID], data: JSONBody[Transfer]
    ) -> ComplaintRead:
        return await service.transfer(db, principal, complaint_id, data.department_id, data.handling_due_on)

    @post("/{complaint_id:uuid}/supervise", guards=[OFFICE], status_code=200, summary="督办 / press an overdue one")
    async def supervise(
        self, db: Db, principal: Caller, complaint_id: FromPath[uuid.UUID], data: JSONBody[Supervision]
    ) -> ComplaintRead:
        return await service.supervise(db, principal, complaint_id, data.note)

    @post("/{complaint_id:uuid}/feedback", guards=[OFFICE], status_code=200, summary="反馈 / answer the complainant")
    async def feedback(
        self, db: Db, principal: Caller, complaint_id: FromPath[uuid.UUID], data: JSONBody[Feedback]
    ) -> ComplaintRead:
        return await service.give_feedback(db, principal, complaint_id, data.feedback)

    @post("/{complaint_id:uuid}/dispatch", guards=[DEPARTMENT], summary="派员核查 / send an inspector")
    async def dispatch(
        self, db: Db, principal: Caller, complaint_id: FromPath[uuid.UUID], data: JSONBody[Dispatch]
    ) -> TaskRead:
        return await service.dispatch(db, principal, complaint_id, data)

    @post("/{complaint_id:uuid}/result", guards=[DEPARTMENT], status_code=200, summary="办理结果 / handling result")
    async def result(
        self, db: Db, principal: Caller, complaint_id: FromPath[uuid.UUID], data: JSONBody[HandlingResult]
    ) -> ComplaintRead:
        return await service.record_result(db, principal, complaint_id, data.result)

    @get(
        "/{complaint_id:uuid}/identity",
        guards=[requires(Role.COMPLAINT_OFFICER)],
        summary="举报人身份（仅受理员，留痕）/ whistleblower identity, complaint officers only, audited",
    )
    async def identity(
        self, db: Db, principal: Caller, cipher: Cipher, complaint_id: FromPath[uuid.UUID]
    ) -> WhistleblowerRead:
        return await service.identity(db, principal, cipher, complaint_id)
