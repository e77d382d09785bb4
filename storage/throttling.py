"""SQL for throttle counters and the per-minute count of refused requests (限流计数)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg

from storage.db import Connection

COUNTER_COLUMNS = "scope, subject, events, window_started_at, wait_until, locked_until"


async def hold_counters(conn: Connection, *, keys: Sequence[tuple[str, str]], now: dt.datetime) -> list[asyncpg.Record]:
    """The counters of ``keys`` (scope, subject), created when new, locked until the transaction ends.

    Locked in the order given (callers keep one order: no deadlock), so a burst of attempts for
    one address or account is decided one attempt after the other, each seeing the last one's count.
    ``DO UPDATE`` rather than ``DO NOTHING``: a row another attempt is inserting right now is waited for.
    """
    return await conn.fetch(
        "INSERT INTO throttle_counters AS c (scope, subject, window_started_at)"  # noqa: S608
        " SELECT scope, subject, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k (scope, subject, n)"
        f" ORDER BY n ON CONFLICT (scope, subject) DO UPDATE SET scope = c.scope RETURNING {COUNTER_COLUMNS}",
        [scope for scope, _ in keys],
        [subject for _, subject in keys],
        now,
    )


async def save_counter(
    conn: Connection,
    *,
    scope: str,
    subject: str,
    events: int,
    window_started_at: dt.datetime,
    wait_until: dt.datetime | None,
    locked_until: dt.datetime | None,
) -> None:
    await conn.execute(
        "UPDATE throttle_counters SET events = $3, window_started_at = $4, wait_until = $5, locked_until = $6"
        " WHERE scope = $1 AND subject = $2",
        scope,
        subject,
        events,
        window_started_at,
        wait_until,
        locked_until,
    )


async def count_refusal(conn: Connection, *, scope: str, address: str, at: dt.datetime) -> None:
    """One more refused request from ``address`` in the minute of ``at`` (one row per minute)."""
    await conn.execute(
        "INSERT INTO throttle_refusals (minute, scope, address, refused)"
        " VALUES (date_trunc('minute', $1::timestamptz), $2, $3, 1)"
        " ON CONFLICT (minute, scope, address) DO UPDATE SET refused = throttle_refusals.refused + 1",
        at,
        scope,
        address,
    )


async def list_refusals(
    conn: Connection, *, since: dt.datetime, until: dt.datetime, scope: str | None, limit: int
) -> list[asyncpg.Record]:
    """Refusals per address and minute in [since, until), newest first."""
    return await conn.fetch(
        "SELECT minute, scope, address, refused FROM throttle_refusals"
        " WHERE minute >= date_trunc('minute', $1::timestamptz) AND minute < $2 AND ($3::text IS NULL OR scope = $3)"
        " ORDER BY minute DESC, refused DESC, scope, address LIMIT $4",
        since,
        until,
        scope,
        limit,
    )


async def list_waiting(conn: Connection, *, now: dt.datetime) -> list[asyncpg.Record]:
    """Counters whose subject is waiting or locked at ``now``, longest wait first."""
    return await conn.fetch(
        f"SELECT {COUNTER_COLUMNS} FROM throttle_counters"  # noqa: S608
        " WHERE greatest(wait_until, locked_until) > $1 AND (wait_until IS NOT NULL OR locked_until IS NOT NULL)"
        " ORDER BY greatest(wait_until, locked_until) DESC, scope, subject",
        now,
    )


async def get_counters(conn: Connection, *, scopes: Sequence[str], subject: str) -> list[asyncpg.Record]:
    """The subject's counters in ``scopes`` that exist, locked for a change."""
    return await conn.fetch(
        f"SELECT {COUNTER_COLUMNS} FROM throttle_counters WHERE scope = ANY($1::text[]) AND subject = $2"  # noqa: S608
        " ORDER BY scope FOR UPDATE",
        list(scopes),
        subject,
    )
