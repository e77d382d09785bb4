"""The watchdog raises camera_unwatched when no node reports a camera past its threshold, and ends it."""

from __future__ import annotations

import asyncio

import pytest

from api.cameras.watchdog import sweep
from storage import camera_watch
from storage.db import transaction
from tests.api.cameras.test_routes import quick_offline, report

pytestmark = pytest.mark.integration


async def swept(pool, monitoring) -> int:
    async with transaction(pool) as conn:
        return await sweep(conn, department_id=monitoring.department.id)


async def unwatched_alerts(client, monitoring) -> list[dict]:
    answer = await client.get("/alerts", params={"kind": "camera_unwatched"}, headers=monitoring.operator.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def test_an_unreported_camera_raises_one_alert_and_the_next_report_ends_it(client, pool, monitoring) -> None:
    await quick_offline(client, monitoring, 1.0)
    assert await swept(pool, monitoring) == 0  # the watchdog starts the camera's clock
    await asyncio.sleep(1.3)
    assert await swept(pool, monitoring) == 1
    assert await swept(pool, monitoring) == 0  # still unwatched: no second alert
    [alert] = await unwatched_alerts(client, monitoring)
    assert (alert["severity"], alert["ended_at"], alert["revision"]) == ("critical", None, 1)
    assert "从未有节点上报" in alert["summary"]
    answer = await client.post("/cameras/liveness", json=report(monitoring), headers=monitoring.node.headers)
    assert answer.status_code == 200
    assert await swept(pool, monitoring) == 1
    [ended] = await unwatched_alerts(client, monitoring)
    assert ended["id"] == alert["id"] and ended["revision"] == 2 and ended["ended_at"] is not None
    assert "已恢复分析（节点 node-1）" in ended["summary"]
    detail = (await client.get(f"/alerts/{alert['id']}", headers=monitoring.operator.headers)).json()
    assert [r["received_by"] for r in detail["revisions"]] == [None, None]


async def test_deactivating_the_site_ends_the_alert(client, pool, monitoring) -> None:
    await quick_offline(client, monitoring, 1.0)
    await swept(pool, monitoring)
    await asyncio.sleep(1.3)
    assert await swept(pool, monitoring) == 1
    answer = await client.delete(f"/sites/{monitoring.site_id}", headers=monitoring.operator.headers)
    assert answer.status_code == 200
    assert await swept(pool, monitoring) == 1
    [ended] = await unwatched_alerts(client, monitoring)
    assert ended["ended_at"] is not None and "点位已停用" in ended["summary"]


async def test_only_one_process_sweeps_at_a_time(pool, monitoring) -> None:
    async with transaction(pool) as first, transaction(pool) as second:
        assert await camera_watch.take_sweep(first)
        assert await sweep(second, department_id=monitoring.department.id) == 0
