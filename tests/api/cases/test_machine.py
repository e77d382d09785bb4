"""Random sequences of steps against the pure state machine (no database).

Whatever order steps are asked for, on whatever days, with whatever facts,
a penalty decision is only ever reached with the law's preconditions met.
The invariants are checked against the history of steps that were accepted,
independently of the guards' own bookkeeping, and the party's periods are
recounted with chinese_calendar directly.
"""

from __future__ import annotations

import datetime as dt
import uuid

import chinese_calendar
import msgspec
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from api.cases import deadlines, machine
from api.cases.guards import Facts, ReviewCheck
from mobile_contract.case_state import WorkflowState
from mobile_contract.discretion import Benchmark, BenchmarkEntry, BenchmarkSummary
from mobile_contract.problems import Forbidden, InvalidTransition
from mobile_contract.workflow import (
    ApplyMeasure,
    CaseStage,
    ConcludeHearing,
    Decide,
    EndAppraisal,
    File,
    HoldDiscussion,
    Notify,
    NotPenalise,
    PassReview,
    PenaltyProposal,
    Publish,
    RecordStatement,
    Reinvestigate,
    ReleaseMeasure,
    RequestHearing,
    RequireDiscussion,
    Resume,
    ReturnReview,
    ScheduleHearing,
    Serve,
    SetReviewGrounds,
    StartAppraisal,
    StartExecution,
    SubmitReview,
    Suspend,
)  # fmt: skip
from tests.factories import package_calendar

AS_NOTIFIED = "decide as notified"  # becomes Decide with the current notice's penalty
ACTOR = uuid.uuid4()
HOST = uuid.uuid4()
MEASURE = uuid.uuid4()
START = dt.date(2026, 1, 5)
PACKAGE = package_calendar()
BENCHMARK = Benchmark(
    summary=BenchmarkSummary(
        id=uuid.uuid4(), department_id=uuid.uuid4(), version=1, title="t", source_sha256="0" * 64, entries=1,
        imported_by=None, imported_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), published_at=None, published_by=None,
    ),
    entries=[BenchmarkEntry(violation_code="KC-001", violation="v", legal_basis="b", circumstance="ordinary",
                            kinds=["fine", "warning"], fine_min_fen=1_000_000, fine_max_fen=10_000_000)],
)  # fmt: skip

penalties = st.builds(
    lambda kinds, fine, justified: PenaltyProposal(
        violation_code="KC-001", circumstance="ordinary", facts="f", legal_basis="b", kinds=sorted(kinds),
        fine_fen=fine if "fine" in kinds else 0, justification="理由" if justified else "",
    ),
    st.sets(st.sampled_from(["fine", "warning"]), min_size=1),
    st.sampled_from([500_000, 2_000_000, 5_000_000, 20_000_000]),
    st.booleans(),
)  # fmt: skip
hearing_days = st.integers(0, 30).map(lambda d: START + dt.timedelta(days=d))
STEPS = {
    File: st.just(File()),
    Notify: st.builds(Notify, penalty=penalties, hearing_rights=st.booleans(), statement_days=st.sampled_from([3, 5])),
    RecordStatement: st.builds(RecordStatement, waives_statement=st.booleans(), waives_hearing=st.booleans()),
    RequestHearing: st.just(RequestHearing()),
    ScheduleHearing: st.builds(
        ScheduleHearing, hearing_on=hearing_days, place=st.just("会议室"), host_user_id=st.sampled_from([HOST, ACTOR])
    ),
    ConcludeHearing: st.just(ConcludeHearing(summary="听证结束")),
    SetReviewGrounds: st.builds(
        SetReviewGrounds, grounds=st.sampled_from([["complex"], ["public_interest"]]), reason=st.just("理由")
    ),
    SubmitReview: st.just(SubmitReview()),
    PassReview: st.just(PassReview(opinion="同意")),
    Decide: st.one_of(st.just(AS_NOTIFIED), st.builds(Decide, penalty=penalties)),
    RequireDiscussion: st.just(RequireDiscussion(reason="重大")),
    ReturnReview: st.just(ReturnReview(reasons="补充")),
    HoldDiscussion: st.just(HoldDiscussion(held_on=START, attendees=["甲", "乙", "丙"], conclusion="同意")),
    Reinvestigate: st.just(Reinvestigate(reason="新线索")),
    NotPenalise: st.just(NotPenalise(ground="first_violation", reason="首违")),
    Serve: st.just(Serve(method="in_person", recipient="某")),
    StartExecution: st.just(StartExecution()),
    Suspend: st.just(Suspend(reason="等待")),
    Resume: st.just(Resume(reason="恢复")),
    StartAppraisal: st.just(StartAppraisal(subject="测量")),
    EndAppraisal: st.just(EndAppraisal(result="完成")),
    ApplyMeasure: st.just(ApplyMeasure(measure_id=MEASURE, kind="seize", objects="挖掘机一台")),
    ReleaseMeasure: st.just(ReleaseMeasure(measure_id=MEASURE, outcome="released", reason="解除")),
    Publish: st.builds(Publish, publication_id=st.just(uuid.uuid4())),
}  # fmt: skip  (移送 and the other terminal exits would end most runs early; they have their own tests)
facts = st.fixed_dictionaries({
    "record_officer_counts": st.integers(0, 9).map(lambda n: {7: (), 8: (1,), 9: (2, 1)}.get(n, (2,))),
    "evidence_failed": st.integers(0, 9).map(lambda n: (uuid.uuid4(),) if n == 7 else ()),
    "benchmark": st.sampled_from([None, BENCHMARK]),
    "review_check": st.sampled_from([ReviewCheck(reviewer_id=ACTOR), None]),
})  # fmt: skip
# The main line of the procedure comes most often, so many runs get as far as a decision.
WEIGHTS = {File: 6, Notify: 6, RecordStatement: 6, ScheduleHearing: 4, ConcludeHearing: 6, SubmitReview: 4,
           PassReview: 6, Decide: 8, RequestHearing: 2, Reinvestigate: 2, NotPenalise: 1, Suspend: 1, Resume: 6,
           ReturnReview: 2, HoldDiscussion: 3, RequireDiscussion: 0, SetReviewGrounds: 0}  # fmt: skip
