"""What the law requires before a step (程序要件). Each guard names the first thing missing, or None.

Guards are pure: they look at the case's state, the step asked for and the
facts the service loaded (records, evidence, benchmark, today), so the
state machine can be driven by property tests without a database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import msgspec

from api.calendar.workdays import CalendarUnavailable, WorkingCalendar, add_days
from api.cases.deadlines import SPECS
from api.discretion.benchmark import deviation
from mobile_contract.case_state import DeadlineRule, Measure, WorkflowState
from mobile_contract.discretion import Benchmark
from mobile_contract.records import PenaltyKind
from mobile_contract.workflow import (
    REVIEW_GROUND_NAMES,
    ApplyMeasure,
    CaseStage,
    Decide,
    ExtendDeadline,
    ExtendMeasure,
    MeasureKind,
    Notify,
    PauseKind,
    PenaltyProposal,
    Refusal,
    ReleaseMeasure,
    ReviewGround,
    ScheduleHearing,
    Step,
    WithdrawPublication,
)

HEARING_REQUEST_DAYS = 5  # 第六十四条第一项：告知后五日内提出（第八十五条：工作日）
HEARING_NOTICE_DAYS = 7  # 第六十四条第二项：举行听证的七日前通知
EXTENDABLE_RULES = frozenset({DeadlineRule.DECIDE_90})


class ReviewCheck(msgspec.Struct, frozen=True, kw_only=True):
    """The reviewer's re-check of evidence in this review round (法制审核时重新核验)."""

    reviewer_id: uuid.UUID
    failed: tuple[uuid.UUID, ...] = ()


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    """What guards need beyond the state, loaded by the service for one request."""

    today: dt.date
    calendar: WorkingCalendar
    actor_id: uuid.UUID | None = None
    record_officer_counts: tuple[int, ...] = ()
    evidence_unverified: tuple[uuid.UUID, ...] = ()
    evidence_failed: tuple[uuid.UUID, ...] = ()
    investigators: frozenset[uuid.UUID] = frozenset()
    benchmark: Benchmark | None = None
    review_check: ReviewCheck | None = None


Guard = Callable[[WorkflowState, Step, Facts], Refusal | None]


def _refuse(code: str, message: str, message_en: str) -> Refusal:
    return Refusal(code=code, message=message, message_en=message_en)


