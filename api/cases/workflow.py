"""Taking a procedure step on a case (办案流程), and reading where the case stands.

``advance`` runs one step in the request's transaction: lock the case's
workflow row, answer a retried step from its stored event, load the facts the
guards need, check, apply, run the side effects (``flows``), append the
step to the case's hash-chained history, store the new state and its
deadlines, and write the audit entry last.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import asyncpg
import msgspec

from api import idempotency
from api.audit import trail
from api.auth.principal import Principal
from api.calendar import service as calendar
from api.calendar.workdays import WorkingCalendar
from api.cases import clock, deadlines, flows, machine
from api.cases.guards import Facts, ReviewCheck
from api.discretion import service as discretion
from api.documents.issuing import CaseFile
from api.idempotency import Outcome
from mobile_contract.calendar import DeadlineChange
from mobile_contract.case_state import DeadlineRead, DepartmentDeadline, NextStep, WorkflowRead, WorkflowState
from mobile_contract.documents import DocumentRead
from mobile_contract.evidence import EvidenceStatus, IntegrityOutcome
from mobile_contract.parties import Officer
from mobile_contract.problems import Conflict
from mobile_contract.records import CaseContent
from mobile_contract.types import tag_of
from mobile_contract.workflow import CaseEventRead, Decide, Notify, Step, action_of
from storage import audit, versioned
from storage import workflow as sql
from storage.canonical import canonical_json
from storage.db import Connection
from storage.versioned import CASES

ENTITY = "案件"
INITIAL = WorkflowState()
PENDING = (EvidenceStatus.DECLARED.value, EvidenceStatus.UPLOADING.value)


def encode_state(state: WorkflowState) -> str:
    return msgspec.json.encode(state).decode()


def decode_state(raw: object) -> WorkflowState:
    return msgspec.convert(raw, WorkflowState)


async def case_file(conn: Connection, principal: Principal, case_id: uuid.UUID) -> CaseFile:
    """The case in the caller's scope, with the officers named on its records; 404 otherwise."""
    found = await versioned.fetch_current(conn, table=CASES, ids=[case_id], department_id=principal.department_scope)
    if case_id not in found:
        raise idempotency.not_found(ENTITY, case_id)
    row = found[case_id]
    officers: dict[uuid.UUID, Officer] = {}
    for listed in await sql.case_officers(conn, case_id=case_id):
        for officer in msgspec.convert(listed, list[Officer]):
            officers.setdefault(officer.user_id, officer)
    return CaseFile(
        id=case_id,
        department_id=row["department_id"],
        created_by=row["created_by"],
        content=msgspec.convert(row["content"], CaseContent),
        officers=list(officers.values()),
    )


async def load_facts(
    conn: Connection, case: CaseFile, step: Step | None, actor_id: uuid.UUID, review: ReviewCheck | None = None
) -> Facts:
    records = await sql.case_records(conn, case_id=case.id)
    evidence = await sql.case_evidence(conn, case_id=case.id)
    investigators = {u for r in records for u in r["participant_ids"]} | {r["created_by"] for r in records}
    needs_benchmark = isinstance(step, Notify | Decide)
    return Facts(
        today=clock.today(),
        calendar=await calendar.current(conn),
        actor_id=actor_id,
        record_officer_counts=tuple(r["officers"] for r in records),
        evidence_unverified=tuple(e["id"] for e in evidence if e["status"] in PENDING),
        evidence_failed=tuple(e["id"] for e in evidence if failed(e)),
        investigators=frozenset(investigators | {case.created_by}),
        benchmark=await discretion.current(conn, case.department_id) if needs_benchmark else None,
        review_check=review,
    )


def failed(item: asyncpg.Record) -> bool:
    """Failed on upload, or its stored object failed the latest re-check (a verified item keeps its status)."""
    return item["status"] == EvidenceStatus.FAILED.value or item["last_check"] not in (None, IntegrityOutcome.OK.value)


async def advance(
    conn: Connection,
    principal: Principal,
    case_id: uuid.UUID,
    event_id: uuid.UUID,
    step: Step,
    *,
    review: ReviewCheck | None = None,
) -> Outcome:
    """Take ``step`` on the case, or raise why not; a retry of a stored step is a replay."""
    case = await case_file(conn, principal, case_id)
    row = await _locked(conn, case)
    if (replay := await _replay(conn, case_id, event_id, step)) is not None:
        return replay
    before = decode_state(row["state"])
    facts = await load_facts(conn, case, step, principal.user_id, review)
    machine.check(before, step, facts, principal.role)
    after = machine.apply(before, step, facts)
    issued: list[DocumentRead] = []
    after = await flows.on_transition(
        conn,
        case=case,
        before=before,
        after=after,
        step=step,
        event_id=event_id,
        actor_id=principal.user_id,
        issued=issued,
    )
    event_hash = await _append_event(conn, principal, row, event_id, step, (before, after), issued)
    await _save(conn, row, after, event_hash)
    await store_deadlines(conn, case_id, case.department_id, deadlines.deadlines(after, facts.today, facts.calendar))
    await audit.append(conn, _audit(principal, case_id, step, before, after, row["head_hash"], event_hash, event_id))
    return Outcome.CREATED


