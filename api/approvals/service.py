"""Rules for 审管联动: an approval result starts supervision; findings and objections go back.

- A push is idempotent by the bureau's own ID: the same content again returns
  the stored result (no second task); other content under that ID is 409.
- The applicant joins the department's target register (so random draws reach it).
- Each result gives the responsible department a supervision task, assigned to
  its longest-serving active supervisor (who passes it on); a 告知承诺
  approval also gets a promise-verification task due ``verify_within_days``
  after the decision.
- A kept or broken promise also becomes a credit fact (commitment_kept /
  commitment_broken) of the applicant, which moves its credit grade.
- Findings and objections are queued in the feedback outbox in the same
  transaction, so nothing is fed back that was not recorded, and nothing
  recorded stays unsent (see ``api.approvals.outbox``).
"""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.credit import service as credit
from api.idempotency import content_hash
from api.subjects.service import new_id
from mobile_contract.approvals import (
    ApprovalPush,
    ApprovalRead,
    FeedbackMessage,
    FindingCreate,
    FindingKind,
    FindingRead,
    ObjectionAnswer,
    ObjectionCreate,
    ObjectionRead,
    ObjectionStatus,
    PromiseStatus,
)
from mobile_contract.credit import CreditFactKind, CreditRecordCreate
from mobile_contract.problems import Conflict, InvalidInput, InvalidTransition, NotFound
from storage import approvals, audit, subjects, tasks, users
from storage.db import Connection

PROMISE_OF = {FindingKind.PROMISE_KEPT: PromiseStatus.KEPT, FindingKind.PROMISE_BREACHED: PromiseStatus.BREACHED}
CREDIT_OF = {
    FindingKind.PROMISE_KEPT: CreditFactKind.COMMITMENT_KEPT,
    FindingKind.PROMISE_BREACHED: CreditFactKind.COMMITMENT_BROKEN,
}


async def receive(conn: Connection, principal: Principal, data: ApprovalPush) -> tuple[ApprovalRead, bool]:
    """Store a pushed result and start supervision; (result, True) when new, (stored, False) on a replay."""
    await approvals.lock_ref(conn, bureau_ref=data.bureau_ref)
    sha256 = content_hash(data)
    if (stored := await _stored(conn, principal, data, sha256)) is not None:
        return stored, False
    department = await users.get_department_by_code(conn, code=data.department_code)
    if department is None:
        raise InvalidInput(f"监管部门编码 {data.department_code} 不存在", "unknown department_code")
    subject_id = await _register_applicant(conn, principal, data, department["id"])
    assignee = await approvals.lead_supervisor(conn, department_id=department["id"])
    if assignee is None:
        raise InvalidInput(
            "该监管部门没有在岗的监管负责人，无法接收监管任务", "no active supervisor", code="no-supervisor"
        )
    id = uuid.uuid4()
    verify_by = data.decided_on + dt.timedelta(days=data.verify_within_days) if data.commitment else None
    row = {
        "id": id,
        "bureau_ref": data.bureau_ref,
        "content_sha256": sha256,
        "content": msgspec.to_builtins(data),
        "commitment": data.commitment,
        "department_id": department["id"],
        "applicant_uscc": data.applicant_uscc,
        "bureau_department_id": principal.department_id,
        "item_code": data.item_code,
        "decided_on": data.decided_on,
        "verify_by": verify_by,
        "promise_status": PromiseStatus.PENDING if data.commitment else None,
        "supervision_task_id": await _task(conn, principal, data, department["id"], assignee, id, None),
        "verification_task_id": await _task(conn, principal, data, department["id"], assignee, id, verify_by)
        if data.commitment
        else None,
    }
    await approvals.insert_result(conn, row=row)
    detail = {"bureau_ref": data.bureau_ref, "subject_id": str(subject_id)}
    await audit.append(conn, trail.change(principal, "approval.receive", "approval", id, detail=detail))
    return await _read(conn, await approvals.get(conn, id=id)), True


async def _stored(conn: Connection, principal: Principal, data: ApprovalPush, sha256: str) -> ApprovalRead | None:
    """The result already stored under the push's bureau_ref, if this bureau pushed this content (a replay)."""
    existing = await approvals.get_by_ref(conn, bureau_ref=data.bureau_ref)
    if existing is None:
        return None
    if existing["content_sha256"] != sha256 or existing["bureau_department_id"] != principal.department_id:
        raise Conflict(
            f"办件编号 {data.bureau_ref} 已推送过不同内容的审批结果",
            "bureau_ref exists with other content",
            code="id-conflict",
        )
    return await _read(conn, existing)


async def _register_applicant(
    conn: Connection, principal: Principal, data: ApprovalPush, department_id: uuid.UUID
) -> uuid.UUID:
    """审管联动: the approved applicant joins the department's target register (检查对象名录库)."""
    row = {
        "id": new_id(),
        "kind": data.applicant_kind,
        "subject_key": data.applicant_uscc,
        "name": data.applicant_name,
        "region_code": data.applicant_uscc[2:8],  # USCC characters 3–8: the registering authority's region
        "created_by": principal.user_id,
    }
    subject, _, _ = await subjects.ensure(conn, row=row, department_id=department_id)
    return subject["id"]


