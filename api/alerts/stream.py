"""The live alert stream (实时预警推送) as Server-Sent Events, resumable by event id.

The ``alert_events`` table is the source of truth. A stream first registers with the process's
hub (``hub.py``: one LISTEN connection fans events out to every stream), then sends every event
after the client's last id from the table, then the events the hub offers, skipping any it has
already sent. Registering before reading means an event committed meanwhile is in the read or in
the queue (if in both, it is skipped by id); and since event ids become visible in increasing
order (storage.alerts.append_event), a client that reconnects with ``Last-Event-ID`` gets exactly
the events it missed, in order. A stream that fell too far behind is told to resynchronise and
reads from the table again after the last event it sent.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
from litestar.response import ServerSentEventMessage

from api.alerts.hub import BATCH, END, RESYNC, AlertHub, Subscription
from mobile_contract.alerts import AlertEvent, AlertRead
from storage import alerts
from storage.db import acquired

KEEPALIVE_S = 15.0
RETRY_MS = 3000  # what browsers wait before reconnecting


def to_message(row: asyncpg.Record) -> ServerSentEventMessage:
    event = AlertEvent(
        event_id=row["id"],
        action=row["action"],
        occurred_at=row["occurred_at"],
        alert=msgspec.convert(row["payload"], AlertRead),
    )
    return ServerSentEventMessage(data=msgspec.json.encode(event).decode(), event=row["action"], id=row["id"])


def open_stream(
    hub: AlertHub, user_id: uuid.UUID, department_id: uuid.UUID | None, after: int
) -> AsyncIterator[ServerSentEventMessage]:
    """Register now (StreamsBusy over a cap, before any answer starts); the events follow when iterated."""
    subscription = hub.register(user_id, department_id)
    stream = _events(hub, subscription, after)
    weakref.finalize(stream, hub.unregister, subscription)  # also when the stream is never started
    return stream


async def _events(hub: AlertHub, subscription: Subscription, after: int) -> AsyncIterator[ServerSentEventMessage]:
    """Every event after ``after`` for the subscription's department, then live ones, until the hub ends it."""
    try:
        yield ServerSentEventMessage(data=None, retry=RETRY_MS, comment="stream open")
        while True:
            rows = await _read(hub.pool, subscription.department_id, after)
            for row in rows:
                yield to_message(row)
                after = row["id"]
            if len(rows) == BATCH:
                continue
            while (item := await _next(subscription)) is not RESYNC:
                if item is END:
                    return
                if item is None:
                    yield ServerSentEventMessage(data=None, comment="keep-alive")
                elif item["id"] > after:
                    yield to_message(item)
                    after = item["id"]
    finally:
        hub.unregister(subscription)


async def _read(pool: asyncpg.Pool, department_id: uuid.UUID | None, after: int) -> list[asyncpg.Record]:
    async with acquired(pool) as conn:
        return await alerts.events_after(conn, department_id=department_id, after_id=after, limit=BATCH)


async def _next(subscription: Subscription) -> Any:
    """The next queued event or marker; None after KEEPALIVE_S of silence."""
    try:
        return await asyncio.wait_for(subscription.queue.get(), KEEPALIVE_S)
    except TimeoutError:
        return None
