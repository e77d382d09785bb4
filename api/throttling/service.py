"""Throttling (限流) as the entrances use it: hold the caller's counters, refuse while one waits, count.

Each entrance (sign-in, complaint lookup, complaint submission) holds its counters at the start
of the request's transaction (``hold``: locked, so a burst is decided one request at a time),
asks ``refusal`` and, when it may go on, records what happened (``failed``, ``submitted``,
``cleared``). Nothing here commits; a refusal is returned so that the request's transaction
commits the count with it (``api.errors.answer``).

Audited: a failure that makes a subject wait (``throttling.blocked``), an account lock
(``throttling.locked``), a lift (``throttling.lifted``), and who read the refusals. A refused
request is not audited one by one — a flood would flood the log — but counted per address and
minute in ``throttle_refusals``, which supervisors read.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence

import msgspec

from api.audit.trail import Actor, record
from api.settings import ThrottleSettings
from api.throttling.policy import (
    BackOff,
    Counter,
    RateLimit,
    Scope,
    after_event,
    after_failure,
    cleared,
    is_locked,
    wait_s,
)
from mobile_contract.problems import NotFound, TooManyRequests
from mobile_contract.throttling import ThrottleCounterRead, ThrottleRefusalRead
from storage import throttling
from storage.db import Connection

HOUR, DAY = 3600.0, 86_400.0
ADDRESS_SCOPES = (Scope.SIGN_IN_ADDRESS, Scope.LOOKUP_ADDRESS, Scope.SUBMIT_ADDRESS)
PUBLIC_ROLE = "public"


def back_off(settings: ThrottleSettings, scope: Scope) -> BackOff:
    """The back-off rule of a failure-counting scope (the numbers in docs/auth-and-audit.md)."""
    match scope:
        case Scope.SIGN_IN_ADDRESS:
            return BackOff(free=settings.sign_in_address_free, first_wait_s=5, max_wait_s=300, window_s=HOUR)
        case Scope.SIGN_IN_ACCOUNT:
            return BackOff(
                free=settings.sign_in_account_free,
                first_wait_s=5,
                max_wait_s=60,
                window_s=DAY,
                lock_after=settings.account_lock_after,
                lock_s=settings.account_lock_s,
            )
        case Scope.LOOKUP_ADDRESS:
            return BackOff(free=settings.lookup_address_free, first_wait_s=5, max_wait_s=300, window_s=HOUR)
    raise ValueError(f"{scope} is not counted by failures")


def submission_limit(settings: ThrottleSettings) -> RateLimit:
    return RateLimit(limit=settings.complaint_submits, window_s=settings.complaint_window_s)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def public_actor(address: str) -> Actor:
    """An anonymous caller, named by the address it came from."""
    return Actor(user_id=None, role=PUBLIC_ROLE, detail={"address": address})


async def hold(conn: Connection, keys: Sequence[tuple[Scope, str]], at: dt.datetime) -> list[Counter]:
    """The counters of ``keys``, locked until the transaction ends (address scopes before account scopes)."""
    rows = await throttling.hold_counters(conn, keys=keys, now=at)
    by_key = {(row["scope"], row["subject"]): msgspec.convert(dict(row), Counter) for row in rows}
    return [by_key[key] for key in keys]


async def refusal(
    conn: Connection,
    counters: Sequence[Counter],
    *,
    address: str,
    at: dt.datetime,
    problem: Callable[[int], TooManyRequests],
) -> TooManyRequests | None:
    """429 if any counter waits (counted for ``address`` in this minute), else None."""
    waiting = max(counters, key=lambda counter: wait_s(counter, at))
    if not (seconds := wait_s(waiting, at)):
        return None
    await throttling.count_refusal(conn, scope=waiting.scope, address=address, at=at)
    return problem(seconds)


async def failed(
    conn: Connection, counters: Sequence[Counter], settings: ThrottleSettings, actor: Actor, at: dt.datetime
) -> list[Counter]:
    """One failure on each counter; a new wait or lock is audited."""
    after = [after_failure(counter, back_off(settings, counter.scope), at) for counter in counters]
    for before, later in zip(counters, after, strict=True):
        await save(conn, later)
        if is_locked(later, at) and not is_locked(before, at):
            await _record(conn, actor, "throttling.locked", later, at)
        elif later.wait_until != before.wait_until:
            await _record(conn, actor, "throttling.blocked", later, at)
    return after


async def submitted(
    conn: Connection, counter: Counter, settings: ThrottleSettings, actor: Actor, at: dt.datetime
) -> None:
    """One more submission; reaching the limit is audited (the next one from there will wait)."""
    after = after_event(counter, submission_limit(settings), at)
    await save(conn, after)
    if wait_s(after, at) and not wait_s(counter, at):
        await _record(conn, actor, "throttling.blocked", after, at)


async def save(conn: Connection, counter: Counter) -> None:
    await throttling.save_counter(
        conn,
        scope=counter.scope,
        subject=counter.subject,
        events=counter.events,
        window_started_at=counter.window_started_at,
        wait_until=counter.wait_until,
        locked_until=counter.locked_until,
    )


async def _record(conn: Connection, actor: Actor, action: str, counter: Counter, at: dt.datetime) -> None:
    await record(
        conn,
        actor,
        action=action,
        entity_type="throttle",
        entity_id=f"{counter.scope}:{counter.subject}",
        department_id=None,
        after=msgspec.to_builtins(counter),
        detail={"events": counter.events, "wait_s": wait_s(counter, at)},
    )


def must_wait(seconds: int, *, code: str, detail: str, detail_en: str) -> TooManyRequests:
    """429 with ``Retry-After`` (and ``extra.retry_after_s`` for clients that read only the body)."""
    return TooManyRequests(detail, detail_en, code=code, retry_after_s=seconds, extra={"retry_after_s": seconds})


def readable_wait(seconds: int) -> str:
    """“45 秒” up to two minutes, else whole minutes rounded up."""
    return f"{seconds} 秒" if seconds < 120 else f"{math.ceil(seconds / 60)} 分钟"


async def waiting(conn: Connection, at: dt.datetime) -> list[ThrottleCounterRead]:
    return [msgspec.convert(dict(row), ThrottleCounterRead) for row in await throttling.list_waiting(conn, now=at)]


async def lift(conn: Connection, actor: Actor, scopes: Sequence[Scope], subject: str) -> list[ThrottleCounterRead]:
    """Clear the subject's waiting counters in ``scopes`` (audited); 404 if none waits."""
    at = now()
    rows = await throttling.get_counters(conn, scopes=scopes, subject=subject)
    held = [c for c in (msgspec.convert(dict(row), Counter) for row in rows) if wait_s(c, at)]
    if not held:
        raise NotFound(
            f"{subject} 当前没有被限流或锁定", f"{subject} is not waiting in {list(scopes)}", code="not-throttled"
        )
    for counter in held:
        await save(conn, cleared(counter, at))
        await record(
            conn,
            actor,
            action="throttling.lifted",
            entity_type="throttle",
            entity_id=f"{counter.scope}:{counter.subject}",
            department_id=None,
            before=msgspec.to_builtins(counter),
            after=msgspec.to_builtins(cleared(counter, at)),
        )
    return [msgspec.convert(counter, ThrottleCounterRead, from_attributes=True) for counter in held]


async def refusals(
    conn: Connection, actor: Actor, *, since: dt.datetime, until: dt.datetime, scope: Scope | None, limit: int
) -> list[ThrottleRefusalRead]:
    """Refused requests per address and minute; reading them is audited (addresses are personal data)."""
    rows = await throttling.list_refusals(conn, since=since, until=until, scope=scope, limit=limit)
    detail = {"since": since.isoformat(), "until": until.isoformat(), "scope": scope, "rows": len(rows)}
    await record(
        conn,
        actor,
        action="throttling.refusals_read",
        entity_type="throttle_refusals",
        entity_id="*" if scope is None else str(scope),
        department_id=None,
        detail=detail,
    )
    return [msgspec.convert(dict(row), ThrottleRefusalRead) for row in rows]
