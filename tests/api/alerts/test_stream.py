import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import asyncpg
import httpx
from litestar.testing import AsyncTestClient

from api.alerts import stream as alert_stream
from mobile_contract.auth import Role
from tests.api.alerts.conftest import Monitoring

READ_TIMEOUT_S = 10


class EventReader:
    """Reads Server-Sent Events from a streamed response: (id, event, data) per message, comments skipped."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()

    async def next(self) -> dict:
        async with asyncio.timeout(READ_TIMEOUT_S):
            message: dict = {}
            async for line in self.lines:
                if not line:
                    if "data" in message:
                        return message
                    message = {}
                elif not line.startswith(":"):
                    field, _, value = line.partition(":")
                    message[field] = value.removeprefix(" ")
        raise AssertionError("stream ended")

    async def take(self, count: int) -> list[dict]:
        return [await self.next() for _ in range(count)]


@contextlib.asynccontextmanager
async def subscribe(
    live_server: str, headers: dict, *, last_event_id: str | None = None, after: str | None = None
) -> AsyncIterator[EventReader]:
    resume = {"Last-Event-ID": last_event_id} if last_event_id else {}
    params = {"after": after} if after else {}
    async with (
        httpx.AsyncClient(base_url=live_server, timeout=READ_TIMEOUT_S) as http,
        http.stream("GET", "/alerts/stream", headers=headers | resume, params=params) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        yield EventReader(response)


async def deliver(client: AsyncTestClient, monitoring: Monitoring, **fields) -> str:
    body = monitoring.alert(**fields)
    answer = await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)
    assert answer.status_code == 201, answer.text
    return body["id"]


def summary(message: dict) -> tuple[str, str]:
    data = json.loads(message["data"])
    assert int(message["id"]) == data["event_id"]
    return message["event"], data["alert"]["id"]


async def test_a_reconnecting_client_gets_exactly_the_missed_events_in_order(
    live_server: str, client: AsyncTestClient, monitoring: Monitoring, pool: asyncpg.Pool
) -> None:
    headers = monitoring.operator.headers
    listening = await listeners(pool)  # one per running app (the test client's and the live server's)
    async with subscribe(live_server, headers) as stream:
        seen = [await deliver(client, monitoring), await deliver(client, monitoring)]
        received = await stream.take(2)
    assert [summary(m) for m in received] == [("created", a) for a in seen]
    last_id = received[-1]["id"]

    missed = [await deliver(client, monitoring), await deliver(client, monitoring)]
    ack = await client.post(f"/alerts/{seen[0]}/acknowledge", json={}, headers=headers)
    assert ack.status_code == 200
    expected = [("created", missed[0]), ("created", missed[1]), ("acknowledged", seen[0])]

    async with subscribe(live_server, headers, last_event_id=last_id) as stream:
        resumed = await stream.take(3)
        assert [summary(m) for m in resumed] == expected
        ids = [int(m["id"]) for m in resumed]
        assert ids == sorted(ids) and ids[0] > int(last_id)
        live = await deliver(client, monitoring)
        assert summary(await stream.next()) == ("created", live)
        assert await listeners(pool) == listening  # streams share their process's one listener
    assert await listeners(pool) == listening


async def listeners(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %alert_events%'")


async def test_other_departments_see_nothing_and_after_resumes_too(
    live_server: str, client: AsyncTestClient, monitoring: Monitoring, make_monitoring, make_user
) -> None:
    other = await make_monitoring()
    async with subscribe(live_server, other.operator.headers) as foreign:
        await deliver(client, monitoring)
        theirs = await deliver(client, other)
        first = await foreign.next()
    assert summary(first) == ("created", theirs)

    inspector = await make_user(Role.INSPECTOR, monitoring.department)
    mine = await deliver(client, monitoring)
    async with subscribe(live_server, inspector.headers) as fresh:  # no resume point: live events only
        later = await deliver(client, monitoring)
        assert summary(await fresh.next()) == ("created", later)
    async with subscribe(live_server, inspector.headers, after=first["id"]) as resumed:
        assert [summary(m) for m in await resumed.take(2)] == [("created", mine), ("created", later)]


async def test_a_vision_node_may_not_subscribe(live_server: str, monitoring: Monitoring) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        answer = await http.get("/alerts/stream", headers=monitoring.node.headers)
    assert answer.status_code == 403


async def test_a_quiet_stream_sends_keep_alive_comments(live_server: str, monitoring: Monitoring, monkeypatch) -> None:
    monkeypatch.setattr(alert_stream, "KEEPALIVE_S", 0.1)
    async with subscribe(live_server, monitoring.operator.headers) as quiet:
        async with asyncio.timeout(READ_TIMEOUT_S):
            comments = [line async for line in _first_lines(quiet.lines, 12) if line.startswith(":")]
    assert comments[0] == ": stream open"
    assert comments.count(": keep-alive") >= 2


async def _first_lines(lines: AsyncIterator[str], count: int) -> AsyncIterator[str]:
    for _ in range(count):
        yield await anext(lines)
