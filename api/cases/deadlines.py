"""The deadline engine (办案期限): which time limits run in a case and when each falls due.

Working days follow 行政处罚法第八十五条 (the law's 二日、三日、五日、七日 are
working days, not counting public holidays) and 行政强制法第六十九条 (its
limits of ten days or less likewise); longer limits are natural days. The day
that starts a period is not counted. Paused periods (中止, 听证, 检测/鉴定)
are skipped for the limits they suspend (中止 after a decision is 中止执行, which
pauses execution, not the organ's duty to serve or publish the decision); approved extensions add days. The
last day of a natural-day limit is NOT moved off a holiday: for the organ's
own duties the strict date is the safe one.

Evaluating a limit never raises: a working-day count into a year whose holiday
notice is not loaded is ``incalculable`` and names the year; a count that
reaches a pause that has not ended is ``paused`` with no due date yet; a limit
already met counts only the pauses before it was met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import msgspec

from api.calendar.workdays import (
    CalendarUnavailable,
    Pause,
    PausedWithoutEnd,
    WorkingCalendar,
    add_days,
    latest_notice_day,
)
from mobile_contract.case_state import (
    DayUnit,
    DeadlineRead,
    DeadlineRule,
    DeadlineStatus,
    Obligor,
    WorkflowState,
)
from mobile_contract.workflow import CaseStage, MeasureKind, PauseKind

ALL_PAUSES = frozenset(PauseKind)
ENDED_EARLY = frozenset({CaseStage.NOT_FILED, CaseStage.FILING_REVOKED, CaseStage.TRANSFERRED})


class Spec(msgspec.Struct, frozen=True):
    rule: DeadlineRule
    title: str
    basis: str
    obligor: Obligor
    unit: DayUnit
    paused_by: frozenset[PauseKind] = frozenset()


class Occurrence(msgspec.Struct, frozen=True, kw_only=True):
    """One running instance of a rule: from when, how many days, and when it was done."""

    spec: Spec
    anchor_on: dt.date
    days: int
    subject: str = ""
    done_on: dt.date | None = None
    cancelled: bool = False
    backwards: bool = False  # due = the last day that still leaves ``days`` before the anchor


W, N, ORGAN, PARTY, R = DayUnit.WORKING, DayUnit.NATURAL, Obligor.ORGAN, Obligor.PARTY, DeadlineRule
LAW = "行政处罚法"
SPECS = {
    s.rule: s
    for s in (
        Spec(R.DECIDE_90, "立案之日起九十日内作出处罚决定", f"{LAW}第六十条", ORGAN, N, ALL_PAUSES),
        Spec(R.SERVE_7, "决定书七日内送达当事人", f"{LAW}第六十一条、第八十五条", ORGAN, W),
        Spec(R.STATEMENT, "当事人陈述、申辩期限", f"{LAW}第四十四条、第四十五条", PARTY, W),
        Spec(R.HEARING_REQUEST_5, "告知后五日内要求听证", f"{LAW}第六十四条第一项、第八十五条", PARTY, W),
        Spec(R.HEARING_NOTICE_7, "举行听证七日前通知当事人", f"{LAW}第六十四条第二项、第八十五条", ORGAN, W),
        Spec(R.PRESERVATION_7, "先行登记保存七日内作出处理决定", f"{LAW}第五十六条、第八十五条", ORGAN, W),
        Spec(R.MEASURE_30, "查封、扣押期限届满前解除或处理", "行政强制法第二十五条", ORGAN, N,
             frozenset({PauseKind.APPRAISAL})),
        Spec(R.PUBLISH_7, "决定后七个工作日内公示", f"{LAW}第四十八条、行政执法公示制度", ORGAN, W),
        Spec(R.WITHDRAW_3, "决定被撤销等，三日内撤回公示", f"{LAW}第四十八条、第八十五条", ORGAN, W),
    )
}  # fmt: skip


def _decide(state: WorkflowState) -> list[Occurrence]:
    if state.filed_on is None:
        return []
    done = state.decision.decided_on if state.decision else None
    cancelled = done is None and (state.stage in ENDED_EARLY or state.transfer is not None)
    spec = SPECS[DeadlineRule.DECIDE_90]
    return [Occurrence(spec=spec, anchor_on=state.filed_on, days=90, done_on=done, cancelled=cancelled)]


def _after_decision(state: WorkflowState) -> list[Occurrence]:
    decision = state.decision
    if decision is None:
        return []
    served = state.service.served_on if state.service else None
    found = [Occurrence(spec=SPECS[DeadlineRule.SERVE_7], anchor_on=decision.decided_on, days=7, done_on=served)]
    if decision.penalty is not None:
        published = state.publication.published_on if state.publication else None
        not_due = published is None and state.annulled_on is not None
        spec = SPECS[DeadlineRule.PUBLISH_7]
        found.append(Occurrence(spec=spec, anchor_on=decision.decided_on, days=7, done_on=published, cancelled=not_due))
    return found


def _withdrawal(state: WorkflowState) -> list[Occurrence]:
    publication, annulled = state.publication, state.annulled_on
    if annulled is None or publication is None:
        return []
    spec = SPECS[DeadlineRule.WITHDRAW_3]
    return [Occurrence(spec=spec, anchor_on=annulled, days=3, done_on=publication.withdrawn_on)]


def _notice(state: WorkflowState) -> list[Occurrence]:
    notice = state.notice
    if notice is None:
        return []
    found = [
        Occurrence(
            spec=SPECS[DeadlineRule.STATEMENT],
            anchor_on=notice.notified_on,
            days=notice.statement_days,
            done_on=state.statement_waived_on,
        )
    ]
    if notice.hearing_rights:
        requested = state.hearing.requested_on if state.hearing else None
        spec = SPECS[DeadlineRule.HEARING_REQUEST_5]
        done = requested or state.hearing_waived_on
        found.append(Occurrence(spec=spec, anchor_on=notice.notified_on, days=5, done_on=done))
    return found


def _hearing(state: WorkflowState) -> list[Occurrence]:
    hearing = state.hearing
    if hearing is None or hearing.hearing_on is None:
        return []
    spec = SPECS[DeadlineRule.HEARING_NOTICE_7]
    return [Occurrence(spec=spec, anchor_on=hearing.hearing_on, days=7, done_on=hearing.notice_on, backwards=True)]


def _measures(state: WorkflowState) -> list[Occurrence]:
    found = []
    for m in state.measures:
        rule = DeadlineRule.PRESERVATION_7 if m.kind == MeasureKind.PRESERVATION else DeadlineRule.MEASURE_30
        found.append(
            Occurrence(
                spec=SPECS[rule],
                anchor_on=m.starts_on,
                days=m.days + m.extended_days,
                subject=str(m.id),
                done_on=m.closed_on,
            )
        )
    return found


SOURCES: tuple[Callable[[WorkflowState], list[Occurrence]], ...] = (
    _decide, _notice, _hearing, _measures, _after_decision, _withdrawal,
)  # fmt: skip


def deadlines(state: WorkflowState, today: dt.date, calendar: WorkingCalendar) -> list[DeadlineRead]:
    """Every time limit of the case, as of ``today``."""
    return [evaluate(o, state, today, calendar) for source in SOURCES for o in source(state)]


def _pauses(state: WorkflowState, o: Occurrence) -> list[Pause]:
    """The pauses that suspend this limit; for a limit already met, only as they stood when it was met."""
    spans = [Pause(p.started_on, p.ended_on) for p in state.pauses if p.kind in o.spec.paused_by]
    if o.done_on is None:
        return spans
    return [Pause(p.start, min(p.end or o.done_on, o.done_on)) for p in spans if p.start < o.done_on]


def _extended(state: WorkflowState, o: Occurrence) -> int:
    return sum(e.days for e in state.extensions if e.rule == o.spec.rule.value and e.subject == o.subject)


def evaluate(o: Occurrence, state: WorkflowState, today: dt.date, calendar: WorkingCalendar) -> DeadlineRead:
    extended = _extended(state, o)
    pauses = _pauses(state, o)
    read = DeadlineRead(
        rule=o.spec.rule,
        subject=o.subject,
        title=o.spec.title,
        basis=o.spec.basis,
        obligor=o.spec.obligor,
        unit=o.spec.unit,
        days=o.days,
        anchor_on=o.anchor_on,
        due_on=None,
        done_on=o.done_on,
        status=DeadlineStatus.RUNNING,
        paused_days=0,
        extended_days=extended,
        days_left=None,
    )
    if o.done_on is None and not o.cancelled and any(p.covers(today) for p in pauses):
        read.status, read.note = DeadlineStatus.PAUSED, "暂停计算中（中止、听证或检测鉴定期间）"
        return read
    try:
        if o.backwards:
            read.due_on = latest_notice_day(calendar, o.anchor_on, o.days)
        else:
            read.due_on, read.paused_days = add_days(
                calendar, o.anchor_on, o.days + extended, working=o.spec.unit is W, pauses=pauses
            )
    except CalendarUnavailable as exc:
        read.note = f"{exc.year} 年的节假日安排尚未导入（已导入：{exc.covered} 年），导入后自动计算"
        read.status = DeadlineStatus.MET if o.done_on else DeadlineStatus.INCALCULABLE
        return read
    except PausedWithoutEnd as exc:
        read.note = f"自 {exc.since} 起暂停计算（中止、听证或检测鉴定尚未结束），恢复后计算届满日"
        read.status = DeadlineStatus.CANCELLED if o.cancelled else DeadlineStatus.PAUSED
        return read
    read.status = _status(o, read.due_on, today)
    read.days_left = (read.due_on - today).days if read.status is DeadlineStatus.RUNNING else None
    return read


def _status(o: Occurrence, due_on: dt.date, today: dt.date) -> DeadlineStatus:
    if o.cancelled:
        return DeadlineStatus.CANCELLED
    if o.done_on is not None:
        return DeadlineStatus.MET if o.done_on <= due_on else DeadlineStatus.LATE
    if o.spec.obligor is PARTY and today > due_on:
        return DeadlineStatus.ENDED
    return DeadlineStatus.RUNNING
