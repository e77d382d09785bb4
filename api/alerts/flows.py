"""Taking a handling step on an alert, and what every change sets off.

``advance`` runs one step in the request's transaction: lock the alert, check the step against
the table and its guards (``machine``), store the new state, run the side effects of
(before, after) — the dispatch task, its withdrawal on closing — then add one event to the live
feed and one audit entry. Vision-node updates change the detection fields only, never the handling
state; an inspector's result (``report_result``) changes no state either, it is shown on the alert
and becomes the closing feedback unless the operator writes their own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from api.alerts import assignment, machine
from api.alerts.machine import STATE_NAMES as STATE_NAMES  # the console names states with it
from api.alerts.machine import Refusal, Step
from api.alerts.service import get, to_read
from api.audit.trail import Actor
from api.audit.trail import entry as audit_entry
from api.auth.principal import Principal
from mobile_contract.alerts import AlertAcknowledge, AlertAction, AlertClose, AlertDispatch, AlertRead, AlertState
from mobile_contract.problems import FieldError, InvalidInput, InvalidTransition
from mobile_contract.task_results import TaskOutcome, TaskResult
from storage import alerts, audit
from storage.canonical import canonical_sha256
from storage.db import Connection

OUTCOME_WORDS = {
    TaskOutcome.RECORD_FILED: "已录入检查记录",
    TaskOutcome.CASE_OPENED: "发现违法，已立案",
    TaskOutcome.NOTHING_FOUND: "现场核查未发现违法",
}


async def publish(
    db: Connection,
    principal: Principal | Actor,
    action: AlertAction,
    after: AlertRead,
    *,
    before: AlertRead | None,
    **detail: Any,
) -> None:
    """Add the change to the live feed, then audit it (the audit append is the last step before commit)."""
    await alerts.append_event(db, department_id=after.department_id, alert_id=after.id, action=action, payload=after)
    entry = audit_entry(
        principal,
        action=f"alert.{action.value}",
        entity_type="alert",
        entity_id=str(after.id),
        department_id=after.department_id,
        before_hash=canonical_sha256(before) if before else None,
        after_hash=canonical_sha256(after),
        detail=detail | {"state": after.state.value, "revision": after.revision},
    )
    await audit.append(db, entry)


async def acknowledge(db: Connection, principal: Principal, alert_id: uuid.UUID, body: AlertAcknowledge) -> AlertRead:
    return await advance(db, principal, alert_id, body)


async def dispatch(db: Connection, principal: Principal, alert_id: uuid.UUID, body: AlertDispatch) -> AlertRead:
    return await advance(db, principal, alert_id, body)


async def close(db: Connection, principal: Principal, alert_id: uuid.UUID, body: AlertClose) -> AlertRead:
    return await advance(db, principal, alert_id, body)


async def advance(db: Connection, principal: Principal, alert_id: uuid.UUID, step: Step) -> AlertRead:
    before = await get(db, principal, alert_id, for_update=True)
    if (refused := machine.state_refusal(before, step)) is not None:
        raise InvalidTransition(
            refused.detail,
            refused.detail_en,
            extra={"state": before.state.value, "allowed_from": sorted(machine.RULES[type(step)].sources)},
        )
    facts = await _facts(db, before, step)
    if found := machine.refusals(before, step, facts):
        raise _refused(found)
    rule = machine.RULES[type(step)]
    row = await alerts.set_handling(db, id=alert_id, state=rule.target, **_columns(principal, before, step))
    after = await on_transition(db, principal, before, to_read(row), step)
    await publish(db, principal, rule.action, after, before=before)
    return after


async def on_transition(
    db: Connection, principal: Principal, before: AlertRead, after: AlertRead, step: Step
) -> AlertRead:
    """The side effects of ``before`` → ``after``; returns the alert as stored afterwards."""
    match (before.state, after.state, step):
        case (_, AlertState.DISPATCHED, AlertDispatch()):
            task_id = await assignment.dispatched(db, principal, before, step)
            return to_read(await alerts.set_handling(db, id=after.id, state=after.state, task_id=task_id))
        case (_, AlertState.CLOSED, _):
            await assignment.closed(db, principal, before)
    return after


async def report_result(db: Connection, principal: Principal, alert_id: uuid.UUID, result: TaskResult) -> AlertRead:
    """The inspector's result on the alert they were sent to (核查结果反馈): kept, streamed, audited."""
    before = await get(db, principal, alert_id, for_update=True)
    after = to_read(await alerts.set_result(db, id=alert_id, result=result))
    await publish(db, principal, AlertAction.RESULT_REPORTED, after, before=before, outcome=result.outcome.value)
    return after


def result_feedback(result: TaskResult) -> str:
    """The inspector's result in words, as closing feedback (处置反馈)."""
    note = f"：{result.note}" if result.note else ""
    when = result.reported_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    return f"{result.reported_by_name}于{when}反馈：{OUTCOME_WORDS[result.outcome]}{note}"


def _columns(principal: Principal, before: AlertRead, step: Step) -> dict[str, Any]:
    now, who = dt.datetime.now(dt.UTC), principal.user_id
    match step:
        case AlertAcknowledge():
            return {"acknowledged_at": now, "acknowledged_by": who, "acknowledge_note": step.note}
        case AlertDispatch():
            return {
                "dispatched_at": now,
                "dispatched_by": who,
                "inspector_id": step.inspector_id,
                "dispatch_note": step.note,
            }
        case AlertClose():
            reported = result_feedback(before.result) if before.result is not None else ""
            feedback = step.feedback.strip() or reported
            return {"closed_at": now, "closed_by": who, "outcome": step.outcome, "feedback": feedback}


async def _facts(db: Connection, alert: AlertRead, step: Step) -> machine.Facts:
    if not isinstance(step, AlertDispatch):
        return machine.Facts()
    active = await alerts.is_active_inspector(db, user_id=step.inspector_id, department_id=alert.department_id)
    return machine.Facts(inspector_active=active)


def _refused(found: list[Refusal]) -> InvalidInput | InvalidTransition:
    """Refusals naming a field are the request's to fix (422); the others are the alert's state (409)."""
    fields = [FieldError(r.field, r.detail) for r in found if r.field is not None]
    detail, detail_en = "；".join(r.detail for r in found), "; ".join(r.detail_en for r in found)
    if fields:
        return InvalidInput(detail, detail_en, errors=fields)
    return InvalidTransition(detail, detail_en)