ANY_KIND = sorted(STEPS, key=lambda k: k.__name__)


def working_days_after(day: dt.date, n: int) -> dt.date:
    while n:
        day += dt.timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


def deviates(penalty: PenaltyProposal) -> bool:
    """Outside BENCHMARK's only row: a fine below 10,000 or above 100,000 yuan."""
    return "fine" in penalty.kinds and not 1_000_000 <= penalty.fine_fen <= 10_000_000


def draw_step(data: st.DataObject, state: WorkflowState) -> object:
    """Mostly a step the stage allows (guards may still refuse it), sometimes any step at all."""
    allowed = [k for k, _ in machine.candidate_steps(state) if k in STEPS for _ in range(WEIGHTS.get(k, 1))]
    kinds = allowed if allowed and data.draw(st.integers(0, 9), label="allowed?") else ANY_KIND
    step = data.draw(STEPS[data.draw(st.sampled_from(kinds), label="kind")], label="step")
    if step is AS_NOTIFIED:
        return Decide(penalty=state.notice.penalty) if state.notice else File()
    return step


def run(data: st.DataObject) -> list[tuple[object, dt.date, Facts, WorkflowState]]:
    """Apply random steps on random days with random facts; returns (step, day, facts, state after) of accepted ones."""
    state, today, accepted = WorkflowState(), START, []
    for _ in range(data.draw(st.integers(5, 40), label="length")):
        step = draw_step(data, state)
        today += dt.timedelta(days=data.draw(st.integers(0, 6), label="days"))
        drawn = data.draw(facts, label="facts")
        f = Facts(today=today, calendar=PACKAGE, actor_id=ACTOR, investigators=frozenset({ACTOR}), **drawn)
        role = sorted(machine.RULES[type(step)].roles)[0]
        try:
            machine.check(state, step, f, role)
        except (InvalidTransition, Forbidden):
            continue
        state = machine.apply(state, step, f)
        accepted.append((step, today, f, state))
    return accepted


