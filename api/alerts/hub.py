"""One PostgreSQL listener per process, fanned out to every open alert stream (预警推送分发).

Each ``GET /alerts/stream`` used to hold a PostgreSQL connection of its own, so a hundred streams
exhausted the server. Now one connection per process LISTENs; on each notification the hub reads
the new events once (``alert_events`` after the highest id it has read, in id order) and offers
each to every subscription of its department through a bounded asyncio queue. Offering never
waits, so a slow subscriber cannot hold up the others: when its queue is full it is emptied and
marked to resynchronise, and the stream reads what it missed from the table (the source of truth)
after the last event it sent. Nothing is lost or repeated (docs/monitoring-api.md).

The hub also caps open streams per user and per process (``ENFORCE_STREAMS_PER_USER``,
``ENFORCE_STREAMS_PER_PROCESS``): one more is a 503 ``too-many-streams`` with ``Retry-After``.
``close`` ends every stream at once; the serving process calls it when it is told to stop (see
``stop_streams_on_signals``), since the server waits for open answers before it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg

from mobile_contract.problems import StreamsBusy
from storage import alerts

log = logging.getLogger(__name__)
CHANNEL = "alert_events"
BATCH = 200
QUEUE_SIZE = 256  # events a subscriber may fall behind before it reads from the table instead
RECONNECT_S = (0.5, 1, 2, 5)
END, RESYNC = object(), object()  # queue markers: the hub is closing; read from the table again


class Subscription:
    """One open stream: the department it sees (None: all) and its queue of events to send."""

    def __init__(self, user_id: uuid.UUID, department_id: uuid.UUID | None) -> None:
        self.user_id, self.department_id = user_id, department_id
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, row: asyncpg.Record) -> None:
        """Queue an event without waiting; a full queue is emptied and told to resynchronise."""
        if self.department_id is not None and row["department_id"] != self.department_id:
            return
        try:
            self.queue.put_nowait(row)
        except asyncio.QueueFull:
            self.resync()

    def end(self) -> None:
        self._replace_with(END)

    def resync(self) -> None:
        self._replace_with(RESYNC)

    def _replace_with(self, marker: object) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(marker)


class AlertHub:
    def __init__(self, pool: asyncpg.Pool, dsn: str, *, per_user: int, per_process: int) -> None:
        self.pool, self.dsn = pool, dsn
        self.per_user, self.per_process = per_user, per_process
        self.subscriptions: set[Subscription] = set()
        self.by_user: Counter[uuid.UUID] = Counter()
        self.wake = asyncio.Event()
        self.read_up_to = 0  # the highest event id offered to subscriptions
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        async with self.pool.acquire() as conn:
            self.read_up_to = await alerts.last_event_id(conn)
        self.tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._pump())]

    async def close(self) -> None:
        self.end_streams()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def end_streams(self) -> None:
        for subscription in self.subscriptions:
            subscription.end()

    def register(self, user_id: uuid.UUID, department_id: uuid.UUID | None) -> Subscription:
        """A new subscription, counted at once; StreamsBusy over either cap."""
        self._refuse_over_cap(user_id)
        subscription = Subscription(user_id, department_id)
        self.subscriptions.add(subscription)
        self.by_user[user_id] += 1
        return subscription

    def unregister(self, subscription: Subscription) -> None:
        """Forget a subscription; a second call does nothing."""
        if subscription in self.subscriptions:
            self.subscriptions.discard(subscription)
            self.by_user[subscription.user_id] -= 1

    def _refuse_over_cap(self, user_id: uuid.UUID) -> None:
        if len(self.subscriptions) >= self.per_process:
            raise StreamsBusy(
                f"实时预警连接已满（本服务进程最多 {self.per_process} 个），请稍后重试",
                f"process stream cap {self.per_process} reached",
            )
        if self.by_user[user_id] >= self.per_user:
            raise StreamsBusy(
                f"您已打开 {self.per_user} 个实时预警连接（每人最多 {self.per_user} 个），请关闭不用的页面后重试",
                f"user stream cap {self.per_user} reached",
            )

    async def _pump(self) -> None:
        """On each wake, read the new events once and offer them to every subscription."""
        while True:
            await self.wake.wait()
            self.wake.clear()  # before reading: a commit during the read wakes us again
            if not self.subscriptions:
                continue
            try:
                await self._fan_out()
            except (OSError, asyncpg.PostgresError) as exc:  # the streams read the table when they resync
                log.warning("alert hub could not read events: %s", exc)
                for subscription in self.subscriptions:
                    subscription.resync()

    async def _fan_out(self) -> None:
        while True:
            async with self.pool.acquire() as conn:
                rows = await alerts.events_after(conn, department_id=None, after_id=self.read_up_to, limit=BATCH)
            for row in rows:
                for subscription in self.subscriptions:
                    subscription.offer(row)
                self.read_up_to = row["id"]
            if len(rows) < BATCH:
                return

    async def _listen(self) -> None:
        """Hold the LISTEN connection; reconnect when it is lost, then read what came meanwhile."""
        attempt = 0
        while True:
            try:
                conn = await asyncpg.connect(self.dsn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("alert hub cannot listen: %s", exc)
                await asyncio.sleep(RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)])
                attempt += 1
                continue
            attempt = 0
            try:
                await self._listen_on(conn)
            finally:
                await _close_quietly(conn)

    async def _listen_on(self, conn: asyncpg.Connection) -> None:
        """Wake the pump on each notification, until the connection is lost."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(CHANNEL, lambda *_: self.wake.set())
        self.wake.set()  # events committed while no one listened
        await lost.wait()


async def _close_quietly(conn: asyncpg.Connection) -> None:
    with contextlib.suppress(Exception):
        await asyncio.shield(conn.close(timeout=5))


@contextlib.asynccontextmanager
async def running_hub(pool: asyncpg.Pool, dsn: str, *, per_user: int, per_process: int) -> AsyncIterator[AlertHub]:
    """The process's hub while the app runs; a stop request ends the streams at once."""
    hub = AlertHub(pool, dsn, per_user=per_user, per_process=per_process)
    await hub.start()
    try:
        with stop_streams_on_signals(hub.end_streams):
            yield hub
    finally:
        await hub.close()


@contextlib.contextmanager
def stop_streams_on_signals(end_streams: Callable[[], None]) -> Iterator[None]:
    """Chain SIGTERM and SIGINT: end the streams, then let the server's own handler stop it.

    uvicorn installs its handlers before the app starts and, asked to stop, waits for open
    answers to finish; a stream never finishes by itself, so without this a stop hangs until the
    graceful time-out. Only the main thread may handle signals; elsewhere (tests) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handle(signum: int, frame: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing left to end
            loop.call_soon_threadsafe(end_streams)
        handler = previous[signal.Signals(signum)]
        if callable(handler):
            handler(signum, frame)
        else:  # the default action (or ignore): as if this handler were not here
            signal.signal(signum, handler)
            signal.raise_signal(signum)

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
