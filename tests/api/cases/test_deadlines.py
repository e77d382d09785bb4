"""Deadlines across public holidays and make-up working days, checked by hand against the State Council's
notices (国庆 2025/2026, 春节 2025/2026), plus pauses, extensions and the calendar's limit."""

import datetime as dt
import uuid

import pytest

from api.calendar.workdays import CalendarUnavailable, add_days
from api.cases import deadlines as engine
from mobile_contract.case_state import (
    DeadlineStatus,
    Decision,
    Extension,
    Hearing,
    Measure,
    Notice,
    Pause,
    Service,
    WorkflowState,
)
from mobile_contract.workflow import CaseStage, MeasureKind, PauseKind, PenaltyProposal
from tests.factories import package_calendar

D = dt.date
PACKAGE = package_calendar()
FINE = PenaltyProposal(violation_code="V", circumstance="ordinary", facts="f", legal_basis="b", kinds=["fine"],
                       fine_fen=100)  # fmt: skip


@pytest.mark.parametrize(
    ("anchor", "days", "due", "why"),
    [
        # 2026-10-01..07 National Day; Sat 10-10 a make-up working day, Sun 10-11 a rest day.
        (D(2026, 9, 30), 7, D(2026, 10, 15), "9-30 → 10-8, 9, 10(Sat, worked), 12, 13, 14, 15"),
        (D(2026, 9, 28), 3, D(2026, 10, 8), "9-29, 9-30, then 10-8 after the holiday"),
        (D(2026, 9, 28), 5, D(2026, 10, 10), "the fifth working day is the make-up Saturday"),
        # 2026-02-15..23 Spring Festival; Sat 02-14 and Sat 02-28 make-up working days.
        (D(2026, 2, 13), 7, D(2026, 3, 2), "2-14(Sat, worked), 24, 25, 26, 27, 28(Sat, worked), 3-2"),
        (D(2026, 2, 12), 2, D(2026, 2, 14), "2-13, then Saturday 2-14 worked"),
        # 2025-10-01..08 National Day with Mid-autumn; Sun 09-28 and Sat 10-11 make-up days.
        (D(2025, 9, 26), 2, D(2025, 9, 29), "Sat 9-27 rest, Sun 9-28 worked, Mon 9-29"),
        (D(2025, 9, 30), 7, D(2025, 10, 16), "10-9, 10, 11(Sat, worked), 13, 14, 15, 16"),
        # 2025-01-28..02-04 Spring Festival; Sun 01-26 and Sat 02-08 make-up days.
        (D(2025, 1, 24), 3, D(2025, 2, 5), "Sun 1-26 worked, Mon 1-27, then 2-5 after the holiday"),
        (D(2025, 2, 5), 3, D(2025, 2, 8), "2-6, 2-7, Sat 2-8 worked"),
    ],
)
def test_working_days_across_holidays(anchor, days, due, why) -> None:
    assert add_days(PACKAGE, anchor, days, working=True) == (due, 0), why


def deadlines(state: WorkflowState, today: dt.date) -> list:
    return engine.deadlines(state, today, PACKAGE)


def test_natural_days_skip_pauses_and_do_not_move_off_holidays() -> None:
    state = WorkflowState(
        stage=CaseStage.NOTIFIED,
        filed_on=D(2026, 9, 1),
        pauses=[Pause(kind=PauseKind.HEARING, started_on=D(2026, 9, 20), ended_on=D(2026, 9, 30))],
    )
    [decide] = [d for d in deadlines(state, D(2026, 10, 2)) if d.rule == "decide_90"]
    # 9-1 + 90 = 11-30; ten paused days (9-20 … 9-29) push it to 12-10.
    assert (decide.due_on, decide.paused_days, decide.status) == (D(2026, 12, 10), 10, DeadlineStatus.RUNNING)
    assert decide.days_left == (D(2026, 12, 10) - D(2026, 10, 2)).days
    ends_in_holiday = WorkflowState(stage=CaseStage.INVESTIGATING, filed_on=D(2026, 7, 3))
    [d] = deadlines(ends_in_holiday, D(2026, 7, 3))
    assert d.due_on == D(2026, 10, 1), "90 natural days end on 10-1 even though it is a holiday"


def test_an_open_pause_stops_the_clock() -> None:
    state = WorkflowState(
        stage=CaseStage.SUSPENDED,
        filed_on=D(2026, 9, 1),
        pauses=[Pause(kind=PauseKind.SUSPENSION, started_on=D(2026, 10, 9))],
    )
    [decide] = deadlines(state, D(2026, 11, 20))
    assert (decide.status, decide.due_on) == (DeadlineStatus.PAUSED, None)


def test_extension_with_approval_adds_days() -> None:
    ext = Extension(rule="decide_90", days=30, reason="案情复杂", approved_by=uuid.uuid4(), approved_on=D(2026, 11, 1))
    state = WorkflowState(stage=CaseStage.INVESTIGATING, filed_on=D(2026, 9, 1), extensions=[ext])
    [decide] = deadlines(state, D(2026, 11, 2))
    assert (decide.due_on, decide.extended_days) == (D(2026, 12, 30), 30)


def test_statement_and_hearing_periods_of_a_notice_in_national_day_week() -> None:
    notice = Notice(round=1, notified_on=D(2026, 9, 28), penalty=FINE, hearing_rights=True, statement_days=3,
                    statement_due=D(2026, 10, 8), hearing_due=D(2026, 10, 10))  # fmt: skip
    state = WorkflowState(stage=CaseStage.NOTIFIED, filed_on=D(2026, 9, 1), notice=notice)
    found = {d.rule: d for d in deadlines(state, D(2026, 10, 9))}
    assert (found["statement"].due_on, found["statement"].status) == (D(2026, 10, 8), DeadlineStatus.ENDED)
    assert (found["hearing_request_5"].due_on, found["hearing_request_5"].status) == (
        D(2026, 10, 10),
        DeadlineStatus.RUNNING,
    )


