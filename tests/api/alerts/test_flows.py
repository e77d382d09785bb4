"""The field loop through HTTP (预警派遣闭环): dispatch → the inspector's pull → a record → the alert closed."""

from __future__ import annotations

import hashlib
import os
import uuid

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from storage import audit
from tests.api.alerts.conftest import Monitoring
from tests.conftest import Caller
from tests.factories import inspection, uuid7

pytestmark = pytest.mark.integration

SITE_LOCATION = {"coordinate_system": "gcj02", "longitude": 115.892, "latitude": 28.676, "address": "某县某镇青山塘口"}
CAMERA_LOCATION = {"coordinate_system": "wgs84", "longitude": 115.8871, "latitude": 28.6792, "address": "塘口北侧立杆"}


async def locate(client: AsyncTestClient, monitoring: Monitoring, *, camera: dict | None) -> None:
    """Give the monitoring site (and its camera) a location: the next config version."""
    site = (await client.get(f"/sites/{monitoring.site_id}", headers=monitoring.operator.headers)).json()
    config = site["config"] | {"version": site["version"] + 1, "location": SITE_LOCATION}
    config["cameras"][0] |= {"location": camera}
    answer = await client.put(f"/sites/{monitoring.site_id}", json=config, headers=monitoring.operator.headers)
    assert answer.status_code == 200, answer.text


async def raise_alert_with_snapshot(client: AsyncTestClient, monitoring: Monitoring, put_evidence) -> tuple[str, bytes]:
    alert_id = uuid.uuid4()
    picture = os.urandom(4096)
    key = f"alerts/{monitoring.site_id}/{monitoring.camera_id}/{alert_id}/snapshot-r1.jpg"
    body = monitoring.alert(alert_id, media=[put_evidence(picture, key=key)])
    answer = await client.put(f"/alerts/{alert_id}", json=body, headers=monitoring.node.headers)
    assert answer.status_code == 201, answer.text
    return str(alert_id), picture


