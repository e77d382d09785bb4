"""HTTP routes for 双随机、一公开: registers, plans, the draw and its publication."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from api.auth.guards import requires
from api.deps import Caller, Db
from api.draws import drawing, service
from mobile_contract.auth import Role
from mobile_contract.draws import (
    ConflictDeclare,
    DrawRequest,
    DrawResults,
    InspectorEnrol,
    InspectorRead,
    PlanCreate,
    PlanRead,
    PlanSummary,
    PublishedDraw,
    TargetRead,
)

MANAGERS = requires(Role.SUPERVISOR, Role.ADMIN)


class DrawController(Controller):
    path = "/draws"
    tags = ("draws 双随机一公开",)

    @get("/targets", guards=[MANAGERS], summary="抽取对象及权重 / the register as the draw sees it, with weights")
    async def list_targets(self, db: Db, principal: Caller, region_prefix: FromQuery[str] = "") -> list[TargetRead]:
        return await service.register(db, principal.department_id, region_prefix)

    @put("/inspectors", guards=[MANAGERS], summary="录入检查人员 / enrol an inspector in the inspector register")
    async def enrol_inspector(self, db: Db, principal: Caller, data: JSONBody[InspectorEnrol]) -> InspectorRead:
        return await service.enrol_inspector(db, principal, data)

    @get("/inspectors", guards=[MANAGERS], summary="执法检查人员名录库 / the department's inspector register")
    async def list_inspectors(self, db: Db, principal: Caller) -> list[InspectorRead]:
        return await service.list_inspectors(db, principal)

    @post(
        "/conflicts",
        guards=[requires(Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN)],
        status_code=204,
        summary="申报回避 / declare a relationship with a subject",
    )
    async def declare_conflict(self, db: Db, principal: Caller, data: JSONBody[ConflictDeclare]) -> None:
        await service.declare_conflict(db, principal, data)

    @post("/plans", guards=[MANAGERS], summary="制定抽查计划 / create a sampling plan")
    async def create_plan(self, db: Db, principal: Caller, data: JSONBody[PlanCreate]) -> PlanRead:
        return await service.create_plan(db, principal, data)

    @get("/plans", guards=[MANAGERS], summary="抽查计划一览（新的在前）/ the department's plans, newest first")
    async def list_plans(self, db: Db, principal: Caller) -> list[PlanSummary]:
        return await service.list_plans(db, principal)

    @get("/plans/{plan_id:uuid}", guards=[MANAGERS], summary="抽查计划 / a sampling plan")
    async def get_plan(self, db: Db, principal: Caller, plan_id: FromPath[uuid.UUID]) -> PlanRead:
        return await service.get_plan(db, principal, plan_id)

    @post(
        "/plans/{plan_id:uuid}/draw",
        guards=[MANAGERS],
        status_code=200,
        summary="随机抽取 / run the plan's draw (once; asking again returns it)",
    )
    async def draw(
        self, db: Db, principal: Caller, plan_id: FromPath[uuid.UUID], data: JSONBody[DrawRequest]
    ) -> PublishedDraw:
        return await drawing.run_draw(db, principal, plan_id, data.seed)

    @get(
        "/{draw_id:uuid}/published",
        opt={"public": True},
        summary="抽取公示 / the published draw: seed, inputs, result and SHA-256 (public)",
    )
    async def published(self, db: Db, draw_id: FromPath[uuid.UUID]) -> PublishedDraw:
        return await drawing.published(db, draw_id)

    @get("/{draw_id:uuid}/results", opt={"public": True}, summary="抽查结果公示 / inspection results (public)")
    async def results(self, db: Db, draw_id: FromPath[uuid.UUID]) -> DrawResults:
        return await drawing.results(db, draw_id)