async def _locked(conn: Connection, case: CaseFile) -> asyncpg.Record:
    """The case's workflow row (made at its first step), locked until commit."""
    initial = encode_state(INITIAL)
    await sql.ensure(
        conn, case_id=case.id, department_id=case.department_id, initial=initial, stage=INITIAL.stage.value
    )
    row = await sql.lock(conn, case_id=case.id)
    assert row is not None
    return row


async def _save(conn: Connection, row: asyncpg.Record, after: WorkflowState, event_hash: str) -> None:
    state, count = encode_state(after), row["event_count"] + 1
    await sql.save(
        conn, case_id=row["case_id"], stage=after.stage.value, state=state, event_count=count, head_hash=event_hash
    )


def _audit(
    principal: Principal,
    case_id: uuid.UUID,
    step: Step,
    before: WorkflowState,
    after: WorkflowState,
    prev_hash: str,
    event_hash: str,
    event_id: uuid.UUID,
) -> audit.AuditEntry:
    """The audit entry of a step: its hashes tie the case's own chain into the global one."""
    detail = {"step": action_of(step), "from": before.stage.value, "to": after.stage.value, "event_id": str(event_id)}
    return trail.change(
        principal, f"case.{action_of(step)}", "case", case_id, before=prev_hash, after=event_hash, detail=detail
    )


async def _replay(conn: Connection, case_id: uuid.UUID, event_id: uuid.UUID, step: Step) -> Outcome | None:
    stored = await sql.get_event(conn, id=event_id)
    if stored is None:
        return None
    same = stored["case_id"] == case_id and msgspec.json.decode(stored["body"])["step"] == msgspec.to_builtins(step)
    if not same:
        raise Conflict(
            f"此次{machine.STEP_ZH[action_of(step)]}的步骤编号已用于另一个步骤，请勿用同一编号提交不同内容",
            f"step id {event_id} was used for a different step",
            code="id-conflict",
        )
    return Outcome.REPLAYED


def event_body(
    principal: Principal,
    case_id: uuid.UUID,
    seq: int,
    event_id: uuid.UUID,
    step: Step,
    before: WorkflowState,
    after: WorkflowState,
    occurred_at: dt.datetime,
    issued: list[DocumentRead],
) -> bytes:
    """The canonical bytes hashed for a step: sorted-key JSON, UTF-8, no spaces.

    It names the documents the step issued with the SHA-256 of their HTML and sealed PDF, so each is
    anchored in the case's chain, and the SHA-256 of the resulting state.
    """
    documents = [
        {"kind": d.kind.value, "number": d.number, "html_sha256": d.html_sha256, "pdf_sha256": d.pdf_sha256}
        for d in issued
    ]
    body = {
        "id": str(event_id),
        "case_id": str(case_id),
        "seq": seq,
        "action": action_of(step),
        "from_stage": before.stage.value,
        "to_stage": after.stage.value,
        "actor_id": str(principal.user_id),
        "actor_role": principal.role.value,
        "device_id": principal.device_id,
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(),
        "step": msgspec.to_builtins(step),
        "state_sha256": hashlib.sha256(encode_state(after).encode()).hexdigest(),
        "documents": documents,
    }
    return canonical_json(body)


async def _append_event(
    conn: Connection,
    principal: Principal,
    row: asyncpg.Record,
    event_id: uuid.UUID,
    step: Step,
    states: tuple[WorkflowState, WorkflowState],
    issued: list[DocumentRead],
) -> str:
    seq, prev_hash = row["event_count"] + 1, row["head_hash"]
    occurred_at = dt.datetime.now(dt.UTC)
    before, after = states
    body = event_body(principal, row["case_id"], seq, event_id, step, before, after, occurred_at, issued)
    event_hash = hashlib.sha256(prev_hash.encode() + body).hexdigest()
    await sql.insert_event(
        conn,
        row={
            "id": event_id,
            "case_id": row["case_id"],
            "seq": seq,
            "action": action_of(step),
            "from_stage": before.stage.value,
            "to_stage": after.stage.value,
            "actor_id": principal.user_id,
            "actor_role": principal.role.value,
            "device_id": principal.device_id,
            "occurred_at": occurred_at,
            "body": body.decode(),
            "prev_hash": prev_hash,
            "event_hash": event_hash,
        },
    )
    return event_hash


async def store_deadlines(
    conn: Connection, case_id: uuid.UUID, department_id: uuid.UUID, found: list[DeadlineRead]
) -> None:
    rows = [msgspec.structs.asdict(d) for d in found]
    await sql.replace_deadlines(conn, case_id=case_id, department_id=department_id, rows=rows)