def two_officers(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if not facts.record_officer_counts:
        return _refuse("investigation-without-record", "案件尚无调查取证记录，不能告知", "no investigation record yet")
    if min(facts.record_officer_counts) < 2:
        return _refuse(
            "two-officers-required",
            "调查取证须有两名以上执法人员（行政处罚法第四十二条），有记录只有一名执法人员",
            "a record of the case names fewer than two officers (Art. 42)",
        )
    return None


def notice_calendar(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    """告知书上的期限须能算出：节假日数据须覆盖到期限届满."""
    try:
        add_days(facts.calendar, facts.today, 15, working=True)
    except CalendarUnavailable as exc:
        return calendar_refusal(exc)
    return None


def calendar_refusal(exc: CalendarUnavailable) -> Refusal:
    return _refuse(
        "calendar-unavailable",
        f"{exc.year} 年的节假日安排尚未导入（已导入：{exc.covered} 年），无法计算工作日期限："
        f"请管理员导入国务院办公厅关于{exc.year}年部分节假日安排的通知后重试",
        f"the working calendar covers {exc.covered}; load the holiday notice for {exc.year}, then retry",
    )


def penalty_of(step: Step) -> PenaltyProposal:
    assert isinstance(step, Notify | Decide)  # the steps that propose a penalty
    return step.penalty


def discretion(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    penalty = penalty_of(step)
    found = deviation(penalty, facts.benchmark)
    if found is None or penalty.justification.strip():
        return None
    return _refuse(found.code, found.message + "；如确需超出，请填写书面理由（并须经法制审核）", found.message_en)


def notified(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if state.notice is None:
        return _refuse("not-notified", "尚未告知当事人拟处罚及其权利（第四十四条）", "party not notified (Art. 44)")
    return None


def party_heard(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    """陈述申辩期限届满或当事人放弃（第四十五条、第六十二条）."""
    notice = state.notice
    if notice is None or state.statement_waived_on is not None or facts.today > notice.statement_due:
        return None
    return _refuse(
        "statement-period-running",
        f"陈述、申辩期限至 {notice.statement_due} 届满，届满或当事人放弃前不能作出决定（第六十二条）",
        f"statement period runs until {notice.statement_due} (Art. 45, 62)",
    )


def hearing_settled(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    notice = state.notice
    if notice is None or not notice.hearing_rights:
        return None
    if state.hearing is not None:
        if state.hearing.concluded_on is None:
            return _refuse("hearing-not-concluded", "听证尚未结束", "the hearing has not concluded")
        return None
    if state.hearing_waived_on is not None or (notice.hearing_due is not None and facts.today > notice.hearing_due):
        return None
    return _refuse(
        "hearing-request-period-running",
        f"要求听证的期限至 {notice.hearing_due} 届满，届满或当事人放弃前不能作出决定（第六十四条）",
        f"the party may ask for a hearing until {notice.hearing_due} (Art. 64)",
    )


def not_heavier(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    """不得因当事人陈述、申辩而给予更重的处罚（第四十五条）."""
    if state.notice is None:
        return None
    before, after = state.notice.penalty, penalty_of(step)
    heavier = (
        not set(after.kinds) <= set(before.kinds)
        or after.fine_fen > before.fine_fen
        or after.confiscated_fen > before.confiscated_fen
    )
    if not heavier:
        return None
    return _refuse(
        "heavier-than-notified",
        "决定的处罚不得重于告知的处罚（第四十五条）；如查明新的事实，请补充调查后重新告知",
        "the decided penalty exceeds the notified one (Art. 45)",
    )


def required_grounds(state: WorkflowState, step: Step, facts: Facts) -> set[ReviewGround]:
    grounds = set(state.review.grounds)
    if isinstance(step, Decide) and deviation(step.penalty, facts.benchmark) is not None:
        grounds.add(ReviewGround.DISCRETION_DEVIATION)
    return grounds


def review_passed(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    """须法制审核的，未经审核或审核未通过的不得作出决定（第五十八条）."""
    grounds = required_grounds(state, step, facts)
    review = state.review
    if not grounds or (review.passed_round == state.round and grounds <= set(review.passed_grounds)):
        return None
    why = "；".join(REVIEW_GROUND_NAMES[g] for g in sorted(grounds))
    return _refuse(
        "legal-review-required",
        f"本案须经法制审核且审核通过后才能作出决定（第五十八条：{why}）",
        f"legal review required and not passed for this round: {', '.join(sorted(grounds))} (Art. 58)",
    )


def discussion_held(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if not state.discussion_required or state.discussion_round == state.round:
        return None
    return _refuse(
        "collective-discussion-required",
        "本案须经负责人集体讨论决定（第五十七条第二款）",
        "collective discussion of the heads required (Art. 57)",
    )


def evidence_intact(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if facts.evidence_failed:
        return _refuse(
            "evidence-integrity-failed",
            f"有 {len(facts.evidence_failed)} 项证据核验失败（存储内容与采集哈希不一致），不能据此作出决定",
            f"{len(facts.evidence_failed)} evidence item(s) failed the integrity check",
        )
    if facts.evidence_unverified:
        return _refuse(
            "evidence-not-verified",
            f"有 {len(facts.evidence_unverified)} 项证据尚未上传核验",
            f"{len(facts.evidence_unverified)} evidence item(s) not uploaded and verified yet",
        )
    return None


def hearing_request_open(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    notice = state.notice
    if notice is None or not notice.hearing_rights:
        return _refuse("no-hearing-rights", "告知时未给予听证权利", "no hearing rights were notified")
    if state.hearing_waived_on is not None:
        return _refuse("hearing-waived", "当事人已放弃听证", "the party waived the hearing")
    if notice.hearing_due is not None and facts.today > notice.hearing_due:
        return _refuse(
            "hearing-request-late",
            f"要求听证的期限已于 {notice.hearing_due} 届满（第六十四条第一项）",
            f"hearing request period ended {notice.hearing_due}",
        )
    return None


def hearing_notice_in_time(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    assert isinstance(step, ScheduleHearing)
    try:
        earliest = add_days(facts.calendar, facts.today, HEARING_NOTICE_DAYS, working=True)[0]
    except CalendarUnavailable as exc:
        return calendar_refusal(exc)
    if step.hearing_on >= earliest:
        return None
    return _refuse(
        "hearing-notice-too-late",
        f"应当在举行听证的七日前通知当事人，今天通知最早可定于 {earliest} 举行（第六十四条第二项）",
        f"hearing must be notified 7 working days ahead; earliest date is {earliest}",
    )


def hearing_host_independent(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    assert isinstance(step, ScheduleHearing)
    if step.host_user_id not in facts.investigators:
        return None
    return _refuse(
        "hearing-host-is-investigator",
        "听证主持人不得是本案调查人员（第六十四条第四项）",
        "the hearing host investigated this case (Art. 64)",
    )


def hearing_held(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    hearing = state.hearing
    if hearing is None or hearing.hearing_on is None:
        return _refuse("hearing-not-scheduled", "尚未安排听证", "no hearing scheduled")
    if facts.today < hearing.hearing_on:
        return _refuse("hearing-not-held", f"听证定于 {hearing.hearing_on} 举行", "the hearing date is in the future")
    return None


def measure_of(state: WorkflowState, step: Step) -> Measure | None:
    assert isinstance(step, ApplyMeasure | ExtendMeasure | ReleaseMeasure)  # the steps that name a measure
    measure_id = step.measure_id
    return next((m for m in state.measures if m.id == measure_id), None)


def measure_id_free(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if measure_of(state, step) is None:
        return None
    return _refuse("measure-id-taken", "该强制措施编号已使用", "measure id already used")


def measure_active(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    measure = measure_of(state, step)
    if measure is None:
        return _refuse("measure-not-found", "本案没有该强制措施", "no such measure in this case")
    if measure.outcome is not None:
        return _refuse("measure-closed", "该强制措施已解除或处理", "the measure is already closed")
    return None


def measure_extensible(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    assert isinstance(step, ExtendMeasure)
    measure = measure_of(state, step)
    if measure is None or measure.outcome is not None:
        return measure_active(state, step, facts)
    if measure.kind == MeasureKind.PRESERVATION:
        return _refuse("measure-not-extensible", "先行登记保存不能延长", "preservation cannot be extended")
    if measure.extended_days:
        return _refuse(
            "measure-extension-used", "查封、扣押只能延长一次（行政强制法第二十五条）", "already extended once"
        )
    if facts.today > measure.starts_on + dt.timedelta(days=measure.days):
        return _refuse("measure-expired", "期限已届满，不能再延长", "the measure has already expired")
    return None


def measures_closed(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if all(m.outcome is not None for m in state.measures):
        return None
    return _refuse("measures-open", "仍有查封、扣押或登记保存未解除或处理", "a coercive measure is still in force")


def pause_open(state: WorkflowState, kind: PauseKind) -> bool:
    return any(p.kind == kind and p.ended_on is None for p in state.pauses)


def appraisal_idle(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if not pause_open(state, PauseKind.APPRAISAL):
        return None
    return _refuse("appraisal-running", "已有检测、鉴定正在进行", "an appraisal is already running")


def appraisal_running(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if pause_open(state, PauseKind.APPRAISAL):
        return None
    return _refuse("appraisal-not-running", "没有正在进行的检测、鉴定", "no appraisal is running")


def deadline_extensible(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    assert isinstance(step, ExtendDeadline)
    if step.rule in EXTENDABLE_RULES:
        return None
    extendable = "、".join(f"“{SPECS[r].title}”" for r in sorted(EXTENDABLE_RULES))
    title = next((spec.title for rule, spec in SPECS.items() if rule == step.rule), None)
    named = f"“{title}”是法定期限，" if title else "没有所选的期限，"
    return _refuse(
        "deadline-not-extendable",
        f"{named}不能延长（可以延长的只有{extendable}）",
        f"only {sorted(EXTENDABLE_RULES)} can be extended",
    )


def _to_execute(state: WorkflowState) -> bool:
    """The decision imposes a penalty that needs executing (not 不予处罚, not a warning alone: served is executed)."""
    decision = state.decision
    return (
        decision is not None
        and decision.penalty is not None
        and not set(decision.penalty.kinds) <= {PenaltyKind.WARNING}
    )


def execution_not_needed(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    """送达后直接结案：不予处罚，或只有警告（送达即执行完毕）."""
    if state.stage is not CaseStage.SERVED or not _to_execute(state):
        return None
    return _refuse("execution-required", "处罚决定尚需执行，请先登记执行", "the decision must be executed first")


def suspendable(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    """中止: of the investigation before a decision, or of the execution once the decision is served
    (中止执行, 行政强制法第三十九条). A decision not yet served must be served within seven days (第六十一条)."""
    if state.stage is CaseStage.DECIDED:
        return _refuse(
            "decision-not-served",
            "决定书尚未送达，不能中止：决定书应在七日内送达当事人（行政处罚法第六十一条）；"
            "送达后如有行政强制法第三十九条规定的情形，可以中止执行",
            "a decision not yet served cannot be suspended: serve it (Art. 61); its execution may then be suspended",
        )
    if state.stage in (CaseStage.SERVED, CaseStage.EXECUTING) and not _to_execute(state):
        return _refuse(
            "nothing-to-suspend",
            "该决定无需执行（不予处罚，或仅警告且已送达），没有可以中止的执行，请直接结案",
            "the decision needs no execution, so there is nothing to suspend",
        )
    return None


def has_penalty(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if state.decision is not None and state.decision.penalty is not None:
        return None
    return _refuse("nothing-to-execute", "不予处罚决定无需执行，请直接结案", "a no-penalty decision needs no execution")


def review_opened(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    check = facts.review_check
    if check is not None and check.reviewer_id == facts.actor_id:
        return None
    return _refuse("review-not-opened", "请先打开案卷（重新核验全部证据）再作出审核结论", "open the dossier first")


def review_evidence_intact(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    check = facts.review_check
    if check is None or not check.failed:
        return None
    return _refuse(
        "evidence-integrity-failed",
        f"审核时有 {len(check.failed)} 项证据核验失败，不能通过审核",
        f"{len(check.failed)} evidence item(s) failed the re-check at review",
    )


def decision_standing(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if state.decision is not None and state.decision.penalty is not None and state.annulled_on is None:
        return None
    return _refuse("no-standing-decision", "没有有效的行政处罚决定", "no standing penalty decision")


def unpublished(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    if state.publication is None:
        return None
    return _refuse("already-published", "该决定已公示", "already published")


def published(state: WorkflowState, step: Step, facts: Facts) -> Refusal | None:
    assert isinstance(step, WithdrawPublication)
    publication = state.publication
    if publication is not None and publication.withdrawn_on is None and publication.id == step.publication_id:
        return None
    return _refuse("not-published", "该决定未公示或已撤回", "not published, or already withdrawn")