async def dispatch(client: AsyncTestClient, monitoring: Monitoring, alert_id: str, inspector: Caller, note: str = ""):
    body = {"inspector_id": str(inspector.principal.user_id), "note": note}
    answer = await client.post(f"/alerts/{alert_id}/dispatch", json=body, headers=monitoring.operator.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def close(client: AsyncTestClient, monitoring: Monitoring, alert_id: str, body: dict):
    return await client.post(f"/alerts/{alert_id}/close", json=body, headers=monitoring.operator.headers)


async def pulled_tasks(client: AsyncTestClient, inspector: Caller) -> list[dict]:
    answer = await client.get("/sync/pull", headers=inspector.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["tasks"]


async def test_a_dispatched_alert_comes_back_with_the_inspectors_record_and_is_closed(
    client: AsyncTestClient, monitoring: Monitoring, make_user, put_evidence, pool: asyncpg.Pool
) -> None:
    operator = monitoring.operator
    inspector, partner = [await make_user(Role.INSPECTOR, monitoring.department) for _ in range(2)]
    await locate(client, monitoring, camera=CAMERA_LOCATION)
    alert_id, picture = await raise_alert_with_snapshot(client, monitoring, put_evidence)

    note = "请即刻赶赴塘口核查夜间作业"
    sent = await dispatch(client, monitoring, alert_id, inspector, note)
    assert sent["task_id"] is not None

    (task,) = await pulled_tasks(client, inspector)
    assert task["id"] == sent["task_id"] and task["source"] == "alert" and task["status"] == "open"
    detail = task["alert"]
    assert detail["location"] == CAMERA_LOCATION, "the camera's own location comes before the site's"
    assert (detail["site_id"], detail["camera_id"], detail["kind"]) == (
        monitoring.site_id,
        monitoring.camera_id,
        "prohibited_hours",
    )
    assert detail["kind_name"] == "禁止时段作业" and detail["note"] == note and "青山塘口" in task["title"]
    assert detail["snapshot"]["url"].startswith(f"/alerts/{alert_id}/media/")
    assert await pulled_tasks(client, partner) == [], "the task reaches only the inspector sent"

    shot = await client.get(detail["snapshot"]["url"], headers=inspector.headers)
    assert shot.status_code == 200 and shot.content == picture
    assert hashlib.sha256(shot.content).hexdigest() == detail["snapshot"]["sha256"]

    record = {"id": str(uuid7()), "content": inspection(inspector, partner, result="挖掘机已撤离，现场已停止作业")}
    record["content"] |= {"inspection_type": "alert", "task_id": task["id"], "alert_id": alert_id}
    filed = await client.post("/records", json=record, headers=inspector.headers)
    assert filed.status_code == 201, filed.text

    (done,) = await pulled_tasks(client, inspector)
    assert done["status"] == "done" and done["result"]["outcome"] == "record_filed"
    assert done["result"]["record_id"] == record["id"]
    seen = (await client.get(f"/alerts/{alert_id}", headers=operator.headers)).json()
    assert seen["state"] == "dispatched" and seen["result"] == done["result"]

    closed = await close(client, monitoring, alert_id, {"outcome": "violation_confirmed"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed" and "已录入检查记录" in closed.json()["feedback"]
    async with pool.acquire() as conn:
        trail = await audit.list_for_entity(conn, entity_type="alert", entity_id=alert_id)
        media_id = detail["snapshot"]["url"].split("/")[-2]
        reads = await audit.list_for_entity(conn, entity_type="alert_media", entity_id=f"{alert_id}/{media_id}")
    assert [e.action for e in trail] == [
        "alert.created",
        "alert.dispatched",
        "alert.result_reported",
        "alert.closed",
    ]
    assert [(e.action, e.actor_id) for e in reads][-1:] == [("evidence.access", inspector.principal.user_id)]


async def test_a_site_location_stands_in_for_a_camera_without_one(
    client: AsyncTestClient, monitoring: Monitoring, make_user, put_evidence
) -> None:
    inspector = await make_user(Role.INSPECTOR, monitoring.department)
    await locate(client, monitoring, camera=None)
    alert_id, _ = await raise_alert_with_snapshot(client, monitoring, put_evidence)
    await dispatch(client, monitoring, alert_id, inspector)
    (task,) = await pulled_tasks(client, inspector)
    assert task["alert"]["location"] == SITE_LOCATION


async def test_a_new_inspector_gets_the_task_and_the_first_sees_it_withdrawn(
    client: AsyncTestClient, monitoring: Monitoring, make_user, put_evidence
) -> None:
    first, second = [await make_user(Role.INSPECTOR, monitoring.department) for _ in range(2)]
    alert_id, _ = await raise_alert_with_snapshot(client, monitoring, put_evidence)
    for inspector in (first, first, second):  # the same inspector twice keeps one task
        last = await dispatch(client, monitoring, alert_id, inspector)

    (withdrawn,) = await pulled_tasks(client, first)
    assert withdrawn["status"] == "cancelled" and withdrawn["cancel_reason"].startswith("预警已改派给")
    (current,) = await pulled_tasks(client, second)
    assert current["status"] == "open" and current["id"] == last["task_id"]


async def test_nothing_found_is_reported_from_an_offline_push_and_closes_the_loop(
    client: AsyncTestClient, monitoring: Monitoring, make_user, put_evidence
) -> None:
    inspector = await make_user(Role.INSPECTOR, monitoring.department)
    alert_id, _ = await raise_alert_with_snapshot(client, monitoring, put_evidence)
    task_id = (await dispatch(client, monitoring, alert_id, inspector))["task_id"]
    report = {"outcome": "nothing_found", "note": "现场无机械，无新开挖痕迹"}
    operation = {"op": "complete_task", "id": task_id, "report": report}
    for expected in ("updated", "replayed"):  # a retried push changes nothing
        pushed = await client.post("/sync/push", json={"operations": [operation]}, headers=inspector.headers)
        assert pushed.json()["results"][0]["status"] == expected, pushed.text

    seen = (await client.get(f"/alerts/{alert_id}", headers=monitoring.operator.headers)).json()
    assert seen["result"]["outcome"] == "nothing_found" and seen["result"]["note"] == report["note"]
    closed = await close(client, monitoring, alert_id, {"outcome": "no_violation"})
    assert closed.status_code == 200 and "未发现违法" in closed.json()["feedback"]


async def test_closing_an_alert_withdraws_its_open_task(
    client: AsyncTestClient, monitoring: Monitoring, make_user, put_evidence
) -> None:
    inspector = await make_user(Role.INSPECTOR, monitoring.department)
    alert_id, _ = await raise_alert_with_snapshot(client, monitoring, put_evidence)
    await dispatch(client, monitoring, alert_id, inspector)
    no_result = await close(client, monitoring, alert_id, {"outcome": "false_alarm"})
    assert no_result.status_code == 422 and no_result.json()["errors"][0]["field"] == "feedback"
    written = {"outcome": "false_alarm", "feedback": "复看录像为树影晃动，误报"}
    assert (await close(client, monitoring, alert_id, written)).status_code == 200
    (task,) = await pulled_tasks(client, inspector)
    assert task["status"] == "cancelled" and task["cancel_reason"] == "预警已办结，无需再核查"
