"""Alert delivery through a real HTTP server that goes away and comes back: every revision arrives once."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path

from tests.vision.events.alert_server import TOKEN, AlertServer
from tests.vision.events.test_outbox import new_id, upsert
from vision.config import ApiConfig, OutboxConfig
from vision.events.delivery import Delivery
from vision.events.outbox import Outbox

FAST_RETRY = OutboxConfig(retry_initial_s=0.05, retry_max_s=0.5)


def delivery(outbox: Outbox, server: AlertServer) -> Delivery:
    return Delivery(outbox, api=ApiConfig(url=server.url, token=TOKEN, timeout_s=2.0), retry=FAST_RETRY)


def queue(outbox: Outbox, alerts: int, revisions: int) -> list[tuple[uuid.UUID, int]]:
    queued = []
    for _ in range(alerts):
        alert_id = new_id()
        for revision in range(1, revisions + 1):
            outbox.put(upsert(alert_id, revision))
            queued.append((alert_id, revision))
    return queued


def in_revision_order(arrivals: list[tuple[uuid.UUID, int]]) -> bool:
    last: dict[uuid.UUID, int] = {}
    for alert_id, revision in arrivals:
        if revision != last.get(alert_id, 0) + 1:
            return False
        last[alert_id] = revision
    return True


async def test_503s_are_waited_out_and_nothing_is_sent_twice(tmp_path: Path) -> None:
    server, outbox = AlertServer(), Outbox(tmp_path)
    queued = queue(outbox, alerts=3, revisions=3)
    server.refuse_next = 5
    sender = delivery(outbox, server)
    stop = asyncio.Event()
    await asyncio.wait_for(sender.deliver_with_backoff(stop), timeout=60)  # a guard against hanging
    await sender.aclose()
    server.stop()
    assert server.refused == 5
    assert sorted(server.arrivals) == sorted(queued) and server.resent == 0
    assert in_revision_order(server.arrivals)
    assert outbox.pending() == []


async def test_a_revision_the_api_refuses_for_good_is_set_aside_not_retried(tmp_path: Path) -> None:
    server, outbox = AlertServer(), Outbox(tmp_path)
    alert_id = new_id()
    outbox.put(upsert(alert_id, 1))
    server.stored[(alert_id, 1)] = b"something else"  # the API already holds different content: 409
    sender = delivery(outbox, server)
    await asyncio.wait_for(sender.deliver_with_backoff(asyncio.Event()), timeout=60)  # a guard against hanging
    await sender.aclose()
    server.stop()
    assert outbox.pending() == []
    assert (tmp_path / "rejected" / str(alert_id) / "00000001.reason.txt").read_text().startswith("API answered 409")


async def test_a_refused_revision_resent_after_the_fix_arrives_once(tmp_path: Path) -> None:
    server, outbox = AlertServer(), Outbox(tmp_path)
    alert_id = new_id()
    outbox.put(upsert(alert_id, 1))
    outbox.put(upsert(alert_id, 2))
    server.stored[(alert_id, 1)] = b"something else"  # refused (409); revision 2 still goes
    sender = delivery(outbox, server)
    assert await sender.deliver_pending_once() == 1
    assert [r.revision for r in outbox.rejected_revisions()] == [1]
    del server.stored[(alert_id, 1)]  # the cause is fixed on the API's side
    outbox.requeue()
    assert await sender.deliver_pending_once() == 1
    await sender.aclose()
    server.stop()
    assert server.arrivals == [(alert_id, 2), (alert_id, 1)]  # each once; only the refused attempt was a resend
    assert server.resent == 1
    assert outbox.pending() == [] and outbox.rejected_revisions() == []


async def drained(outbox: Outbox) -> None:
    """Until the delivery loop has emptied the outbox (it runs in its own task)."""
    while True:
        if not outbox.pending():
            return
        await asyncio.sleep(0.1)


async def outage(tmp_path: Path, down_s: float) -> None:
    """Alerts keep coming while the API is unreachable for ``down_s``; all arrive once, in order, afterwards."""
    server, outbox = AlertServer(), Outbox(tmp_path)
    server.stop()  # connection refused from the start
    sender = delivery(outbox, server)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    queued: list[tuple[uuid.UUID, int]] = []
    producer = threading.Thread(target=lambda: queued.extend(queue(outbox, alerts=6, revisions=4)))
    producer.start()
    await asyncio.sleep(down_s)
    producer.join()
    assert server.arrivals == [] and len(outbox.pending()) == len(queued)
    server.start()
    server.refuse_next = 3  # and it is shaky for a moment after it comes back
    await asyncio.wait_for(drained(outbox), timeout=60)  # a guard against hanging, not a timing check
    stop.set()
    await running
    await sender.aclose()
    server.stop()
    assert sorted(server.arrivals) == sorted(queued) and server.resent == 0
    assert in_revision_order(server.arrivals)


async def test_alerts_survive_a_short_outage(tmp_path: Path) -> None:
    await outage(tmp_path, down_s=2.0)


# The minute-long outage runs against the real API in the fault suite (tests/faults/test_vision_outbox.py).
