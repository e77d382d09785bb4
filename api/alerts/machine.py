"""The alert lifecycle (预警处置流程) as a declarative table with pure guards.

    open ──acknowledge──▶ acknowledged ──dispatch──▶ dispatched ──close──▶ closed
      └──────────────dispatch──────────────▲   └─close─▲  (re-dispatch allowed)

Each step names the states it may start from, the state it leads to and the guards that must
pass. Closing needs an acknowledged or dispatched alert, so no alert is closed unseen, and it needs
feedback: the operator's, or the result the inspector reported. Guards look only at the alert, the
step and the facts the flow loaded, so they are plain functions; side effects live in ``flows``.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from mobile_contract.alerts import AlertAcknowledge, AlertAction, AlertClose, AlertDispatch, AlertRead, AlertState

Step = AlertAcknowledge | AlertDispatch | AlertClose


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    """What guards need beyond the alert and the step, loaded for one request."""

    inspector_active: bool = False  # the inspector named by a dispatch is an active one of the department


class Refusal(msgspec.Struct, frozen=True):
    """Why a step cannot be taken: a field of the request to change, or (field None) the state."""

    detail: str
    detail_en: str
    field: str | None = None


Guard = Callable[[AlertRead, Step, Facts], Refusal | None]


def inspector_on_duty(alert: AlertRead, step: Step, facts: Facts) -> Refusal | None:
    if facts.inspector_active:
        return None
    return Refusal(
        "被派遣人员不是本机构在岗的执法人员，请从本机构执法人员中选择",
        "inspector_id is not an active inspector of the alert's department",
        "inspector_id",
    )


def feedback_given(alert: AlertRead, step: Step, facts: Facts) -> Refusal | None:
    assert isinstance(step, AlertClose)
    if step.feedback.strip() or alert.result is not None:
        return None
    return Refusal(
        "请填写处置反馈：执法人员尚未反馈核查结果", "feedback is required until the inspector reports", "feedback"
    )


class Rule(msgspec.Struct, frozen=True):
    action: AlertAction
    sources: frozenset[AlertState]
    target: AlertState
    label: str  # Chinese name of the step, for messages
    guards: tuple[Guard, ...] = ()


RULES: dict[type, Rule] = {
    AlertAcknowledge: Rule(AlertAction.ACKNOWLEDGED, frozenset({AlertState.OPEN}), AlertState.ACKNOWLEDGED, "确认"),
    AlertDispatch: Rule(
        AlertAction.DISPATCHED,
        frozenset({AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.DISPATCHED}),
        AlertState.DISPATCHED,
        "派遣",
        (inspector_on_duty,),
    ),
    AlertClose: Rule(
        AlertAction.CLOSED,
        frozenset({AlertState.ACKNOWLEDGED, AlertState.DISPATCHED}),
        AlertState.CLOSED,
        "办结",
        (feedback_given,),
    ),
}
STATE_NAMES: dict[object, str] = {
    AlertState.OPEN: "待处理",
    AlertState.ACKNOWLEDGED: "已确认",
    AlertState.DISPATCHED: "已派遣",
    AlertState.CLOSED: "已办结",
}


def state_refusal(alert: AlertRead, step: Step) -> Refusal | None:
    """The step is not allowed from the alert's state: checked before the facts are loaded."""
    rule = RULES[type(step)]
    if alert.state in rule.sources:
        return None
    allowed = "、".join(STATE_NAMES[s] for s in AlertState if s in rule.sources)
    return Refusal(
        f"预警当前为「{STATE_NAMES[alert.state]}」，不能{rule.label}（{rule.label}须在「{allowed}」时）",
        f"cannot go from {alert.state} by {rule.action}",
    )


def refusals(alert: AlertRead, step: Step, facts: Facts) -> list[Refusal]:
    """Every guard of the step that does not pass, in the table's order."""
    return [found for guard in RULES[type(step)].guards if (found := guard(alert, step, facts)) is not None]
