"""The alert lifecycle (预警处置流程) and what every change sets off.

    open ──acknowledge──▶ acknowledged ──dispatch──▶ dispatched ──close──▶ closed
      └──────────────dispatch──────────────▲   └─close─▲  (re-dispatch allowed)

Closing needs an acknowledged or dispatched alert, so no alert is closed unseen, and
it needs feedback (处置反馈) and an outcome. Vision-node updates change the detection
fields only, never the handling state. Every change adds one event to the live feed
and one audit entry, in the request's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, NamedTuple

from api.alerts.service import get, to_read
from api.audit.trail import Actor
from api.audit.trail import entry as audit_entry
from api.auth.principal import Principal
from mobile_contract.alerts import AlertAcknowledge, AlertAction, AlertClose, AlertDispatch, AlertRead, AlertState
from mobile_contract.problems import FieldError, InvalidInput, InvalidTransition
from storage import alerts, audit
from storage.canonical import canonical_sha256
from storage.db import Connection


class Step(NamedTuple):
    allowed_from: frozenset[AlertState]
    to: AlertState
    label: str  # Chinese name of the step, for messages


STEPS = {
    AlertAction.ACKNOWLEDGED: Step(frozenset({AlertState.OPEN}), AlertState.ACKNOWLEDGED, "确认"),
    AlertAction.DISPATCHED: Step(
        frozenset({AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.DISPATCHED}), AlertState.DISPATCHED, "派遣"
    ),
    AlertAction.CLOSED: Step(frozenset({AlertState.ACKNOWLEDGED, AlertState.DISPATCHED}), AlertState.CLOSED, "办结"),
}
STATE_NAMES = {
    AlertState.OPEN: "待处理",
    AlertState.ACKNOWLEDGED: "已确认",
    AlertState.DISPATCHED: "已派遣",
    AlertState.CLOSED: "已办结",
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
    columns = {"acknowledged_at": _now(), "acknowledged_by": principal.user_id, "acknowledge_note": body.note}
    return await _step(db, principal, alert_id, AlertAction.ACKNOWLEDGED, columns)


async def dispatch(db: Connection, principal: Principal, alert_id: uuid.UUID, body: AlertDispatch) -> AlertRead:
    columns = {
        "dispatched_at": _now(),
        "dispatched_by": principal.user_id,
        "inspector_id": body.inspector_id,
        "dispatch_note": body.note,
    }
    return await _step(db, principal, alert_id, AlertAction.DISPATCHED, columns)


async def close(db: Connection, principal: Principal, alert_id: uuid.UUID, body: AlertClose) -> AlertRead:
    columns = {"closed_at": _now(), "closed_by": principal.user_id, "outcome": body.outcome, "feedback": body.feedback}
    return await _step(db, principal, alert_id, AlertAction.CLOSED, columns)


async def _step(
    db: Connection, principal: Principal, alert_id: uuid.UUID, action: AlertAction, columns: dict[str, Any]
) -> AlertRead:
    before = await get(db, principal, alert_id, for_update=True)
    step = STEPS[action]
    if before.state not in step.allowed_from:
        raise InvalidTransition(
            f"预警当前为「{STATE_NAMES[before.state]}」，不能{step.label}",
            f"cannot go from {before.state} by {action}",
            extra={"state": before.state.value, "allowed_from": sorted(step.allowed_from)},
        )
    if action is AlertAction.DISPATCHED:
        await _require_inspector(db, columns["inspector_id"], before.department_id)
    after = to_read(await alerts.set_handling(db, id=alert_id, state=step.to, **columns))
    await publish(db, principal, action, after, before=before)
    return after


async def _require_inspector(db: Connection, inspector_id: uuid.UUID, department_id: uuid.UUID) -> None:
    if not await alerts.is_active_inspector(db, user_id=inspector_id, department_id=department_id):
        raise InvalidInput(
            "被派遣人员不是本机构在岗的执法人员",
            "inspector_id is not an active inspector of the alert's department",
            errors=[FieldError("inspector_id", "not an active inspector of this department")],
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
