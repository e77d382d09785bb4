"""Alert streams share one PostgreSQL listener per process, are capped, and never lose or repeat an event."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from api.alerts import hub as alert_hub
from api.alerts import stream as alert_stream
from api.app import create_app
from api.settings import Settings
from mobile_contract.auth import Role
from tests.api.alerts.conftest import Monitoring
from tests.api.alerts.test_stream import EventReader, deliver, listeners, summary
from tests.conftest import served

pytestmark = pytest.mark.integration
PER_PROCESS_CONNECTIONS = 3  # listeners a serving process holds besides its pool (alert hub, revocations)


@contextlib.contextmanager
def app_with_caps(settings: Settings, *, per_user: int, per_process: int) -> Iterator[str]:
    serving = msgspec.structs.replace(settings.serving, streams_per_user=per_user, streams_per_process=per_process)
    with served(create_app(msgspec.structs.replace(settings, serving=serving))) as url:
        yield url


@contextlib.asynccontextmanager
async def streams(url: str, headers: dict, count: int) -> AsyncIterator[list[EventReader]]:
    limits = httpx.Limits(max_connections=count + 100)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30, limits=limits))
        opening = (http.stream("GET", "/alerts/stream", headers=headers) for _ in range(count))
        answers = await asyncio.gather(*(stack.enter_async_context(s) for s in opening))
        assert [a.status_code for a in answers] == [200] * count
        yield [EventReader(a) for a in answers]


async def connections(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")


@pytest.mark.slow
async def test_a_hundred_streams_from_one_token_use_no_connection_and_records_still_answer(
    settings: Settings, client: AsyncTestClient, monitoring: Monitoring, pool: asyncpg.Pool, make_user
) -> None:
    """Regression: 100 streams from one inspector token made 26 of 60 concurrent GET /records answer 500."""
    inspector_headers = (await make_user(Role.INSPECTOR, monitoring.department)).headers
    before = await connections(pool)  # this server not yet started
    with app_with_caps(settings, per_user=100, per_process=200) as url:
        async with streams(url, inspector_headers, 100) as readers:
            during, listening = await connections(pool), await listeners(pool)
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                answers = await asyncio.gather(*(http.get("/records", headers=inspector_headers) for _ in range(60)))
            assert [a.status_code for a in answers] == [200] * 60
            alert = await deliver(client, monitoring)
            received = await asyncio.gather(*(reader.next() for reader in readers))
            assert {summary(m) for m in received} == {("created", alert)}
    print(f"\nPostgreSQL connections, 100 streams open: {before} before, {during} during, {listening} listening")
    assert listening < 10  # one per running server (this one, the test client's, …), not one per stream
    # This server's pool (bounded) and its few listeners; before, 100 streams took 100 connections.
    assert during - before <= settings.database.pool_max + PER_PROCESS_CONNECTIONS


async def test_over_a_cap_a_stream_is_refused_with_retry_after(
    settings: Settings, monitoring: Monitoring, make_user
) -> None:
    other = await make_user(Role.MONITORING_OPERATOR, monitoring.department)
    third = await make_user(Role.SUPERVISOR, monitoring.department)
    with app_with_caps(settings, per_user=2, per_process=3) as url:
        async with streams(url, monitoring.operator.headers, 2), httpx.AsyncClient(base_url=url, timeout=10) as http:
            refused = await http.get("/alerts/stream", headers=monitoring.operator.headers)
            assert_busy(refused, "每人最多 2 个")
            async with streams(url, other.headers, 1):
                assert_busy(await http.get("/alerts/stream", headers=third.headers), "最多 3 个")
        async with streams(url, monitoring.operator.headers, 2):  # closed streams no longer count
            pass


def assert_busy(answer: httpx.Response, says: str) -> None:
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "too-many-streams"
    assert says in answer.json()["detail"]


async def test_a_subscriber_that_falls_behind_still_gets_every_event_once_in_order(
    settings: Settings, client: AsyncTestClient, monitoring: Monitoring, pool: asyncpg.Pool, monkeypatch
) -> None:
    monkeypatch.setattr(alert_hub, "QUEUE_SIZE", 3)
    assert settings.database.url is not None
    hub = alert_hub.AlertHub(pool, settings.database.url, per_user=5, per_process=5)
    await hub.start()
    try:
        user, department = monitoring.operator.principal.user_id, monitoring.department.id
        slow = alert_stream.open_stream(hub, user, department, hub.read_up_to)
        quick = alert_stream.open_stream(hub, user, department, hub.read_up_to)
        assert (await anext(slow)).comment == (await anext(quick)).comment == "stream open"
        quick_ids = []
        sent = []
        for _ in range(10):  # the slow one reads nothing meanwhile: its queue overflows
            sent.append(await deliver(client, monitoring))
            quick_ids.append(int((await asyncio.wait_for(anext(quick), 10)).id))
        slow_messages = [await asyncio.wait_for(anext(slow), 10) for _ in range(10)]
        assert [msgspec.json.decode(m.data)["alert"]["id"] for m in slow_messages] == sent
        assert [int(m.id) for m in slow_messages] == quick_ids == sorted(set(quick_ids))
        await slow.aclose()
        await quick.aclose()
        assert hub.subscriptions == set()
    finally:
        await hub.close()


@pytest.mark.slow
async def test_streams_end_when_the_hub_closes(settings: Settings, pool: asyncpg.Pool, monitoring: Monitoring) -> None:
    assert settings.database.url is not None
    hub = alert_hub.AlertHub(pool, settings.database.url, per_user=5, per_process=5)
    await hub.start()
    stream = alert_stream.open_stream(hub, monitoring.operator.principal.user_id, None, hub.read_up_to)
    await anext(stream)
    started = time.monotonic()
    await hub.close()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 5)
    assert time.monotonic() - started < 1
