"""Running a plan's draw (随机抽取), turning it into tasks, and publishing it (一公开).

The inputs are read under a lock so two draws cannot both fill a subject's
yearly cap; subjects at the cap sit out (listed in ``capped``). Each drawn
inspector gets a task (source ``random_draw``) that reaches the handheld
through ``GET /sync/pull``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.draws import algorithm, service
from mobile_contract.draws import (
    DrawConflict,
    DrawDocument,
    DrawInspector,
    DrawPlan,
    DrawResults,
    DrawTarget,
    PlanRead,
    PublishedDraw,
    Visit,
    VisitOutcome,
    VisitStatus,
)
from mobile_contract.problems import InvalidInput, NotFound
from storage import audit, draws, tasks, users
from storage.db import Connection


async def run_draw(conn: Connection, principal: Principal, plan_id: uuid.UUID, seed: str | None) -> PublishedDraw:
    """Draw the plan once; asking again returns the published draw unchanged."""
    await draws.lock_draws(conn)
    plan = await service.get_plan(conn, principal, plan_id)
    if plan.draw_id is not None:
        return await published(conn, plan.draw_id)
    document = await _draw(conn, plan, seed or secrets.token_hex(16))
    sha256 = algorithm.digest(document)
    await draws.insert_draw(
        conn,
        id=document.draw_id,
        plan_id=plan.id,
        department_id=plan.department_id,
        document=msgspec.json.encode(document),
        sha256=sha256,
        drawn_by=principal.user_id,
        year=plan.period_start.year,
        usccs=[v.uscc for v in document.visits],
    )
    task_ids = await _assign(conn, principal, document)
    await audit.append_many(conn, _audit_entries(principal, document, sha256, task_ids))
    return PublishedDraw(document=document, sha256=sha256)


async def _draw(conn: Connection, plan: PlanRead, seed: str) -> DrawDocument:
    """Read every input in canonical order, draw, and assemble the document to publish."""
    spec = DrawPlan(**{name: getattr(plan, name) for name in DrawPlan.__struct_fields__})
    register = await service.register(conn, plan.department_id, plan.scope_region_prefix)
    visits_so_far = await draws.visits_in_year(conn, usccs=[t.uscc for t in register], year=plan.period_start.year)
    capped = [t.uscc for t in register if visits_so_far.get(t.uscc, 0) >= plan.yearly_cap]
    targets = [
        DrawTarget(uscc=t.uscc, name=t.name, credit_grade=t.credit_grade, risk_level=t.risk_level, weight=t.weight)
        for t in register
        if t.uscc not in capped
    ]
    inspectors = [
        DrawInspector(user_id=r["user_id"], department_id=r["department_id"], certificate_no=r["certificate_no"])
        for r in await draws.list_inspectors(
            conn, department_ids=algorithm.departments(spec), required_skill=plan.required_skill, active_only=True
        )
    ]
    conflicts = [
        msgspec.convert(dict(r), DrawConflict) for r in await draws.conflicts(conn, usccs=[t.uscc for t in targets])
    ]
    k = algorithm.sample_size(plan.sampling_permille, len(register), len(targets))
    try:
        visits = algorithm.draw_visits(seed, spec, targets, inspectors, conflicts, k)
    except algorithm.Understaffed as short:
        raise await _understaffed(conn, short, targets) from short
    return DrawDocument(
        draw_id=uuid.uuid4(),
        algorithm=algorithm.ALGORITHM,
        seed=seed,
        drawn_at=dt.datetime.now(dt.UTC),
        plan=spec,
        population=len(register),
        sample_size=k,
        capped=capped,
        targets=targets,
        inspectors=inspectors,
        conflicts=conflicts,
        visits=visits,
    )


async def _understaffed(conn: Connection, short: algorithm.Understaffed, targets: list[DrawTarget]) -> InvalidInput:
    """Named by the target's name and code and the department's name, as the supervisor knows them."""
    department = await users.get_department(conn, id=short.department_id)
    target = next((t.name for t in targets if t.uscc == short.uscc), "")
    return InvalidInput(
        f"对象「{target}」（{short.uscc}）在「{department['name'] if department else '（已删除的部门）'}」"
        f"仅有 {short.available} 名无需回避的检查人员，少于每组 {short.needed} 名，请补充检查人员名录库后再抽取",
        str(short),
        code="draw-understaffed",
    )


async def _assign(conn: Connection, principal: Principal, document: DrawDocument) -> list[uuid.UUID]:
    """One task per drawn inspector; the task's detail names the whole visit (joint team, all items)."""
    assignments = []
    for visit in document.visits:
        for team in visit.teams:
            for inspector_id in team.inspector_ids:
                task_id = uuid.uuid4()
                await tasks.create(
                    conn,
                    id=task_id,
                    department_id=team.department_id,
                    assignee_id=inspector_id,
                    source="random_draw",
                    title=f"双随机抽查：{visit.name}",
                    item_code=_items_of(document.plan, team.department_id)[0],
                    due_on=document.plan.period_end,
                    detail=_task_detail(document, visit),
                    created_by=principal.user_id,
                )
                assignments.append((visit.uscc, team.department_id, inspector_id, task_id))
    await draws.insert_assignments(conn, draw_id=document.draw_id, assignments=assignments)
    return [row[3] for row in assignments]


def _items_of(plan: DrawPlan, department_id: uuid.UUID) -> list[str]:
    return [item.item_code for item in plan.items if item.department_id == department_id]


def _task_detail(document: DrawDocument, visit: Visit) -> dict:
    return msgspec.to_builtins(
        {
            "draw_id": document.draw_id,
            "plan_id": document.plan.id,
            "uscc": visit.uscc,
            "name": visit.name,
            "joint": len(visit.teams) > 1,
            "items": document.plan.items,
            "teams": visit.teams,
            "period_start": document.plan.period_start,
            "period_end": document.plan.period_end,
        }
    )


def _audit_entries(
    principal: Principal, document: DrawDocument, sha256: str, task_ids: list[uuid.UUID]
) -> list[audit.AuditEntry]:
    drawn = trail.change(
        principal,
        "draw.run",
        "draw",
        document.draw_id,
        after=sha256,
        detail={"plan_id": str(document.plan.id), "seed": document.seed, "visits": len(document.visits)},
    )
    created = [trail.change(principal, "task.create", "task", t) for t in task_ids]
    return [drawn, *created]


async def published(conn: Connection, draw_id: uuid.UUID) -> PublishedDraw:
    """The published document and its SHA-256, recomputed from what is stored."""
    row = await draws.get_draw(conn, id=draw_id)
    if row is None:
        raise NotFound("抽取结果不存在", f"draw {draw_id} not found")
    document = msgspec.convert(row["document"], DrawDocument)
    return PublishedDraw(document=document, sha256=algorithm.digest(document))


async def results(conn: Connection, draw_id: uuid.UUID) -> DrawResults:
    """抽查结果公示: per drawn subject, the inspection records made for the draw's tasks."""
    document = (await published(conn, draw_id)).document
    found: dict[str, list] = {}
    for row in await draws.visit_results(conn, draw_id=draw_id):
        found.setdefault(row["uscc"], []).append(row)
    visits = []
    for visit in document.visits:
        rows = found.get(visit.uscc, [])
        visits.append(
            VisitOutcome(
                uscc=visit.uscc,
                name=visit.name,
                status=VisitStatus.INSPECTED if rows else VisitStatus.PENDING,
                inspected_at=rows[-1]["occurred_at"] if rows else None,
                results=[r["result"] for r in rows],
            )
        )
    return DrawResults(draw_id=draw_id, plan_title=document.plan.title, visits=visits)
