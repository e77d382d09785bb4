"""What each step changes in the case's state (the stage itself is set by the machine).

Every function takes the state with its new stage, the state before, the step
and the facts, and returns the next state; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec.structs import replace

from api.calendar.workdays import add_days
from api.cases.guards import HEARING_REQUEST_DAYS, Facts
from api.discretion.benchmark import deviation
from mobile_contract.case_state import (
    Decision,
    Extension,
    Hearing,
    Measure,
    Notice,
    Pause,
    Publication,
    Service,
    TransferInfo,
    WorkflowState,
)
from mobile_contract.workflow import (
    Annul,
    ApplyMeasure,
    Close,
    ConcludeHearing,
    Decide,
    EndAppraisal,
    ExtendDeadline,
    ExtendMeasure,
    File,
    HoldDiscussion,
    MeasureKind,
    Notify,
    NotPenalise,
    PassReview,
    PauseKind,
    Publish,
    RecordStatement,
    Reinvestigate,
    ReleaseMeasure,
    RequestHearing,
    RequireDiscussion,
    Resume,
    ReturnReview,
    ReviewGround,
    ScheduleHearing,
    Serve,
    SetReviewGrounds,
    StartAppraisal,
    Step,
    Suspend,
    Transfer,
    WithdrawPublication,
)

PRESERVATION_DAYS = 7  # 第五十六条：七日内作出处理决定（第八十五条：工作日）
HEARING_GROUND = "经过听证程序（第五十八条第一款第二项）"

Effect = Callable[[WorkflowState, WorkflowState, Any, Facts], WorkflowState]


def _file(state: WorkflowState, _: WorkflowState, step: File, facts: Facts) -> WorkflowState:
    return replace(state, filed_on=facts.today)


def _notify(state: WorkflowState, _: WorkflowState, step: Notify, facts: Facts) -> WorkflowState:
    round_ = state.round + 1
    notice = Notice(
        round=round_,
        notified_on=facts.today,
        penalty=step.penalty,
        hearing_rights=step.hearing_rights,
        statement_days=step.statement_days,
        statement_due=add_days(facts.calendar, facts.today, step.statement_days, working=True)[0],
        hearing_due=(
            add_days(facts.calendar, facts.today, HEARING_REQUEST_DAYS, working=True)[0]
            if step.hearing_rights
            else None
        ),
    )
    state = replace(
        state, round=round_, notice=notice, statement_waived_on=None, hearing_waived_on=None, statements=0, hearing=None
    )
    if deviation(step.penalty, facts.benchmark) is not None:
        state = _add_grounds(state, [ReviewGround.DISCRETION_DEVIATION], step.penalty.justification)
    return state


def _add_grounds(state: WorkflowState, grounds: list[ReviewGround], reason: str) -> WorkflowState:
    merged = dict(state.review.grounds) | dict.fromkeys(grounds, reason)
    return replace(state, review=replace(state.review, grounds=merged))


def _statement(state: WorkflowState, _: WorkflowState, step: RecordStatement, facts: Facts) -> WorkflowState:
    return replace(
        state,
        statements=state.statements + 1,
        statement_waived_on=state.statement_waived_on or (facts.today if step.waives_statement else None),
        hearing_waived_on=state.hearing_waived_on or (facts.today if step.waives_hearing else None),
    )


def _open_pause(state: WorkflowState, kind: PauseKind, facts: Facts) -> WorkflowState:
    return replace(state, pauses=[*state.pauses, Pause(kind=kind, started_on=facts.today)])


def _close_pause(state: WorkflowState, kind: PauseKind, facts: Facts) -> WorkflowState:
    pauses = [replace(p, ended_on=facts.today) if p.kind == kind and p.ended_on is None else p for p in state.pauses]
    return replace(state, pauses=pauses)


def _request_hearing(state: WorkflowState, _: WorkflowState, step: RequestHearing, facts: Facts) -> WorkflowState:
    return _open_pause(replace(state, hearing=Hearing(requested_on=facts.today)), PauseKind.HEARING, facts)


def _schedule_hearing(state: WorkflowState, _: WorkflowState, step: ScheduleHearing, facts: Facts) -> WorkflowState:
    assert state.hearing is not None
    hearing = replace(state.hearing, notice_on=facts.today, hearing_on=step.hearing_on, host_user_id=step.host_user_id)
    return replace(state, hearing=hearing)


def _conclude_hearing(state: WorkflowState, _: WorkflowState, step: ConcludeHearing, facts: Facts) -> WorkflowState:
    assert state.hearing is not None
    state = replace(state, hearing=replace(state.hearing, concluded_on=facts.today))
    return _add_grounds(_close_pause(state, PauseKind.HEARING, facts), [ReviewGround.HEARING_HELD], HEARING_GROUND)


def _review_grounds(state: WorkflowState, _: WorkflowState, step: SetReviewGrounds, facts: Facts) -> WorkflowState:
    return _add_grounds(state, list(step.grounds), step.reason)


def _require_discussion(state: WorkflowState, _: WorkflowState, step: RequireDiscussion, facts: Facts) -> WorkflowState:
    return replace(state, discussion_required=step.reason)


def _pass_review(state: WorkflowState, _: WorkflowState, step: PassReview, facts: Facts) -> WorkflowState:
    review = replace(state.review, passed_round=state.round, passed_grounds=sorted(state.review.grounds))
    return replace(state, review=review)


def _new_round(state: WorkflowState) -> WorkflowState:
    """补充调查或退回：告知作废，须重新告知."""
    return replace(state, round=state.round + 1, notice=None, hearing=None)


def _return_review(state: WorkflowState, _: WorkflowState, step: ReturnReview, facts: Facts) -> WorkflowState:
    state = _new_round(state)
    return replace(state, review=replace(state.review, returns=state.review.returns + 1))


def _reinvestigate(state: WorkflowState, _: WorkflowState, step: Reinvestigate, facts: Facts) -> WorkflowState:
    return _new_round(state)


def _discussion(state: WorkflowState, _: WorkflowState, step: HoldDiscussion, facts: Facts) -> WorkflowState:
    return replace(state, discussion_round=state.round)


def _decide(state: WorkflowState, _: WorkflowState, step: Decide, facts: Facts) -> WorkflowState:
    return replace(state, decision=Decision(decided_on=facts.today, penalty=step.penalty))


def _not_penalise(state: WorkflowState, _: WorkflowState, step: NotPenalise, facts: Facts) -> WorkflowState:
    decision = Decision(decided_on=facts.today, no_penalty_ground=step.ground, reason=step.reason)
    return replace(state, decision=decision)


def _serve(state: WorkflowState, _: WorkflowState, step: Serve, facts: Facts) -> WorkflowState:
    details = {f: getattr(step, f) for f in Service.__struct_fields__ if hasattr(step, f)}
    return replace(state, service=Service(served_on=facts.today, **details))


def _close(state: WorkflowState, _: WorkflowState, step: Close, facts: Facts) -> WorkflowState:
    return replace(state, closed_on=facts.today)


def _transfer(state: WorkflowState, _: WorkflowState, step: Transfer, facts: Facts) -> WorkflowState:
    info = TransferInfo(target=step.target, organ=step.organ, transferred_on=facts.today)
    return replace(state, transfer=info, closed_on=facts.today)


def _suspend(state: WorkflowState, before: WorkflowState, step: Suspend, facts: Facts) -> WorkflowState:
    return _open_pause(replace(state, resume_stage=before.stage), PauseKind.SUSPENSION, facts)


def _resume(state: WorkflowState, _: WorkflowState, step: Resume, facts: Facts) -> WorkflowState:
    return _close_pause(replace(state, resume_stage=None), PauseKind.SUSPENSION, facts)


def _start_appraisal(state: WorkflowState, _: WorkflowState, step: StartAppraisal, facts: Facts) -> WorkflowState:
    return _open_pause(state, PauseKind.APPRAISAL, facts)


def _end_appraisal(state: WorkflowState, _: WorkflowState, step: EndAppraisal, facts: Facts) -> WorkflowState:
    return _close_pause(state, PauseKind.APPRAISAL, facts)


def _extend_deadline(state: WorkflowState, _: WorkflowState, step: ExtendDeadline, facts: Facts) -> WorkflowState:
    assert facts.actor_id is not None
    extension = Extension(
        rule=step.rule, days=step.days, reason=step.reason, approved_by=facts.actor_id, approved_on=facts.today
    )
    return replace(state, extensions=[*state.extensions, extension])


def _apply_measure(state: WorkflowState, _: WorkflowState, step: ApplyMeasure, facts: Facts) -> WorkflowState:
    days = PRESERVATION_DAYS if step.kind is MeasureKind.PRESERVATION else step.days
    measure = Measure(
        id=step.measure_id,
        kind=step.kind,
        objects=step.objects,
        starts_on=facts.today,
        days=days,
        record_id=step.record_id,
    )
    return replace(state, measures=[*state.measures, measure])


def _change_measure(state: WorkflowState, measure_id: object, **changes: object) -> WorkflowState:
    return replace(state, measures=[replace(m, **changes) if m.id == measure_id else m for m in state.measures])


def _extend_measure(state: WorkflowState, _: WorkflowState, step: ExtendMeasure, facts: Facts) -> WorkflowState:
    return _change_measure(state, step.measure_id, extended_days=step.days)


def _release_measure(state: WorkflowState, _: WorkflowState, step: ReleaseMeasure, facts: Facts) -> WorkflowState:
    return _change_measure(state, step.measure_id, outcome=step.outcome, closed_on=facts.today)


def _annul(state: WorkflowState, _: WorkflowState, step: Annul, facts: Facts) -> WorkflowState:
    return replace(state, annulled_on=facts.today)


def _publish(state: WorkflowState, _: WorkflowState, step: Publish, facts: Facts) -> WorkflowState:
    return replace(state, publication=Publication(id=step.publication_id, published_on=facts.today))


def _withdraw(state: WorkflowState, _: WorkflowState, step: WithdrawPublication, facts: Facts) -> WorkflowState:
    assert state.publication is not None
    return replace(state, publication=replace(state.publication, withdrawn_on=facts.today))


APPLY: dict[type[Step], Effect] = {
    File: _file, Notify: _notify, RecordStatement: _statement, RequestHearing: _request_hearing,
    ScheduleHearing: _schedule_hearing, ConcludeHearing: _conclude_hearing, SetReviewGrounds: _review_grounds,
    RequireDiscussion: _require_discussion, PassReview: _pass_review, ReturnReview: _return_review,
    Reinvestigate: _reinvestigate, HoldDiscussion: _discussion, Decide: _decide, NotPenalise: _not_penalise,
    Serve: _serve, Close: _close, Transfer: _transfer, Suspend: _suspend, Resume: _resume,
    StartAppraisal: _start_appraisal, EndAppraisal: _end_appraisal, ExtendDeadline: _extend_deadline,
    ApplyMeasure: _apply_measure, ExtendMeasure: _extend_measure, ReleaseMeasure: _release_measure,
    Annul: _annul, Publish: _publish, WithdrawPublication: _withdraw,
}  # fmt: skip