async def _task(
    conn: Connection,
    principal: Principal,
    data: ApprovalPush,
    department_id: uuid.UUID,
    assignee: uuid.UUID,
    approval_id: uuid.UUID,
    verify_by: dt.date | None,
) -> uuid.UUID:
    """The supervision task, or (with ``verify_by``) the promise-verification task."""
    task_id = uuid.uuid4()
    what = "告知承诺核查" if verify_by else "审批后监管"
    detail = {"approval_id": str(approval_id), "bureau_ref": data.bureau_ref, "applicant_uscc": data.applicant_uscc}
    await tasks.create(
        conn,
        id=task_id,
        department_id=department_id,
        assignee_id=assignee,
        source="approval",
        title=f"{what}：{data.applicant_name}（{data.item_name}）"[:200],
        item_code=data.item_code,
        due_on=verify_by,
        detail=detail | ({"promise": data.promise} if verify_by else {}),
        created_by=principal.user_id,
    )
    return task_id


async def _read(conn: Connection, row) -> ApprovalRead:
    found = [msgspec.convert(dict(r), FindingRead) for r in await approvals.findings(conn, approval_id=row["id"])]
    raised = [msgspec.convert(dict(r), ObjectionRead) for r in await approvals.objections(conn, approval_id=row["id"])]
    return msgspec.convert(dict(row) | {"findings": found, "objections": raised}, ApprovalRead)


async def read(conn: Connection, principal: Principal, id: uuid.UUID) -> ApprovalRead:
    row = await approvals.get(conn, id=id)
    if row is None or not principal.can_see_department(row["department_id"]):
        raise NotFound("审批结果不存在或不由本单位监管", f"approval {id} not found")
    return await _read(conn, row)


async def report_finding(conn: Connection, principal: Principal, id: uuid.UUID, data: FindingCreate) -> ApprovalRead:
    """监管反馈: record the finding, settle the promise if it is about one, and queue it for the bureau."""
    approval = await read(conn, principal, id)
    if data.kind in PROMISE_OF and not approval.commitment:
        raise InvalidInput("该审批不是告知承诺制审批，没有承诺可核查", "not a commitment approval")
    row = msgspec.structs.asdict(data) | {
        "approval_id": id,
        "department_id": principal.department_id,
        "created_by": principal.user_id,
    }
    if await approvals.insert_finding(conn, row=row):
        if data.kind in PROMISE_OF:
            await approvals.set_promise_status(conn, id=id, status=PROMISE_OF[data.kind])
            await _credit_fact(conn, principal, approval, data)
        await _enqueue(conn, principal, approval, "finding", msgspec.to_builtins(data))
        await audit.append(
            conn, trail.change(principal, "approval.finding", "approval", id, detail={"finding_id": str(data.id)})
        )
    return await read(conn, principal, id)


async def _credit_fact(conn: Connection, principal: Principal, approval: ApprovalRead, data: FindingCreate) -> None:
    """信用承诺履行情况纳入信用记录 (seed 002): a kept or broken promise is a credit fact of the applicant."""
    subject = await subjects.get_by_key(conn, key=approval.content.applicant_uscc, department_id=approval.department_id)
    assert subject is not None, "the applicant joined the register when the approval arrived"
    await credit.record_fact(
        conn,
        principal,
        CreditRecordCreate(
            subject_id=subject["id"],
            kind=CREDIT_OF[data.kind],
            decided_on=credit.today(),
            summary=data.summary,
            source_kind="approval_finding",
            source_id=str(data.id),
        ),
    )


async def raise_objection(conn: Connection, principal: Principal, id: uuid.UUID, data: ObjectionCreate) -> ApprovalRead:
    """函告异议 (seed 001, 15): the bureau reviews the file and procedure and answers."""
    approval = await read(conn, principal, id)
    row = {
        "id": data.id,
        "approval_id": id,
        "department_id": principal.department_id,
        "grounds": data.grounds,
        "reason": data.reason,
        "raised_by": principal.user_id,
    }
    if await approvals.insert_objection(conn, row=row):
        await _enqueue(conn, principal, approval, "objection", msgspec.to_builtins(data))
        await audit.append(
            conn, trail.change(principal, "approval.objection", "approval", id, detail={"objection_id": str(data.id)})
        )
    return await read(conn, principal, id)


async def _enqueue(conn: Connection, principal: Principal, approval: ApprovalRead, kind: str, body: dict) -> None:
    message = FeedbackMessage(
        message_id=uuid.uuid4(),
        kind=kind,
        bureau_ref=approval.bureau_ref,
        department_code=approval.content.department_code,
        body=body | {"reported_by": str(principal.user_id), "reported_at": dt.datetime.now(dt.UTC).isoformat()},
    )
    await approvals.enqueue(
        conn, id=message.message_id, kind=kind, approval_id=approval.id, payload=msgspec.to_builtins(message)
    )


async def list_objections(
    conn: Connection, principal: Principal, status: ObjectionStatus | None
) -> list[ObjectionRead]:
    """A bureau sees the objections to the approvals it pushed, no other bureau's."""
    rows = await approvals.objections(conn, status=status, bureau_department_id=principal.department_id)
    return [msgspec.convert(dict(r), ObjectionRead) for r in rows]


async def answer_objection(
    conn: Connection, principal: Principal, objection_id: uuid.UUID, data: ObjectionAnswer
) -> ObjectionRead:
    """复核答复: recorded once; the department reads it on the approval."""
    if not await approvals.objections(conn, id=objection_id, bureau_department_id=principal.department_id):
        raise NotFound("异议不存在", f"objection {objection_id} not found")
    if not await approvals.answer_objection(
        conn, id=objection_id, decision=data.decision, answer=data.answer, answered_by=principal.user_id
    ):
        raise InvalidTransition("该异议已答复", "objection already answered")
    (row,) = await approvals.objections(conn, id=objection_id)
    await audit.append(
        conn,
        trail.change(
            principal,
            "approval.objection.answer",
            "approval_objection",
            objection_id,
            detail={"decision": data.decision},
        ),
    )
    return msgspec.convert(dict(row), ObjectionRead)
