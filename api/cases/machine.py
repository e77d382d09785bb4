"""The procedure as an explicit transition table (办案流程状态机).

Each step names the stages it may start from, the stage it leads to (None:
the stage stays), who may take it and the guards (``api.cases.guards``) that
must all pass. ``refusals`` lists every reason a step cannot be taken now;
``apply`` computes the next state. Both are pure; side effects of a
transition (documents, deadlines) live in ``flows.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from api.cases import guards as g
from api.cases.effects import APPLY
from api.cases.guards import Facts, Guard
from mobile_contract.auth import ROLE_NAMES, Role
from mobile_contract.case_state import WorkflowState
from mobile_contract.problems import Forbidden, InvalidTransition
from mobile_contract.workflow import (
    Annul,
    ApplyMeasure,
    CaseStage,
    Close,
    ConcludeHearing,
    Decide,
    EndAppraisal,
    ExtendDeadline,
    ExtendMeasure,
    File,
    HoldDiscussion,
    Notify,
    NotPenalise,
    PassReview,
    Publish,
    RecordStatement,
    Refusal,
    RefuseFiling,
    Reinvestigate,
    ReleaseMeasure,
    RequestHearing,
    RequireDiscussion,
    Resume,
    ReturnReview,
    RevokeFiling,
    ScheduleHearing,
    Serve,
    SetReviewGrounds,
    StartAppraisal,
    StartExecution,
    Step,
    SubmitReview,
    Suspend,
    Transfer,
    WithdrawPublication,
    action_of,
)

S = CaseStage
BEFORE_DECISION = frozenset({S.INVESTIGATING, S.NOTIFIED, S.HEARING, S.LEGAL_REVIEW, S.REVIEWED, S.DISCUSSION})
TERMINAL = frozenset({S.CLOSED, S.NOT_FILED, S.FILING_REVOKED, S.TRANSFERRED})
OPEN = frozenset(S) - TERMINAL
DECIDED_ON = frozenset({S.DECIDED, S.SERVED, S.EXECUTING, S.CLOSED})
INSPECTORS = frozenset({Role.INSPECTOR, Role.SUPERVISOR})
HEADS = frozenset({Role.SUPERVISOR})  # 行政机关负责人 approves
REVIEWERS = frozenset({Role.LEGAL_REVIEWER})
RESUME = "resume"  # target of Resume: the stage 中止 interrupted


class Rule(msgspec.Struct, frozen=True):
    sources: frozenset[CaseStage]
    target: CaseStage | str | None
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()


DECISION_GUARDS = (
    g.notified, g.party_heard, g.hearing_settled, g.not_heavier, g.discretion, g.review_passed, g.discussion_held,
    g.evidence_intact,
)  # fmt: skip

RULES: dict[type[Step], Rule] = {
    File: Rule(frozenset({S.REGISTERED}), S.INVESTIGATING, HEADS),
    RefuseFiling: Rule(frozenset({S.REGISTERED}), S.NOT_FILED, HEADS, (g.measures_closed,)),
    RevokeFiling: Rule(BEFORE_DECISION, S.FILING_REVOKED, HEADS, (g.measures_closed,)),
    Notify: Rule(
        frozenset({S.INVESTIGATING}), S.NOTIFIED, INSPECTORS, (g.two_officers, g.notice_calendar, g.discretion)
    ),
    RecordStatement: Rule(frozenset({S.NOTIFIED, S.HEARING}), None, INSPECTORS),
    RequestHearing: Rule(frozenset({S.NOTIFIED}), S.HEARING, INSPECTORS, (g.hearing_request_open,)),
    ScheduleHearing: Rule(
        frozenset({S.HEARING}), None, INSPECTORS, (g.hearing_notice_in_time, g.hearing_host_independent)
    ),
    ConcludeHearing: Rule(frozenset({S.HEARING}), S.NOTIFIED, INSPECTORS, (g.hearing_held,)),
    SetReviewGrounds: Rule(BEFORE_DECISION | {S.REGISTERED}, None, INSPECTORS),
    RequireDiscussion: Rule(BEFORE_DECISION | {S.REGISTERED}, None, HEADS),
    SubmitReview: Rule(
        frozenset({S.INVESTIGATING, S.NOTIFIED, S.REVIEWED}),
        S.LEGAL_REVIEW,
        INSPECTORS,
        (g.party_heard, g.hearing_settled),
    ),
    PassReview: Rule(frozenset({S.LEGAL_REVIEW}), S.REVIEWED, REVIEWERS, (g.review_opened, g.review_evidence_intact)),
    ReturnReview: Rule(frozenset({S.LEGAL_REVIEW}), S.INVESTIGATING, REVIEWERS, (g.review_opened,)),
    HoldDiscussion: Rule(
        frozenset({S.NOTIFIED, S.REVIEWED}), S.DISCUSSION, HEADS, (g.party_heard, g.hearing_settled, g.review_passed)
    ),
    Reinvestigate: Rule(frozenset({S.NOTIFIED, S.REVIEWED, S.DISCUSSION}), S.INVESTIGATING, INSPECTORS),
    Decide: Rule(frozenset({S.NOTIFIED, S.REVIEWED, S.DISCUSSION}), S.DECIDED, HEADS, DECISION_GUARDS),
    NotPenalise: Rule(
        frozenset({S.INVESTIGATING, S.NOTIFIED, S.REVIEWED, S.DISCUSSION}),
        S.NOT_PENALISED,
        HEADS,
        (g.review_passed, g.discussion_held),
    ),
    Serve: Rule(frozenset({S.DECIDED, S.NOT_PENALISED}), S.SERVED, INSPECTORS),
    StartExecution: Rule(frozenset({S.SERVED}), S.EXECUTING, INSPECTORS, (g.has_penalty,)),
    Close: Rule(frozenset({S.SERVED, S.EXECUTING}), S.CLOSED, INSPECTORS, (g.execution_not_needed, g.measures_closed)),
    Transfer: Rule(BEFORE_DECISION | {S.REGISTERED}, S.TRANSFERRED, HEADS, (g.measures_closed,)),
    Suspend: Rule(BEFORE_DECISION | {S.DECIDED, S.SERVED, S.EXECUTING}, S.SUSPENDED, HEADS, (g.suspendable,)),
    Resume: Rule(frozenset({S.SUSPENDED}), RESUME, HEADS),
    StartAppraisal: Rule(BEFORE_DECISION, None, INSPECTORS, (g.appraisal_idle,)),
    EndAppraisal: Rule(BEFORE_DECISION | {S.SUSPENDED}, None, INSPECTORS, (g.appraisal_running,)),
    ExtendDeadline: Rule(OPEN, None, HEADS, (g.deadline_extensible,)),
    ApplyMeasure: Rule(BEFORE_DECISION | {S.REGISTERED}, None, INSPECTORS, (g.measure_id_free,)),
    ExtendMeasure: Rule(OPEN, None, HEADS, (g.measure_extensible,)),
    ReleaseMeasure: Rule(OPEN, None, INSPECTORS, (g.measure_active,)),
    Annul: Rule(DECIDED_ON | {S.SUSPENDED}, None, HEADS, (g.decision_standing,)),
    Publish: Rule(DECIDED_ON, None, HEADS, (g.decision_standing, g.unpublished)),
    WithdrawPublication: Rule(DECIDED_ON | {S.SUSPENDED}, None, HEADS, (g.published,)),
}

# Guards that read the step's own content; ``next_steps`` cannot evaluate them before the step is asked for.
PAYLOAD_GUARDS = frozenset({
    g.discretion, g.not_heavier, g.hearing_notice_in_time, g.hearing_host_independent, g.measure_id_free,
    g.measure_active, g.measure_extensible, g.deadline_extensible, g.published, g.review_opened,
    g.review_evidence_intact,
})  # fmt: skip

STAGE_ZH = {
    S.REGISTERED: "待立案", S.INVESTIGATING: "调查取证", S.NOTIFIED: "已告知", S.HEARING: "听证",
    S.LEGAL_REVIEW: "法制审核", S.REVIEWED: "审核通过", S.DISCUSSION: "集体讨论", S.DECIDED: "已决定",
    S.NOT_PENALISED: "不予处罚", S.SERVED: "已送达", S.EXECUTING: "执行", S.CLOSED: "已结案",
    S.NOT_FILED: "不予立案", S.FILING_REVOKED: "撤销立案", S.TRANSFERRED: "已移送", S.SUSPENDED: "中止",
}  # fmt: skip
STEP_ZH = {  # each step (action tag) by its name on the case page and in refusals
    "file": "立案", "refuse_filing": "不予立案", "revoke_filing": "撤销立案", "notify": "告知拟处罚",
    "record_statement": "记录陈述申辩", "request_hearing": "申请听证", "schedule_hearing": "安排听证",
    "conclude_hearing": "听证结束", "set_review_grounds": "确定法制审核事由", "require_discussion": "提请集体讨论",
    "submit_review": "提交法制审核", "hold_discussion": "集体讨论", "reinvestigate": "补充调查",
    "decide": "作出处罚决定", "not_penalise": "不予行政处罚", "serve": "送达", "start_execution": "开始执行",
    "close": "结案", "transfer": "移送", "suspend": "中止", "resume": "恢复", "start_appraisal": "开始鉴定",
    "end_appraisal": "鉴定结束", "extend_deadline": "延长期限", "apply_measure": "采取强制措施",
    "extend_measure": "延长强制措施", "release_measure": "解除强制措施", "annul": "撤销决定",
    "pass_review": "法制审核通过", "return_review": "法制审核退回", "publish": "公示",
    "withdraw_publication": "撤回公示",
}  # fmt: skip


def stage_refusal(state: WorkflowState, step: Step) -> Refusal | None:
    rule = RULES[type(step)]
    if state.stage in rule.sources:
        return None
    allowed = "、".join(STAGE_ZH[s] for s in sorted(rule.sources))
    return Refusal(
        "stage-not-allowed",
        f"案件处于“{STAGE_ZH[state.stage]}”阶段，不能{STEP_ZH[action_of(step)]}（可在：{allowed}）",
        f"{action_of(step)} is not allowed in stage {state.stage}",
    )


def refusals(state: WorkflowState, step: Step, facts: Facts) -> list[Refusal]:
    """Every reason ``step`` cannot be taken now; empty when it can."""
    if (wrong_stage := stage_refusal(state, step)) is not None:
        return [wrong_stage]
    return [r for guard in RULES[type(step)].guards if (r := guard(state, step, facts)) is not None]


def check(state: WorkflowState, step: Step, facts: Facts, role: Role) -> None:
    """Raise Forbidden for the wrong role, else InvalidTransition naming every reason the step is refused."""
    rule = RULES[type(step)]
    if role not in rule.roles:
        names = "或".join(ROLE_NAMES[r] for r in sorted(rule.roles))
        raise Forbidden(
            f"{STEP_ZH[action_of(step)]}须由{names}执行",
            f"{action_of(step)} needs role {sorted(rule.roles)}",
            code="role-not-allowed",
        )
    if found := refusals(state, step, facts):
        raise InvalidTransition(
            found[0].message,
            found[0].message_en,
            code=found[0].code,
            extra={"action": action_of(step), "refusals": [msgspec.to_builtins(r) for r in found]},
        )


def target_of(state: WorkflowState, step: Step) -> CaseStage:
    target = RULES[type(step)].target
    if target is None:
        return state.stage
    if target == RESUME:
        assert state.resume_stage is not None
        return state.resume_stage
    return CaseStage(target)


def apply(state: WorkflowState, step: Step, facts: Facts) -> WorkflowState:
    """The state after ``step``; call only after ``check`` passed."""
    moved = msgspec.structs.replace(state, stage=target_of(state, step))
    effect = APPLY.get(type(step))
    return effect(moved, state, step, facts) if effect else moved


def candidate_steps(state: WorkflowState) -> Sequence[tuple[type[Step], Rule]]:
    """Steps the current stage allows, in table order (for ``next_steps``)."""
    return [(kind, rule) for kind, rule in RULES.items() if state.stage in rule.sources]