def test_hearing_notice_seven_working_days_before() -> None:
    hearing = Hearing(requested_on=D(2026, 9, 25), notice_on=D(2026, 9, 29), hearing_on=D(2026, 10, 15))
    state = WorkflowState(stage=CaseStage.HEARING, filed_on=D(2026, 9, 1), hearing=hearing)
    [notice] = [d for d in deadlines(state, D(2026, 9, 29)) if d.rule == "hearing_notice_7"]
    # From 10-7 (a holiday) the seven working days are 10-8 … 10-15; from 10-8 they would end on 10-16.
    assert (notice.due_on, notice.status) == (D(2026, 10, 7), DeadlineStatus.MET)


def test_measures_preservation_and_seizure() -> None:
    seize = Measure(id=uuid.uuid4(), kind=MeasureKind.SEIZE, objects="挖掘机", starts_on=D(2026, 9, 25), days=30,
                    extended_days=30)  # fmt: skip
    keep = Measure(id=uuid.uuid4(), kind=MeasureKind.PRESERVATION, objects="账簿", starts_on=D(2026, 9, 29), days=7)
    appraisal = Pause(kind=PauseKind.APPRAISAL, started_on=D(2026, 10, 1), ended_on=D(2026, 10, 6))
    state = WorkflowState(stage=CaseStage.INVESTIGATING, filed_on=D(2026, 9, 1), measures=[seize, keep],
                          pauses=[appraisal])  # fmt: skip
    found = {d.rule: d for d in deadlines(state, D(2026, 10, 9))}
    assert found["measure_30"].due_on == D(2026, 11, 29), "9-25 + 60 days = 11-24, + 5 appraisal days (Art. 25)"
    assert found["preservation_7"].due_on == D(2026, 10, 14), "9-30, 10-8, 9, 10(Sat), 12, 13, 14"


def test_serve_and_publish_after_a_decision_and_late_service() -> None:
    state = WorkflowState(
        stage=CaseStage.SERVED, filed_on=D(2026, 8, 1), decision=Decision(decided_on=D(2026, 9, 30), penalty=FINE),
        service=Service(served_on=D(2026, 10, 16), method="post", recipient="某"),
    )  # fmt: skip
    found = {d.rule: d for d in deadlines(state, D(2026, 10, 20))}
    assert (found["serve_7"].due_on, found["serve_7"].status) == (D(2026, 10, 15), DeadlineStatus.LATE)
    assert (found["publish_7"].due_on, found["publish_7"].status) == (D(2026, 10, 15), DeadlineStatus.RUNNING)
    assert found["decide_90"].status is DeadlineStatus.MET


def test_working_days_beyond_the_holiday_data_are_refused_not_guessed() -> None:
    last = max(PACKAGE.years)
    assert min(PACKAGE.years) <= 2025 and last >= 2026
    with pytest.raises(CalendarUnavailable):
        add_days(PACKAGE, D(last, 12, 28), 7, working=True)
    state = WorkflowState(stage=CaseStage.DECIDED, filed_on=D(last, 11, 1),
                          decision=Decision(decided_on=D(last, 12, 28), penalty=FINE))  # fmt: skip
    found = {d.rule: d for d in deadlines(state, D(last, 12, 28))}
    assert (found["serve_7"].status, found["serve_7"].due_on) == (DeadlineStatus.INCALCULABLE, None)
    assert str(last + 1) in found["serve_7"].note
    assert found["decide_90"].due_on == D(last, 11, 1) + dt.timedelta(days=90), "natural days need no holiday data"


def test_a_suspension_after_the_decision_leaves_every_limit_computable() -> None:
    """中止 after 决定 used to raise "period does not end" out of the request (a 500)."""
    suspended = Pause(kind=PauseKind.SUSPENSION, started_on=D(2026, 10, 20))
    state = WorkflowState(
        stage=CaseStage.SUSPENDED, resume_stage=CaseStage.SERVED, filed_on=D(2026, 8, 1),
        decision=Decision(decided_on=D(2026, 10, 12), penalty=FINE),
        service=Service(served_on=D(2026, 10, 14), method="post", recipient="某"), pauses=[suspended],
    )  # fmt: skip
    found = {d.rule: d for d in deadlines(state, D(2026, 11, 20))}
    assert (found["decide_90"].status, found["decide_90"].due_on) == (DeadlineStatus.MET, D(2026, 10, 30))
    assert found["serve_7"].status is DeadlineStatus.MET
    assert found["publish_7"].due_on == D(2026, 10, 21), "publication is the organ's duty, execution's pause aside"


def test_a_limit_reaching_an_open_pause_has_no_due_date_yet_and_says_so() -> None:
    hearing = Pause(kind=PauseKind.HEARING, started_on=D(2026, 11, 10))
    state = WorkflowState(stage=CaseStage.HEARING, filed_on=D(2026, 9, 1), pauses=[hearing])
    [decide] = deadlines(state, D(2026, 11, 5))  # before the pause began: the count still runs into it
    assert (decide.status, decide.due_on) == (DeadlineStatus.PAUSED, None)
    assert "2026-11-10" in decide.note
    revoked = WorkflowState(  # filing revoked while an appraisal still runs
        stage=CaseStage.FILING_REVOKED, filed_on=D(2026, 8, 1),
        pauses=[Pause(kind=PauseKind.APPRAISAL, started_on=D(2026, 9, 1))],
    )  # fmt: skip
    [decide] = deadlines(revoked, D(2026, 11, 20))
    assert (decide.status, decide.due_on) == (DeadlineStatus.CANCELLED, None)
