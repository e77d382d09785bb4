"""HTTP routes for cases (案件)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.auth.guards import requires
from api.auth.roles import FILE_READERS, INSPECTORS
from api.cases import search, service, workflow
from api.deps import Caller, Db
from api.idempotency import HTTP_STATUS, Outcome, not_found
from mobile_contract.auth import Role
from mobile_contract.case_list import CasePage, CaseQuery, SearchText
from mobile_contract.case_state import DepartmentDeadline, WorkflowRead
from mobile_contract.problems import AppError
from mobile_contract.records import CaseCreate, CaseRead, CaseUpdate, CaseVersionRead
from mobile_contract.workflow import CaseEventRead, CaseStage, TransitionCreate

STEP_TAKERS = requires(Role.INSPECTOR, Role.SUPERVISOR)  # finer roles per step: api/cases/machine.py
OVERSEERS = requires(Role.SUPERVISOR, Role.ADMIN)  # 督办: the department's deadlines


class CaseController(Controller):
    path = "/cases"
    tags = ("cases 案件",)

    @post("/", guards=[INSPECTORS], summary="立案登记（可安全重发）/ open a case, safe to retry")
    async def create(self, db: Db, principal: Caller, data: JSONBody[CaseCreate]) -> Response[CaseRead]:
        outcome = (await service.create_cases(db, principal, [data]))[data.id]
        if isinstance(outcome, AppError):
            raise outcome
        read = (await service.read_cases(db, [data.id]))[data.id]
        return Response(
            read,
            status_code=HTTP_STATUS[outcome],
            headers={"Idempotent-Replay": str(outcome is Outcome.REPLAYED).lower()},
        )

    @get("/", guards=[FILE_READERS], summary="案件列表与查询（新的在前）/ list and search cases, newest first")
    async def list_cases(
        self,
        db: Db,
        principal: Caller,
        number: Annotated[SearchText, QueryParameter(description="文书编号（部分）/ document number, or part")] = "",
        party: Annotated[SearchText, QueryParameter(description="当事人名称（部分）或代码 / party name or code")] = "",
        stage: FromQuery[CaseStage | None] = None,
        officer_id: FromQuery[uuid.UUID | None] = None,
        registered_from: FromQuery[dt.date | None] = None,
        registered_to: FromQuery[dt.date | None] = None,
        department_id: FromQuery[uuid.UUID | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> CasePage:
        query = CaseQuery(
            number=number,
            party=party,
            stage=stage,
            officer_id=officer_id,
            registered_from=registered_from,
            registered_to=registered_to,
        )
        return await search.search(db, principal, query, department_id=department_id, cursor=cursor, limit=limit)

    @put("/{case_id:uuid}", guards=[INSPECTORS], summary="修改案件（须带基准版本）/ edit a case")
    async def update(
        self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID], data: JSONBody[CaseUpdate]
    ) -> Response[CaseRead]:
        outcome = await service.update_case(db, principal, case_id, data)
        return Response((await service.read_cases(db, [case_id]))[case_id], status_code=HTTP_STATUS[outcome])

    @get("/{case_id:uuid}", guards=[FILE_READERS], summary="查看案件 / read a case")
    async def read(self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> CaseRead:
        found = await service.read_cases(db, [case_id], principal.department_scope)
        if case_id not in found:
            raise not_found(service.ENTITY, case_id)
        return found[case_id]

    @get("/{case_id:uuid}/versions", guards=[FILE_READERS], summary="历史版本 / every version")
    async def versions(self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> list[CaseVersionRead]:
        return await service.list_versions(db, principal, case_id)


class CaseWorkflowController(Controller):
    """The procedure of a case (办案流程): where it stands, its steps, its full-process record."""

    path = "/cases/{case_id:uuid}"
    tags = ("case workflow 办案流程",)

    @get("/workflow", guards=[FILE_READERS], summary="办案状态、期限与可执行步骤 / stage, deadlines and next steps")
    async def workflow(self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> WorkflowRead:
        return await workflow.read(db, principal, case_id)

    @post("/workflow/steps", guards=[STEP_TAKERS], summary="执行程序步骤（可安全重发）/ take a procedure step")
    async def take_step(
        self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID], data: JSONBody[TransitionCreate]
    ) -> Response[WorkflowRead]:
        outcome = await workflow.advance(db, principal, case_id, data.id, data.step)
        return Response(await workflow.read(db, principal, case_id), status_code=HTTP_STATUS[outcome])

    @get("/history", guards=[FILE_READERS], summary="全过程记录 / every step of the case, hash-chained")
    async def history(self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> list[CaseEventRead]:
        return await workflow.history(db, principal, case_id)


class DeadlineController(Controller):
    path = "/deadlines"
    tags = ("case workflow 办案流程",)

    @get(
        "/",
        guards=[OVERSEERS],
        summary="督办清单：已逾期、即将到期、无法计算的期限 / overdue and due-soon list",
    )
    async def due(
        self, db: Db, principal: Caller, within_days: Annotated[int, QueryParameter(ge=0, le=90)] = 3
    ) -> list[DepartmentDeadline]:
        return await workflow.department_deadlines(db, principal, within_days)
