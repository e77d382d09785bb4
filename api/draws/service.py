"""Rules for the registers (名录库) and sampling plans (抽查计划) of 双随机、一公开.

The target register (检查对象名录库) is the subjects domain's: a department's
subjects (``/subjects``). Their credit grades (``api.credit``) and risk scores
(``api.risk``) give the draw weight.
"""

from __future__ import annotations

import uuid

import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.credit import service as credit
from api.draws import algorithm
from api.risk import service as risk
from mobile_contract.auth import Role
from mobile_contract.codes import uscc_problem
from mobile_contract.draws import (
    ConflictDeclare,
    InspectorEnrol,
    InspectorRead,
    PlanCreate,
    PlanItem,
    PlanRead,
    PlanSummary,
    TargetRead,
)
from mobile_contract.parties import PartyKind
from mobile_contract.problems import Conflict, InvalidInput, NotFound
from storage import audit, draws, subjects, tasks
from storage.db import Connection

PLANS_LISTED = 200  # a department makes a few plans a year
DRAWABLE_KINDS = [PartyKind.LEGAL_PERSON, PartyKind.OTHER_ORGANISATION, PartyKind.INDIVIDUAL_BUSINESS]


async def register(conn: Connection, department_id: uuid.UUID, region_prefix: str) -> list[TargetRead]:
    """检查对象名录库 as the draw sees it, in canonical (USCC) order.

    Market subjects of the department's register with a valid USCC (natural persons and
    individual businesses known only by an ID number are not drawn), within the region prefix,
    with the credit grade (``api.credit``) and risk score (``api.risk``) of today.
    """
    found = [
        r
        for r in await subjects.list_for_department(conn, department_id=department_id, kinds=DRAWABLE_KINDS)
        if r["region_code"].startswith(region_prefix) and uscc_problem(r["key"]) is None
    ]
    ids = [r["id"] for r in found]
    grades, risks = await credit.current_grades(conn, ids), await risk.scores(conn, ids)
    targets = []
    for r in sorted(found, key=lambda r: r["key"]):
        grade, score = grades[r["id"]].grade, risks[r["id"]]
        targets.append(
            TargetRead(
                subject_id=r["id"],
                uscc=r["key"],
                name=r["name"],
                region_code=r["region_code"],
                credit_grade=grade,
                risk_score=score.score,
                risk_level=score.level,
                weight=algorithm.weight(grade, score.level),
            )
        )
    return targets


async def enrol_inspector(conn: Connection, principal: Principal, data: InspectorEnrol) -> InspectorRead:
    if not await tasks.is_department_inspector(conn, user_id=data.user_id, department_id=principal.department_id):
        raise InvalidInput("只能将本单位在岗执法人员录入检查人员名录库", "user is not an inspector of the department")
    await draws.enrol_inspector(conn, department_id=principal.department_id, **msgspec.structs.asdict(data))
    await audit.append(
        conn,
        trail.change(
            principal,
            "draw_inspector.enrol",
            "user",
            data.user_id,
            detail={"skills": data.skills, "active": data.active},
        ),
    )
    (found,) = [i for i in await list_inspectors(conn, principal) if i.user_id == data.user_id]
    return found


async def list_inspectors(conn: Connection, principal: Principal) -> list[InspectorRead]:
    rows = await draws.list_inspectors(
        conn, department_ids=[principal.department_id], required_skill=None, active_only=False
    )
    return [msgspec.convert(dict(r), InspectorRead) for r in rows]


async def declare_conflict(conn: Connection, principal: Principal, data: ConflictDeclare) -> None:
    """回避申报: inspectors for themselves, supervisors for their department's inspectors."""
    if principal.role is Role.INSPECTOR and data.inspector_id != principal.user_id:
        raise InvalidInput("执法人员只能为本人申报回避", "inspectors declare their own conflicts only")
    if not await tasks.is_department_inspector(conn, user_id=data.inspector_id, department_id=principal.department_id):
        raise NotFound("该执法人员不属于本单位", f"inspector {data.inspector_id} not in the department")
    await draws.declare_conflict(conn, declared_by=principal.user_id, **msgspec.structs.asdict(data))
    await audit.append(
        conn,
        trail.change(
            principal,
            "draw_conflict.declare",
            "user",
            data.inspector_id,
            detail={"uscc": data.uscc},
        ),
    )


async def create_plan(conn: Connection, principal: Principal, data: PlanCreate) -> PlanRead:
    """New plan, or the stored one when the same plan is sent again; its departments must exist."""
    departments = {item.department_id for item in data.items}
    if missing := departments - await draws.existing_departments(conn, ids=departments):
        raise InvalidInput("检查事项所属部门不存在", f"unknown departments {sorted(map(str, missing))}")
    row = msgspec.structs.asdict(data) | {"department_id": principal.department_id, "created_by": principal.user_id}
    plan_id, items = row["id"], row.pop("items")
    if await draws.create_plan(conn, row=row, items=items):
        await audit.append(
            conn,
            trail.change(
                principal,
                "draw_plan.create",
                "draw_plan",
                plan_id,
                detail={"departments": sorted(map(str, departments))},
            ),
        )
    plan = await get_plan(conn, principal, plan_id)
    if any(getattr(plan, name) != getattr(data, name) for name in PlanCreate.__struct_fields__):
        raise Conflict("计划编号已被另一份内容不同的计划使用", "plan id exists with other content", code="id-conflict")
    return plan


async def get_plan(conn: Connection, principal: Principal, plan_id: uuid.UUID) -> PlanRead:
    found = await draws.get_plan(conn, id=plan_id)
    if found is None or not principal.can_see_department(found[0]["department_id"]):
        raise NotFound("抽查计划不存在或不属于本单位", f"plan {plan_id} not found")
    plan, items = found
    return msgspec.convert(
        dict(plan) | {"items": [PlanItem(department_id=i["department_id"], item_code=i["item_code"]) for i in items]},
        PlanRead,
    )


async def list_plans(conn: Connection, principal: Principal) -> list[PlanSummary]:
    """The department's sampling plans (admins: every department's), newest first."""
    rows = await draws.plan_summaries(conn, department_id=principal.department_scope, limit=PLANS_LISTED)
    return [msgspec.convert(dict(r), PlanSummary) for r in rows]
