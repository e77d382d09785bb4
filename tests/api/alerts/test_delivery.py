import asyncio
import uuid

import asyncpg
import httpx
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from storage import audit
from tests.api.alerts.conftest import Monitoring
from tests.api.problem_text import unreadable


async def put(client: AsyncTestClient, monitoring: Monitoring, body: dict) -> httpx.Response:
    return await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)


async def test_first_revision_creates_and_a_higher_one_updates(client: AsyncTestClient, monitoring: Monitoring) -> None:
    alert_id = uuid.uuid4()
    first = await put(client, monitoring, monitoring.alert(alert_id))
    assert first.status_code == 201, first.text
    assert first.json()["outcome"] == "created"
    assert first.json()["alert"]["state"] == "open"
    assert first.json()["alert"]["department_id"] == str(monitoring.department.id)

    second = await put(client, monitoring, monitoring.alert(alert_id, revision=2, severity="critical"))
    assert second.status_code == 200
    assert second.json()["outcome"] == "updated"
    assert second.json()["alert"]["revision"] == 2 and second.json()["alert"]["severity"] == "critical"

    detail = (await client.get(f"/alerts/{alert_id}", headers=monitoring.operator.headers)).json()
    assert [r["revision"] for r in detail["revisions"]] == [1, 2]
    assert detail["revisions"][0]["content"]["severity"] == "warning"


async def test_an_identical_redelivery_returns_the_stored_alert(
    client: AsyncTestClient, monitoring: Monitoring, pool: asyncpg.Pool
) -> None:
    body = monitoring.alert()
    created = await put(client, monitoring, body)
    again = await put(client, monitoring, body)
    assert again.status_code == 200
    assert again.json()["outcome"] == "replayed"
    assert again.json()["alert"] == created.json()["alert"]
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM alert_revisions WHERE alert_id = $1", uuid.UUID(body["id"])) == 1
        )
        assert await conn.fetchval("SELECT count(*) FROM alert_events WHERE alert_id = $1", uuid.UUID(body["id"])) == 1


async def test_the_same_revision_with_other_content_is_a_conflict(
    client: AsyncTestClient, monitoring: Monitoring
) -> None:
    body = monitoring.alert()
    await put(client, monitoring, body)
    changed = await put(client, monitoring, body | {"summary": "别的内容"})
    assert changed.status_code == 409
    assert changed.json()["code"] == "alert-revision-conflict"
    assert changed.json()["extra"]["revision"] == 1
    detail = changed.json()["detail"]
    assert unreadable(changed.json()) == [], "named as the wall names it, not by its UUID"
    assert "青山塘口" in detail and "禁止时段作业" in detail and "2026-11-02 07:05:00" in detail, detail


async def test_a_late_lower_revision_is_kept_without_moving_the_alert_back(
    client: AsyncTestClient, monitoring: Monitoring
) -> None:
    alert_id = uuid.uuid4()
    assert (await put(client, monitoring, monitoring.alert(alert_id, revision=3))).status_code == 201
    late = await put(client, monitoring, monitoring.alert(alert_id, revision=2, severity="info"))
    assert late.status_code == 200
    assert late.json()["outcome"] == "stored_late"
    assert late.json()["alert"]["revision"] == 3 and late.json()["alert"]["severity"] == "warning"
    detail = (await client.get(f"/alerts/{alert_id}", headers=monitoring.operator.headers)).json()
    assert [r["revision"] for r in detail["revisions"]] == [2, 3]
    assert detail["revision"] == 3 and detail["summary"].endswith("第3次更新）")


async def test_fifty_concurrent_identical_deliveries_store_one_row(
    live_server: str, monitoring: Monitoring, pool: asyncpg.Pool
) -> None:
    body = monitoring.alert()
    async with httpx.AsyncClient(base_url=live_server, headers=monitoring.node.headers, timeout=30) as http:
        answers = await asyncio.gather(*(http.put(f"/alerts/{body['id']}", json=body) for _ in range(50)))
    assert sorted(a.status_code for a in answers) == [200] * 49 + [201]
    assert sorted(a.json()["outcome"] for a in answers) == ["created"] + ["replayed"] * 49
    async with pool.acquire() as conn:
        alert_id = uuid.UUID(body["id"])
        assert await conn.fetchval("SELECT count(*) FROM alerts WHERE id = $1", alert_id) == 1
        assert await conn.fetchval("SELECT count(*) FROM alert_revisions WHERE alert_id = $1", alert_id) == 1
        assert await conn.fetchval("SELECT count(*) FROM alert_events WHERE alert_id = $1", alert_id) == 1
        entries = await audit.list_for_entity(conn, entity_type="alert", entity_id=body["id"])
    assert [e.action for e in entries] == ["alert.created"]


async def test_an_unknown_camera_or_another_departments_site_is_not_found(
    client: AsyncTestClient, monitoring: Monitoring, make_monitoring
) -> None:
    assert (await put(client, monitoring, monitoring.alert(camera_id="no-such-camera"))).status_code == 404
    assert (await put(client, monitoring, monitoring.alert(site_id="no-such-site"))).status_code == 404
    other = await make_monitoring()
    foreign = monitoring.alert(site_id=other.site_id, camera_id=other.camera_id)
    assert (await put(client, monitoring, foreign)).status_code == 404

    owned = other.alert()
    assert (await put(client, other, owned)).status_code == 201
    hijack = monitoring.alert(uuid.UUID(owned["id"]), revision=2)
    assert (await put(client, monitoring, hijack)).status_code == 404


async def test_only_vision_nodes_deliver(client: AsyncTestClient, monitoring: Monitoring, make_user) -> None:
    body = monitoring.alert()
    for role in (Role.INSPECTOR, Role.MONITORING_OPERATOR, Role.ADMIN):
        caller = await make_user(role, monitoring.department)
        answer = await client.put(f"/alerts/{body['id']}", json=body, headers=caller.headers)
        assert answer.status_code == 403, role


async def test_the_path_and_body_ids_must_agree(client: AsyncTestClient, monitoring: Monitoring) -> None:
    answer = await client.put(f"/alerts/{uuid.uuid4()}", json=monitoring.alert(), headers=monitoring.node.headers)
    assert answer.status_code == 422
