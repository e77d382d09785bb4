"""The live alert stream (实时预警推送) as Server-Sent Events, resumable by event id.

The ``alert_events`` table is the source of truth: a stream reads every event after
the client's last id from it, then waits for PostgreSQL's NOTIFY (sent on commit by a
trigger) on its own listening connection and reads again. A notification only wakes
the reader, so one lost or merged notification loses nothing; and since event ids
become visible in increasing order (storage.alerts.append_event), a client that
reconnects with ``Last-Event-ID`` gets exactly the events it missed, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import anyio
import asyncpg
import msgspec
from litestar.response import ServerSentEventMessage

from mobile_contract.alerts import AlertEvent, AlertRead
from storage import alerts

CHANNEL = "alert_events"
KEEPALIVE_S = 15.0
BATCH = 200
RETRY_MS = 3000  # what browsers wait before reconnecting


@contextlib.asynccontextmanager
async def _notifications(dsn: str, department_id: uuid.UUID | None) -> AsyncIterator[asyncio.Event]:
    """An event set whenever the department's feed may have grown; on a connection of its own."""
    wake = asyncio.Event()

    def on_notify(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        if department_id is None or payload == str(department_id):
            wake.set()

    conn = await asyncpg.connect(dsn)
    try:
        await conn.add_listener(CHANNEL, on_notify)
        yield wake
    finally:
        with anyio.CancelScope(shield=True):  # the client has gone: close even while being cancelled
            await conn.close(timeout=5)


def to_message(row: asyncpg.Record) -> ServerSentEventMessage:
    event = AlertEvent(
        event_id=row["id"],
        action=row["action"],
        occurred_at=row["occurred_at"],
        alert=msgspec.convert(row["payload"], AlertRead),
    )
    return ServerSentEventMessage(data=msgspec.json.encode(event).decode(), event=row["action"], id=row["id"])


async def events(
    pool: asyncpg.Pool, dsn: str, department_id: uuid.UUID | None, after: int
) -> AsyncIterator[ServerSentEventMessage]:
    """Every event after ``after`` for the department (None: all), then live ones, forever."""
    yield ServerSentEventMessage(data=None, retry=RETRY_MS, comment="stream open")
    async with _notifications(dsn, department_id) as wake:
        while True:
            wake.clear()  # before reading: a commit during the read sets it again
            async with pool.acquire() as conn:
                rows = await alerts.events_after(conn, department_id=department_id, after_id=after, limit=BATCH)
            for row in rows:
                yield to_message(row)
                after = row["id"]
            if len(rows) == BATCH:
                continue
            if not await _woken(wake):
                yield ServerSentEventMessage(data=None, comment="keep-alive")


async def _woken(wake: asyncio.Event) -> bool:
    """Wait for a notification; False after KEEPALIVE_S of silence."""
    try:
        await asyncio.wait_for(wake.wait(), KEEPALIVE_S)
    except TimeoutError:
        return False
    return True
