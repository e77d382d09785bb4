"""The grade rule, term by term, and two properties that must hold for any history."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from api.credit.grading import BASELINE, Fact, grade
from mobile_contract.credit import CreditFactKind, CreditGrade, CreditList

DAY = dt.date(2026, 6, 30)
K = CreditFactKind


def fact(kind: CreditFactKind, days_ago: int = 10, serious: bool = False) -> Fact:
    return Fact(kind, serious, DAY - dt.timedelta(days=days_ago))


def test_no_history_is_the_baseline_b() -> None:
    result = grade([], set(), DAY)
    assert (result.grade, result.score, result.parts, result.changes_on) == (CreditGrade.B, BASELINE, [], None)


def test_each_term_is_explained() -> None:
    result = grade([fact(K.PENALTY), fact(K.PENALTY, 20), fact(K.INSPECTION_PASSED)], set(), DAY)
    assert result.score == 80 - 30 + 5
    assert result.grade is CreditGrade.C
    by_factor = {p.factor: p for p in result.parts}
    assert (by_factor["penalty"].count, by_factor["penalty"].points) == (2, -30)
    assert "行政处罚 2 次" in by_factor["penalty"].explanation
    assert by_factor["inspection_passed"].points == 5


def test_positive_points_are_capped() -> None:
    result = grade([fact(K.COMMITMENT_KEPT, d) for d in range(1, 8)], set(), DAY)
    assert result.score == 100 and result.grade is CreditGrade.A


def test_serious_penalty_counts_three_years_ordinary_one() -> None:
    ordinary = fact(K.PENALTY, 365)
    assert grade([ordinary], set(), DAY).score == 80, "an ordinary penalty counts for 365 days, day 0 included"
    assert grade([fact(K.PENALTY, 364)], set(), DAY).score == 65
    serious = fact(K.PENALTY, 1000, serious=True)
    result = grade([serious], set(), DAY)
    assert (result.score, result.grade) == (40, CreditGrade.D)
    assert result.changes_on == serious.decided_on + dt.timedelta(days=3 * 365)


def test_changes_on_is_the_next_day_a_fact_ages_out_or_starts() -> None:
    result = grade([fact(K.PENALTY, 100), fact(K.INSPECTION_FAILED, -3)], set(), DAY)
    assert result.changes_on == DAY + dt.timedelta(days=3), "a fact dated in the future starts counting then"
    assert result.score == 65


def test_licences_do_not_count() -> None:
    assert grade([fact(K.LICENCE)], set(), DAY).score == BASELINE


def test_lists_override_the_score() -> None:
    good = [fact(K.INSPECTION_PASSED, d) for d in range(1, 5)]
    assert grade(good, set(), DAY).grade is CreditGrade.A
    assert grade(good, {CreditList.ABNORMAL}, DAY).grade is CreditGrade.C
    assert grade(good, {CreditList.BLACKLIST}, DAY).grade is CreditGrade.D
    assert grade(good, {CreditList.BLACKLIST}, DAY).parts[-1].factor == "blacklist"


facts = st.lists(
    st.builds(Fact, st.sampled_from(list(K)), st.booleans(), st.dates(DAY - dt.timedelta(days=1500), DAY)),
    max_size=12,
)


@given(facts, st.sampled_from([K.PENALTY, K.INSPECTION_FAILED, K.COMPLAINT_UPHELD, K.COMMITMENT_BROKEN]))
def test_an_adverse_fact_never_raises_the_score(history: list[Fact], adverse: CreditFactKind) -> None:
    assert grade([*history, fact(adverse, 0)], set(), DAY).score <= grade(history, set(), DAY).score


@given(facts)
def test_score_is_bounded_and_parts_add_up(history: list[Fact]) -> None:
    result = grade(history, set(), DAY)
    assert 0 <= result.score <= 100
    gains = sum(p.points for p in result.parts if p.points > 0)
    losses = sum(p.points for p in result.parts if p.points < 0)
    assert result.score == max(0, min(100, BASELINE + losses + min(gains, 20)))
