"""The feedback outbox against a real HTTP receiver: retried until acknowledged, never sent after.

The receiver counts every call per Idempotency-Key and answers 503 to the
first N calls of each key; it does not deduplicate, so a second send after
an acknowledgement would show up as a second 2xx for the key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from api.approvals.outbox import FeedbackSettings, deliver_due
from tests.api.approvals.helpers import parties, push
from tests.factories import uuid7


class Receiver:
    """The bureau's endpoint: fails the first ``fail_first`` calls of each key, then acknowledges."""

    def __init__(self, fail_first: int) -> None:
        self.fail_first = fail_first
        self.calls: Counter[str] = Counter()
        self.acks: Counter[str] = Counter()
        self.bodies: dict[str, dict] = {}
        self.lock = threading.Lock()

    def answer(self, key: str, body: dict) -> int:
        with self.lock:
            self.calls[key] += 1
            self.bodies[key] = body
            if self.calls[key] <= self.fail_first:
                return 503
            self.acks[key] += 1
            return 200


@pytest.fixture
def receiver():
    """A real HTTP server on a loopback port, in a thread; yields (Receiver factory, URL)."""
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = state["receiver"].answer(self.headers["Idempotency-Key"], body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def make(fail_first: int) -> Receiver:
        state["receiver"] = Receiver(fail_first)
        return state["receiver"]

    yield make, f"http://127.0.0.1:{server.server_address[1]}/feedback"
    server.shutdown()
    server.server_close()
    thread.join()


async def queued_finding(client, pool, make_department, make_user) -> str:
    """Push an approval and report a finding on it; returns the queued message's id."""
    sides = await parties(make_department, make_user)
    created = (
        await client.post("/approvals/results", json=push(sides.department), headers=sides.bureau.headers)
    ).json()
    finding = {"id": str(uuid7()), "kind": "supervision", "summary": "现场检查未发现问题"}
    await client.post(f"/approvals/{created['id']}/findings", json=finding, headers=sides.supervisor.headers)
    return str(await pool.fetchval("SELECT id FROM feedback_outbox WHERE approval_id = $1", uuid.UUID(created["id"])))


async def test_a_receiver_failing_the_first_attempts_gets_the_message_exactly_once(
    client, pool, make_department, make_user, receiver
) -> None:
    make, url = receiver
    bureau = make(fail_first=3)
    key = await queued_finding(client, pool, make_department, make_user)
    settings = FeedbackSettings(url=url, base_delay_s=30, max_delay_s=3600, timeout_s=5)
    start = dt.datetime.now(dt.UTC)
    async with httpx.AsyncClient() as http:
        await deliver_due(pool, http, settings, now=start)
        await deliver_due(pool, http, settings, now=start + dt.timedelta(seconds=1))  # not due yet: 30 s back-off
        assert bureau.calls[key] == 1
        for hour in range(1, 9):  # every pass is past any back-off (capped at 1 h)
            await deliver_due(pool, http, settings, now=start + dt.timedelta(hours=2 * hour))
    assert (bureau.calls[key], bureau.acks[key]) == (4, 1)
    assert bureau.bodies[key]["message_id"] == key and bureau.bodies[key]["kind"] == "finding"
    row = await pool.fetchrow(
        "SELECT attempts, delivered_at, last_status FROM feedback_outbox WHERE id = $1", uuid.UUID(key)
    )
    assert (row["attempts"], row["last_status"]) == (4, 200) and row["delivered_at"] is not None


async def test_retries_back_off_exponentially(client, pool, make_department, make_user, receiver) -> None:
    make, url = receiver
    make(fail_first=10)
    key = await queued_finding(client, pool, make_department, make_user)
    settings = FeedbackSettings(url=url, base_delay_s=30, max_delay_s=3600, timeout_s=5)
    start = dt.datetime.now(dt.UTC)
    gaps = []
    async with httpx.AsyncClient() as http:
        now = start
        for _ in range(4):
            await deliver_due(pool, http, settings, now=now)
            due = await pool.fetchval("SELECT next_attempt_at FROM feedback_outbox WHERE id = $1", uuid.UUID(key))
            gaps.append((due - now).total_seconds())
            now = due
    assert gaps == [30, 60, 120, 240]


async def test_two_workers_at_once_send_a_message_once(client, pool, make_department, make_user, receiver) -> None:
    make, url = receiver
    bureau = make(fail_first=0)
    key = await queued_finding(client, pool, make_department, make_user)
    settings = FeedbackSettings(url=url, timeout_s=5)
    async with httpx.AsyncClient() as http:
        await asyncio.gather(deliver_due(pool, http, settings), deliver_due(pool, http, settings))
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        await deliver_due(pool, http, settings, now=later)
    assert (bureau.calls[key], bureau.acks[key]) == (1, 1)


async def test_an_unreachable_bureau_is_retried_not_lost(client, pool, make_department, make_user) -> None:
    key = await queued_finding(client, pool, make_department, make_user)
    settings = FeedbackSettings(url="http://127.0.0.1:9/feedback", timeout_s=2)  # discard port: refused
    async with httpx.AsyncClient() as http:
        report = await deliver_due(pool, http, settings)
    row = await pool.fetchrow("SELECT delivered_at, last_error FROM feedback_outbox WHERE id = $1", uuid.UUID(key))
    assert report.failed >= 1 and row["delivered_at"] is None and "ConnectError" in row["last_error"]
