"""Rules for complaints and reports: 受理、转办、处理、督办、反馈.

Steps and the statuses they move between (anything else is refused)::

    received ──accept──▶ accepted ──transfer──▶ transferred ──handle──▶ handled ──feedback──▶ closed
        └──reject──▶ rejected (the reason is the answer)      ▲   └─transfer (to another department)

``supervise`` (督办) adds to an overdue matter without moving it; ``dispatch``
sends an inspector of the handling department (a task on the handheld).
Who sees what: complaint officers their region, departments what was
transferred to them, admins everything; only complaint officers see identity.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import uuid

import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.calendar import service as calendar
from api.complaints.deadlines import add_working_days, local_date
from api.complaints.identity import IdentityCipher, KeyUnavailable
from api.settings import ThrottleSettings
from api.tasks import service as task_service
from api.throttling import service as throttling
from api.throttling.policy import Scope
from mobile_contract.auth import Role
from mobile_contract.complaints import (
    ComplaintEvent,
    ComplaintKind,
    ComplaintPublicStatus,
    ComplaintRead,
    ComplaintReceipt,
    ComplaintStatus,
    ComplaintSubmit,
    Dispatch,
    PublicEvent,
    WhistleblowerRead,
)
from mobile_contract.problems import (
    AppError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    TooManyRequests,
    UpstreamError,
)
from mobile_contract.tasks import TaskCreate, TaskRead, TaskSource
from storage import audit, complaints, draws
from storage.db import Connection

ACCEPTANCE_WORKING_DAYS = 7  # 受理决定期限
HANDLING_WORKING_DAYS = 15  # default 办理期限 when the office names none
Status = ComplaintStatus
STEPS: dict[str, tuple[frozenset[Status], Status]] = {
    "accept": (frozenset({Status.RECEIVED}), Status.ACCEPTED),
    "reject": (frozenset({Status.RECEIVED}), Status.REJECTED),
    "transfer": (frozenset({Status.ACCEPTED, Status.TRANSFERRED}), Status.TRANSFERRED),
    "handle": (frozenset({Status.TRANSFERRED}), Status.HANDLED),
    "feedback": (frozenset({Status.HANDLED}), Status.CLOSED),
}
STEP_NAMES = {"accept": "受理", "reject": "不予受理", "transfer": "转办", "handle": "办结", "feedback": "反馈"}
STATUS_NAMES = {
    "received": "已登记，待受理", "accepted": "已受理", "rejected": "不予受理", "transferred": "已转办",
    "handled": "已办结", "closed": "已反馈",
}  # fmt: skip


def today() -> dt.date:
    return local_date(dt.datetime.now(dt.UTC))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def submit(conn: Connection, cipher: IdentityCipher, data: ComplaintSubmit) -> ComplaintReceipt:
    """Register a complaint from the public; the token is returned once and stored only hashed."""
    id, token, now = uuid.uuid4(), secrets.token_urlsafe(24), dt.datetime.now(dt.UTC)
    prefix = "TS" if data.kind is ComplaintKind.COMPLAINT else "JB"
    row = msgspec.structs.asdict(data)
    identity = row.pop("whistleblower")
    row |= {
        "id": id,
        "reference_no": f"{prefix}{local_date(now):%Y%m%d}{secrets.token_hex(4).upper()}",
        "anonymous": identity is None,
        "identity_ciphertext": None if identity is None else cipher.seal(identity, id),
        "identity_key_id": None if identity is None else cipher.key_id,
        "token_sha256": token_hash(token),
        "received_at": now,
        "acceptance_due_on": add_working_days(await calendar.current(conn), local_date(now), ACCEPTANCE_WORKING_DAYS),
    }
    await complaints.insert(conn, row=row)
    await complaints.add_event(
        conn, complaint_id=id, actor_id=None, action="received", status_after=Status.RECEIVED, note="", public=True
    )
    await audit.append(conn, _public_entry(id, data))
    return ComplaintReceipt(
        reference_no=row["reference_no"], token=token, received_at=now, acceptance_due_on=row["acceptance_due_on"]
    )


def _public_entry(id: uuid.UUID, data: ComplaintSubmit) -> audit.AuditEntry:
    return audit.AuditEntry(
        actor_id=None,
        actor_role="public",
        department_id=None,
        device_id=None,
        action="complaint.submit",
        entity_type="complaint",
        entity_id=str(id),
        detail={"kind": data.kind, "channel": data.channel, "anonymous": data.whistleblower is None},
    )


async def guarded_submit(
    conn: Connection, cipher: IdentityCipher, data: ComplaintSubmit, *, address: str, throttle: ThrottleSettings
) -> ComplaintReceipt | AppError:
    """``submit``, at most ``throttle.complaint_submits`` per address and window (each starts a legal deadline)."""
    at = throttling.now()
    (counter,) = await throttling.hold(conn, [(Scope.SUBMIT_ADDRESS, address)], at)
    problem = functools.partial(submissions_wait, throttle)
    if (refused := await throttling.refusal(conn, [counter], address=address, at=at, problem=problem)) is not None:
        return refused
    await throttling.submitted(conn, counter, throttle, throttling.public_actor(address), at)
    return await submit(conn, cipher, data)


def submissions_wait(throttle: ThrottleSettings, seconds: int) -> TooManyRequests:
    window, wait = throttling.readable_wait(throttle.complaint_window_s), throttling.readable_wait(seconds)
    return throttling.must_wait(
        seconds,
        code="submissions-throttled",
        detail=f"同一网络在{window}内最多提交 {throttle.complaint_submits} 件投诉举报，请{wait}后再提交；"
        "情况紧急请拨打 12336 自然资源违法举报电话",
        detail_en=f"at most {throttle.complaint_submits} complaints per address in {throttle.complaint_window_s} s;"
        f" retry after {seconds} s",
    )


def lookups_wait(seconds: int) -> TooManyRequests:
    return throttling.must_wait(
        seconds,
        code="lookups-throttled",
        detail=f"无效查询码过多，请{throttling.readable_wait(seconds)}后再查询，并核对回执上的查询码",
        detail_en=f"too many unknown lookup tokens from this address; retry after {seconds} s",
    )


async def lookup(
    conn: Connection, token: str, *, address: str, throttle: ThrottleSettings
) -> ComplaintPublicStatus | AppError:
    """Progress by token; unknown tokens from one address back off (the token cannot be guessed by trying)."""
    at = throttling.now()
    counter = await throttling.hold(conn, [(Scope.LOOKUP_ADDRESS, address)], at)
    if (refused := await throttling.refusal(conn, counter, address=address, at=at, problem=lookups_wait)) is not None:
        return refused
    row = await complaints.get_by_token(conn, token_sha256=token_hash(token))
    if row is None:
        await throttling.failed(conn, counter, throttle, throttling.public_actor(address), at)
        return NotFound("查询码无效，请核对回执上的查询码", "no complaint for this token")
    events = await complaints.events(conn, complaint_ids=[row["id"]], public_only=True)
    return ComplaintPublicStatus(
        reference_no=row["reference_no"],
        status=row["status"],
        received_at=row["received_at"],
        acceptance_due_on=row["acceptance_due_on"],
        events=[msgspec.convert(dict(e), PublicEvent, strict=False) for e in events],
        feedback=row["feedback"],
    )


def _visible(principal: Principal, row) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.COMPLAINT_OFFICER:
        return row["region_code"] == principal.region_code
    return row["department_id"] == principal.department_id


async def _load(conn: Connection, principal: Principal, id: uuid.UUID, *, lock: bool = False):
    row = await complaints.get(conn, id=id, today=today(), lock=lock)
    if row is None or not _visible(principal, row):
        raise NotFound("投诉举报不存在或不在您的办理范围内", f"complaint {id} not found")
    return row


async def read(conn: Connection, principal: Principal, id: uuid.UUID) -> ComplaintRead:
    return (await _reads(conn, [await _load(conn, principal, id)]))[0]


async def list_complaints(
    conn: Connection, principal: Principal, status: Status | None, overdue_only: bool
) -> list[ComplaintRead]:
    office = principal.role is Role.COMPLAINT_OFFICER
    rows = await complaints.list_for(
        conn,
        today=today(),
        region_code=principal.region_code if office else None,
        department_id=None if office else principal.department_scope,
        status=status,
        overdue_only=overdue_only,
    )
    return await _reads(conn, rows)


async def _reads(conn: Connection, rows: list) -> list[ComplaintRead]:
    events: dict[uuid.UUID, list[ComplaintEvent]] = {r["id"]: [] for r in rows}
    for e in await complaints.events(conn, complaint_ids=list(events), public_only=False):
        events[e["complaint_id"]].append(msgspec.convert(dict(e), ComplaintEvent, strict=False))
    return [msgspec.convert(dict(r) | {"events": events[r["id"]]}, ComplaintRead, strict=False) for r in rows]


async def step(
    conn: Connection, principal: Principal, id: uuid.UUID, name: str, *, note: str, changes: dict | None = None
) -> ComplaintRead:
    """Move the complaint by one step of ``STEPS``, with its timeline event and audit entry."""
    row = await _load(conn, principal, id, lock=True)
    allowed, target = STEPS[name]
    if row["status"] not in allowed:
        raise InvalidTransition(
            f"当前状态（{STATUS_NAMES[row['status']]}）不能{STEP_NAMES[name]}",
            f"cannot {name} a complaint in status {row['status']}",
        )
    await complaints.update(conn, id=id, changes={"status": target, **(changes or {})})
    await complaints.add_event(
        conn, complaint_id=id, actor_id=principal.user_id, action=name, status_after=target, note=note, public=True
    )
    await audit.append(
        conn, trail.change(principal, f"complaint.{name}", "complaint", id, detail=msgspec.to_builtins(changes))
    )
    return await read(conn, principal, id)


async def decide(conn: Connection, principal: Principal, id: uuid.UUID, accept: bool, reason: str) -> ComplaintRead:
    changes = {"decided_at": dt.datetime.now(dt.UTC), "decision_reason": reason}
    if not accept:
        changes["feedback"] = reason  # the refusal and its reason are the answer to the complainant
    return await step(conn, principal, id, "accept" if accept else "reject", note=reason, changes=changes)


async def transfer(
    conn: Connection, principal: Principal, id: uuid.UUID, department_id: uuid.UUID, due_on: dt.date | None
) -> ComplaintRead:
    if not await draws.existing_departments(conn, ids=[department_id]):
        raise InvalidInput("承办部门不存在", f"department {department_id} not found")
    due_on = due_on or add_working_days(await calendar.current(conn), today(), HANDLING_WORKING_DAYS)
    changes = {"department_id": department_id, "handling_due_on": due_on}
    return await step(conn, principal, id, "transfer", note=f"办理期限 {due_on:%Y-%m-%d}", changes=changes)


async def record_result(conn: Connection, principal: Principal, id: uuid.UUID, result: str) -> ComplaintRead:
    return await step(conn, principal, id, "handle", note="", changes={"handling_result": result})


async def give_feedback(conn: Connection, principal: Principal, id: uuid.UUID, feedback: str) -> ComplaintRead:
    return await step(conn, principal, id, "feedback", note=feedback, changes={"feedback": feedback})


async def supervise(conn: Connection, principal: Principal, id: uuid.UUID, note: str) -> ComplaintRead:
    """督办: only an overdue matter; the department sees the count and the note."""
    row = await _load(conn, principal, id, lock=True)
    if not row["overdue"]:
        raise InvalidTransition("该事项未超期，无需督办", "only overdue complaints are supervised", code="not-overdue")
    await complaints.count_supervision(conn, id=id)
    await complaints.add_event(
        conn,
        complaint_id=id,
        actor_id=principal.user_id,
        action="supervise",
        status_after=row["status"],
        note=note,
        public=False,
    )
    await audit.append(conn, trail.change(principal, "complaint.supervise", "complaint", id))
    return await read(conn, principal, id)


async def dispatch(conn: Connection, principal: Principal, id: uuid.UUID, data: Dispatch) -> TaskRead:
    """派员核查: a task for an inspector of the handling department, without the whistleblower's identity."""
    row = await _load(conn, principal, id, lock=True)
    if row["status"] != Status.TRANSFERRED or row["department_id"] != principal.department_id:
        raise InvalidTransition("只有转办给本单位、尚未办结的事项可以派员核查", "complaint is not with this department")
    detail = {k: row[k] for k in ("reference_no", "subject_name", "subject_uscc", "location", "content")}
    task = await task_service.create_task(
        conn,
        principal,
        TaskCreate(
            id=data.task_id,
            assignee_id=data.assignee_id,
            title=f"投诉举报核查：{row['subject_name']}"[:200],
            source=TaskSource.COMPLAINT,
            due_on=data.due_on or row["handling_due_on"],
            detail=detail | {"complaint_id": str(id)},
        ),
    )
    await complaints.add_event(
        conn,
        complaint_id=id,
        actor_id=principal.user_id,
        action="dispatch",
        status_after=row["status"],
        note=str(data.assignee_id),
        public=False,
    )
    return task


async def identity(conn: Connection, principal: Principal, cipher: IdentityCipher, id: uuid.UUID) -> WhistleblowerRead:
    """举报人身份: complaint officers of the region only; every reading is audited."""
    sealed = await complaints.get_identity(conn, id=id)
    if sealed is None or sealed["region_code"] != principal.region_code:
        raise NotFound("投诉举报不存在或不在您的办理范围内", f"complaint {id} not found")
    if sealed["identity_ciphertext"] is None:
        raise NotFound("该投诉举报为匿名提交，没有举报人信息", "anonymous complaint", code="anonymous")
    try:
        person = cipher.open(sealed["identity_ciphertext"], id, sealed["identity_key_id"])
    except KeyUnavailable as exc:
        raise UpstreamError("举报人信息暂时无法解密，请联系系统管理员", str(exc), code="identity-key") from exc
    await audit.append(conn, trail.change(principal, "complaint.identity.view", "complaint", id))
    return WhistleblowerRead(**msgspec.structs.asdict(person), complaint_id=id)