async def read(conn: Connection, principal: Principal, case_id: uuid.UUID) -> WorkflowRead:
    case = await case_file(conn, principal, case_id)
    row = await sql.fetch(conn, case_id=case_id)
    state = decode_state(row["state"]) if row else INITIAL
    facts = await load_facts(conn, case, None, principal.user_id)
    return WorkflowRead(
        case_id=case_id,
        department_id=case.department_id,
        state=state,
        event_count=row["event_count"] if row else 0,
        head_hash=row["head_hash"] if row else sql.GENESIS_HASH,
        deadlines=deadlines.deadlines(state, facts.today, facts.calendar),
        next_steps=next_steps(state, facts),
    )


def next_steps(state: WorkflowState, facts: Facts) -> list[NextStep]:
    """Steps the stage allows, with what blocks each now (guards that need the step's content are left out)."""
    found = []
    for kind, rule in machine.candidate_steps(state):
        # Guards outside PAYLOAD_GUARDS never read the step, so there is none to give them.
        blocked = [
            r
            for guard in rule.guards
            if guard not in machine.PAYLOAD_GUARDS and (r := guard(state, None, facts))  # type: ignore[arg-type]
        ]
        found.append(NextStep(action=tag_of(kind), roles=sorted(rule.roles), blocked_by=blocked))
    return found


async def history(conn: Connection, principal: Principal, case_id: uuid.UUID) -> list[CaseEventRead]:
    """全过程记录: every step of the case, in order, in one query."""
    await case_file(conn, principal, case_id)
    return [event_read(r) for r in await sql.list_events(conn, case_id=case_id)]


def event_read(row: asyncpg.Record) -> CaseEventRead:
    body = msgspec.json.decode(row["body"])
    return CaseEventRead(
        id=row["id"],
        seq=row["seq"],
        action=row["action"],
        from_stage=row["from_stage"],
        to_stage=row["to_stage"],
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        device_id=row["device_id"],
        occurred_at=row["occurred_at"],
        step=body["step"],
        prev_hash=row["prev_hash"],
        event_hash=row["event_hash"],
    )


async def department_deadlines(conn: Connection, principal: Principal, within_days: int) -> list[DepartmentDeadline]:
    """督办: the organ's limits that are overdue, due within ``within_days``, or cannot be computed."""
    today = clock.today()
    until = today + dt.timedelta(days=within_days)
    return await deadlines_due(conn, department_id=principal.department_scope, today=today, until=until)


async def deadlines_due(
    conn: Connection, *, department_id: uuid.UUID | None, today: dt.date, until: dt.date
) -> list[DepartmentDeadline]:
    """The organ's limits of one department (or all) due by ``until``, overdue ones included, as of ``today``."""
    rows = await sql.department_deadlines(conn, department_id=department_id, until=until)
    return [
        DepartmentDeadline(
            case_id=r["case_id"],
            case_title=r["title"],
            stage=r["stage"],
            rule=r["rule"],
            subject=r["subject"],
            due_on=r["due_on"],
            days_left=(r["due_on"] - today).days if r["due_on"] else None,
            status="incalculable" if r["due_on"] is None else "overdue" if r["due_on"] < today else "due_soon",
        )
        for r in rows
    ]


async def refresh_deadlines(conn: Connection, calendar: WorkingCalendar) -> tuple[int, list[DeadlineChange]]:
    """Recompute the stored limits of every case that still has open ones (after a calendar import, or
    as days pass); returns how many cases, and each limit whose due date or status moved."""
    today = clock.today()
    cases = await sql.cases_with_open_deadlines(conn)
    before = await sql.stored_deadlines(conn, case_ids=[c["case_id"] for c in cases])
    changed = []
    for case in cases:
        state = decode_state(case["state"])
        found = deadlines.deadlines(state, today, calendar)
        moved = [c for d in found if (c := _change(case, state, before.get((case["case_id"], d.rule, d.subject)), d))]
        if moved:
            await store_deadlines(conn, case["case_id"], case["department_id"], found)
            changed += moved
    return len(cases), changed


def _change(
    case: asyncpg.Record, state: WorkflowState, old: asyncpg.Record | None, new: DeadlineRead
) -> DeadlineChange | None:
    """The change of one limit, or None when its due date and status stayed."""
    due, status = (old["due_on"], old["status"]) if old else (None, "")
    if (due, status) == (new.due_on, new.status.value):
        return None
    return DeadlineChange(
        case_id=case["case_id"],
        case_title=case["title"],
        filing_no=state.filing_document_no,
        rule=new.rule,
        subject=new.subject,
        due_before=due,
        due_after=new.due_on,
        status_before=status,
        status_after=new.status,
    )


def change_line(change: DeadlineChange) -> str:
    """One line of a recomputation report: case number (or title), limit, old → new due date."""
    case = change.filing_no or change.case_title
    subject = f" {change.subject}" if change.subject else ""
    before, after = change.due_before or change.status_before, change.due_after or change.status_after
    return f"{case} {change.rule}{subject}: {before} → {after}"
