"""The throttling rules, as pure functions over random sequences of attempts (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from api.throttling.policy import (
    BackOff,
    Counter,
    RateLimit,
    Scope,
    after_event,
    after_failure,
    backoff_s,
    cleared,
    is_locked,
    wait_s,
)

START = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)
SIGN_IN = BackOff(free=10, first_wait_s=5, max_wait_s=300, window_s=3600)
ACCOUNT = BackOff(free=20, first_wait_s=5, max_wait_s=60, window_s=86_400, lock_after=100, lock_s=3600)
gaps = st.lists(st.floats(min_value=0, max_value=900, allow_nan=False), min_size=1, max_size=200)


def fresh(scope: Scope = Scope.SIGN_IN_ADDRESS) -> Counter:
    return Counter(scope=scope, subject="198.51.100.7", window_started_at=START)


def attempts(policy: BackOff, pauses: list[float]) -> list[tuple[dt.datetime, bool, Counter]]:
    """An attacker who tries again after each pause: (when, verified or refused, counter after)."""
    counter, at, seen = fresh(), START, []
    for pause in pauses:
        at += dt.timedelta(seconds=pause)
        verified = wait_s(counter, at) == 0
        counter = after_failure(counter, policy, at) if verified else counter
        seen.append((at, verified, counter))
    return seen


def test_the_wait_doubles_from_the_first_failure_past_the_free_ones_up_to_the_cap() -> None:
    assert [backoff_s(n, SIGN_IN) for n in (1, 10, 11, 12, 13, 16, 17, 10_000)] == [0, 0, 5, 10, 20, 160, 300, 300]


@given(gaps)
def test_failures_within_the_free_allowance_never_wait(pauses: list[float]) -> None:
    for _, _, counter in attempts(SIGN_IN, pauses):
        if counter.events <= SIGN_IN.free:
            assert counter.wait_until is None or counter.wait_until <= counter.window_started_at


@given(gaps)
def test_no_wait_exceeds_the_cap_and_refused_attempts_are_not_counted(pauses: list[float]) -> None:
    verified = 0
    for at, ok, counter in attempts(SIGN_IN, pauses):
        verified += ok
        assert wait_s(counter, at) <= SIGN_IN.max_wait_s
        assert counter.events <= verified  # a refused attempt was never checked, so it is no failure


@given(gaps)
def test_a_persistent_guesser_gets_at_most_the_free_ones_plus_one_per_wait(pauses: list[float]) -> None:
    """Within one window: free failures, then each further guess only after the wait it caused."""
    seen = attempts(SIGN_IN, pauses)
    window = [(at, ok) for at, ok, c in seen if at < START + dt.timedelta(seconds=SIGN_IN.window_s)]
    verified = [at for at, ok in window if ok]
    waited = sum(backoff_s(n, SIGN_IN) for n in range(SIGN_IN.free + 1, len(verified)))
    assert len(verified) <= SIGN_IN.free or verified[-1] - verified[0] >= dt.timedelta(seconds=waited)


def test_the_account_locks_at_the_threshold_and_a_clear_unlocks_it() -> None:
    counter, at = fresh(Scope.SIGN_IN_ACCOUNT), START
    for _ in range(ACCOUNT.lock_after - 1):
        at += dt.timedelta(seconds=61)  # slower than the account's longest back-off
        counter = after_failure(counter, ACCOUNT, at)
        assert not is_locked(counter, at)
    counter = after_failure(counter, ACCOUNT, at + dt.timedelta(seconds=61))
    assert is_locked(counter, at) and wait_s(counter, at) > 3500
    assert wait_s(cleared(counter, at), at) == 0


@given(
    st.lists(st.floats(min_value=0, max_value=600, allow_nan=False), min_size=1, max_size=300),
    st.integers(min_value=1, max_value=20),
)
def test_no_window_lets_more_submissions_through_than_the_limit(pauses: list[float], limit: int) -> None:
    rule, counter, at = RateLimit(limit=limit, window_s=3600), fresh(Scope.SUBMIT_ADDRESS), START
    accepted: dict[dt.datetime, list[dt.datetime]] = {}  # window start → accepted submissions
    for pause in pauses:
        at += dt.timedelta(seconds=pause)
        if wait_s(counter, at) == 0:
            counter = after_event(counter, rule, at)
            accepted.setdefault(counter.window_started_at, []).append(at)
    for start, times in accepted.items():
        assert len(times) <= limit
        assert all(start <= t < start + dt.timedelta(hours=1) for t in times)


def test_a_full_window_waits_until_it_ends_then_counts_afresh() -> None:
    rule, counter = RateLimit(limit=5, window_s=3600), fresh(Scope.SUBMIT_ADDRESS)
    for minute in range(5):
        counter = after_event(counter, rule, START + dt.timedelta(minutes=minute))
    assert wait_s(counter, START + dt.timedelta(minutes=5)) == 55 * 60
    later = START + dt.timedelta(hours=1)
    assert wait_s(counter, later) == 0
    assert after_event(counter, rule, later).events == 1
