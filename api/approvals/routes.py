"""HTTP routes for 审管联动: the bureau's push and answers; the department's findings and objections."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.approvals import service
from api.auth.guards import requires
from api.deps import Caller, Db
from mobile_contract.approvals import (
    ApprovalPush,
    ApprovalRead,
    FindingCreate,
    ObjectionAnswer,
    ObjectionCreate,
    ObjectionRead,
    ObjectionStatus,
)
from mobile_contract.auth import Role

BUREAU = requires(Role.APPROVAL_BUREAU)
DEPARTMENT = requires(Role.SUPERVISOR, Role.ADMIN)


class ApprovalController(Controller):
    path = "/approvals"
    tags = ("approvals 审管联动",)

    @post(
        "/results",
        guards=[BUREAU],
        summary="推送审批结果（按办件编号幂等）/ push an approval result, idempotent by the bureau's ID",
    )
    async def push(self, db: Db, principal: Caller, data: JSONBody[ApprovalPush]) -> Response[ApprovalRead]:
        result, created = await service.receive(db, principal, data)
        return Response(
            result, status_code=201 if created else 200, headers={"Idempotent-Replay": str(not created).lower()}
        )

    @get("/{approval_id:uuid}", guards=[DEPARTMENT], summary="审批结果及监管反馈 / an approval with its feedback")
    async def read(self, db: Db, principal: Caller, approval_id: FromPath[uuid.UUID]) -> ApprovalRead:
        return await service.read(db, principal, approval_id)

    @post(
        "/{approval_id:uuid}/findings",
        guards=[requires(Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN)],
        status_code=200,
        summary="监管反馈 / feed a supervision finding back to the bureau",
    )
    async def finding(
        self, db: Db, principal: Caller, approval_id: FromPath[uuid.UUID], data: JSONBody[FindingCreate]
    ) -> ApprovalRead:
        return await service.report_finding(db, principal, approval_id, data)

    @post(
        "/{approval_id:uuid}/objections",
        guards=[DEPARTMENT],
        status_code=200,
        summary="函告异议 / ask the bureau to review the approval",
    )
    async def objection(
        self, db: Db, principal: Caller, approval_id: FromPath[uuid.UUID], data: JSONBody[ObjectionCreate]
    ) -> ApprovalRead:
        return await service.raise_objection(db, principal, approval_id, data)

    @get("/objections", guards=[BUREAU], summary="待复核异议 / objections for the bureau to review")
    async def objections(
        self, db: Db, principal: Caller, status: FromQuery[ObjectionStatus | None] = ObjectionStatus.OPEN
    ) -> list[ObjectionRead]:
        return await service.list_objections(db, principal, status)

    @post(
        "/objections/{objection_id:uuid}/answer",
        guards=[BUREAU],
        status_code=200,
        summary="复核答复 / the bureau's answer to an objection",
    )
    async def answer(
        self, db: Db, principal: Caller, objection_id: FromPath[uuid.UUID], data: JSONBody[ObjectionAnswer]
    ) -> ObjectionRead:
        return await service.answer_objection(db, principal, objection_id, data)