def assert_decision_was_lawful(accepted, at: int) -> None:
    step, day, facts, _ = accepted[at]
    before = accepted[:at]
    resets = [i for i, (s, *_) in enumerate(before) if isinstance(s, Reinvestigate | ReturnReview)]
    notices = [i for i, (s, *_) in enumerate(before) if isinstance(s, Notify) and i > max(resets, default=-1)]
    assert notices, "decided without a notice in the current round (Art. 44)"
    n = notices[-1]
    notice, notified_on = before[n][0], before[n][1]
    after_notice = [s for s, *_ in before[n + 1 :]]
    waived = any(isinstance(s, RecordStatement) and s.waives_statement for s in after_notice)
    assert waived or day > working_days_after(notified_on, notice.statement_days), "statement period (Art. 45, 62)"
    if notice.hearing_rights:
        requested = any(isinstance(s, RequestHearing) for s in after_notice)
        hearing_waived = any(isinstance(s, RecordStatement) and s.waives_hearing for s in after_notice)
        if requested:
            assert any(isinstance(s, ConcludeHearing) for s in after_notice), "hearing requested but not held"
        else:
            assert hearing_waived or day > working_days_after(notified_on, 5), "hearing request period (Art. 64)"
    assert set(step.penalty.kinds) <= set(notice.penalty.kinds), "heavier kind than notified (Art. 45)"
    assert step.penalty.fine_fen <= notice.penalty.fine_fen, "heavier fine than notified (Art. 45)"
    needs_review = any(isinstance(s, SetReviewGrounds | ConcludeHearing) for s, *_ in before) or any(
        isinstance(s, Notify | Decide) and f.benchmark and deviates(s.penalty) for s, _, f, _ in [*before, accepted[at]]
    )
    if needs_review:
        passes = [i for i, (s, *_) in enumerate(before) if isinstance(s, PassReview)]
        assert passes and passes[-1] > n, "decided without a passed legal review after the notice (Art. 58)"
    assert not facts.evidence_failed, "decided on evidence that failed its integrity check"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_sequence_reaches_a_decision_without_notice_statements_and_review(data) -> None:
    accepted = run(data)
    decisions = [i for i, (s, *_) in enumerate(accepted) if isinstance(s, Decide)]
    event(f"decisions: {min(len(decisions), 1)}")
    for at in decisions:
        assert_decision_was_lawful(accepted, at)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_replaying_the_accepted_steps_gives_the_same_state(data) -> None:
    accepted = run(data)
    state = WorkflowState()
    for step, _, f, expected in accepted:
        state = machine.apply(state, step, f)
        assert state == expected
    if accepted:
        final = accepted[-1][3]
        assert msgspec.convert(msgspec.to_builtins(final), WorkflowState) == final
        assert final.stage in CaseStage


def test_the_lawful_path_is_accepted() -> None:
    """A lawful sequence does reach a decision (otherwise the property above proves nothing)."""
    fine = PenaltyProposal(
        violation_code="KC-001", circumstance="ordinary", facts="f", legal_basis="b", kinds=["fine"], fine_fen=2_000_000
    )
    ok = Facts(today=START, calendar=PACKAGE, actor_id=ACTOR, record_officer_counts=(2,), benchmark=BENCHMARK)
    state = WorkflowState()
    for step, day in ((File(), 0), (Notify(penalty=fine, hearing_rights=False), 1), (Decide(penalty=fine), 10)):
        f = msgspec.structs.replace(ok, today=START + dt.timedelta(days=day))
        machine.check(state, step, f, sorted(machine.RULES[type(step)].roles)[0])
        state = machine.apply(state, step, f)
    assert state.stage is CaseStage.DECIDED


def test_a_review_passed_before_reinvestigation_does_not_cover_the_new_notice() -> None:
    fine = PenaltyProposal(
        violation_code="KC-001", circumstance="ordinary", facts="f", legal_basis="b", kinds=["fine"], fine_fen=2_000_000
    )
    ok = Facts(
        today=START,
        calendar=PACKAGE,
        actor_id=ACTOR,
        record_officer_counts=(2,),
        review_check=ReviewCheck(reviewer_id=ACTOR),
    )
    waive = RecordStatement(waives_statement=True)
    path = [File(), SetReviewGrounds(grounds=["complex"], reason="复杂"), Notify(penalty=fine, hearing_rights=False),
            waive, SubmitReview(), PassReview(opinion="同意"), Reinvestigate(reason="新证据"),
            Notify(penalty=fine, hearing_rights=False), waive]  # fmt: skip
    state = WorkflowState()
    for step in path:
        machine.check(state, step, ok, sorted(machine.RULES[type(step)].roles)[0])
        state = machine.apply(state, step, ok)
    assert [r.code for r in machine.refusals(state, Decide(penalty=fine), ok)] == ["legal-review-required"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_state_the_procedure_reaches_makes_a_deadline_raise(data) -> None:
    """Whatever steps were taken (中止 after 决定 included), every limit evaluates, on the day and much later."""
    for _, day, _, state in run(data):
        for later in (day, day + dt.timedelta(days=200)):
            assert all(d.status for d in deadlines.deadlines(state, later, PACKAGE))
