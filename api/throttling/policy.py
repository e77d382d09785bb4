"""The throttling rules as pure functions over one counter (限流规则).

A counter belongs to a scope and a subject: a client address, or a username exactly as typed.
Two kinds of rule move it:

- back-off (sign-in, complaint lookup): the first ``free`` failures in a window cost nothing;
  each further one makes the subject wait ``first_wait_s``, then twice as long, up to
  ``max_wait_s``. An account also locks for ``lock_s`` once its failures in the window reach
  ``lock_after`` (0: never); an admin can lift a lock earlier. A success resets an account.
- rate limit (complaint submission): ``limit`` events per window; after that the subject
  waits until the window is over.

A subject that waits is refused without looking at what it sent (no password is checked).
The window starts at the first event after the previous window ended; a lift or a successful
sign-in starts it afresh.
"""

from __future__ import annotations

import datetime as dt
import math

import msgspec

from mobile_contract.throttling import ThrottleScope as Scope

MAX_DOUBLINGS = 30  # 2**30 × any first wait is beyond every cap; keeps the arithmetic in floats


class BackOff(msgspec.Struct, frozen=True):
    free: int
    first_wait_s: float
    max_wait_s: float
    window_s: float
    lock_after: int = 0
    lock_s: float = 0.0


class RateLimit(msgspec.Struct, frozen=True):
    limit: int
    window_s: float


class Counter(msgspec.Struct, frozen=True):
    scope: Scope
    subject: str
    window_started_at: dt.datetime
    events: int = 0
    wait_until: dt.datetime | None = None
    locked_until: dt.datetime | None = None


def waits_until(counter: Counter) -> dt.datetime | None:
    """The later of the back-off and the lock; None if neither was ever set."""
    times = [t for t in (counter.wait_until, counter.locked_until) if t is not None]
    return max(times, default=None)


def wait_s(counter: Counter, now: dt.datetime) -> int:
    """Whole seconds the subject must still wait (rounded up); 0 when it may go on."""
    until = waits_until(counter)
    return 0 if until is None or until <= now else math.ceil((until - now).total_seconds())


def is_locked(counter: Counter, now: dt.datetime) -> bool:
    return counter.locked_until is not None and counter.locked_until > now


def backoff_s(events: int, policy: BackOff) -> float:
    """The wait after the ``events``-th failure of a window: 0 while free, then doubling to the cap."""
    if events <= policy.free:
        return 0.0
    return min(policy.max_wait_s, policy.first_wait_s * 2.0 ** min(events - policy.free - 1, MAX_DOUBLINGS))


def in_window(counter: Counter, window_s: float, now: dt.datetime) -> Counter:
    """The counter as of ``now``: events of a window that is over are forgotten (waits are kept)."""
    if counter.window_started_at + dt.timedelta(seconds=window_s) > now:
        return counter
    return msgspec.structs.replace(counter, events=0, window_started_at=now)


def after_failure(counter: Counter, policy: BackOff, now: dt.datetime) -> Counter:
    current = in_window(counter, policy.window_s, now)
    events = current.events + 1
    wait = backoff_s(events, policy)
    locks = policy.lock_after > 0 and events >= policy.lock_after
    return msgspec.structs.replace(
        current,
        events=events,
        wait_until=now + dt.timedelta(seconds=wait) if wait else current.wait_until,
        locked_until=now + dt.timedelta(seconds=policy.lock_s) if locks else current.locked_until,
    )


def after_event(counter: Counter, limit: RateLimit, now: dt.datetime) -> Counter:
    """One more event within the rate limit; reaching the limit makes the subject wait out the window."""
    current = in_window(counter, limit.window_s, now)
    events = current.events + 1
    window_end = current.window_started_at + dt.timedelta(seconds=limit.window_s)
    return msgspec.structs.replace(
        current, events=events, wait_until=window_end if events >= limit.limit else current.wait_until
    )


def cleared(counter: Counter, now: dt.datetime) -> Counter:
    """After a successful sign-in or an admin's lift: no events, no wait, no lock."""
    return Counter(scope=counter.scope, subject=counter.subject, window_started_at=now)
