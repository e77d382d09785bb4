import itertools
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from storage import audit
from tests.api.alerts.conftest import Monitoring

FEEDBACK = {"feedback": "执法人员现场核查，挖掘机已停止作业并撤离，已责令整改", "outcome": "violation_confirmed"}


async def raise_alert(client: AsyncTestClient, monitoring: Monitoring, **fields) -> str:
    body = monitoring.alert(**fields)
    answer = await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)
    assert answer.status_code == 201, answer.text
    return body["id"]


async def act(client: AsyncTestClient, caller, alert_id: str, step: str, body: dict | None = None):
    return await client.post(f"/alerts/{alert_id}/{step}", json=body, headers=caller.headers)


async def test_acknowledge_dispatch_and_close_with_feedback(
    client: AsyncTestClient, monitoring: Monitoring, make_user, pool: asyncpg.Pool
) -> None:
    alert_id = await raise_alert(client, monitoring)
    operator, inspector = monitoring.operator, await make_user(Role.INSPECTOR, monitoring.department)

    acked = await act(client, operator, alert_id, "acknowledge", {"note": "已查看画面"})
    assert acked.status_code == 200 and acked.json()["state"] == "acknowledged"
    sent = await act(client, operator, alert_id, "dispatch", {"inspector_id": str(inspector.principal.user_id)})
    assert sent.json()["state"] == "dispatched" and sent.json()["inspector_id"] == str(inspector.principal.user_id)
    closed = await act(client, operator, alert_id, "close", FEEDBACK)
    assert closed.status_code == 200
    assert closed.json() | FEEDBACK == closed.json() and closed.json()["state"] == "closed"
    assert closed.json()["closed_by"] == str(operator.principal.user_id)

    async with pool.acquire() as conn:
        entries = await audit.list_for_entity(conn, entity_type="alert", entity_id=alert_id)
    assert [e.action for e in entries] == ["alert.created", "alert.acknowledged", "alert.dispatched", "alert.closed"]
    assert all(later.before_hash == earlier.after_hash for earlier, later in itertools.pairwise(entries))


async def test_refused_steps_are_invalid_transitions(client: AsyncTestClient, monitoring: Monitoring) -> None:
    alert_id = await raise_alert(client, monitoring)
    operator = monitoring.operator
    unseen = await act(client, operator, alert_id, "close", FEEDBACK)
    assert unseen.status_code == 409 and unseen.json()["code"] == "invalid-transition"
    assert unseen.json()["extra"]["state"] == "open"

    await act(client, operator, alert_id, "acknowledge")
    twice = await act(client, operator, alert_id, "acknowledge")
    assert twice.status_code == 409 and twice.json()["code"] == "invalid-transition"
    assert (await act(client, operator, alert_id, "close", FEEDBACK)).status_code == 200
    for step, body in [("acknowledge", {}), ("close", FEEDBACK)]:
        assert (await act(client, operator, alert_id, step, body)).json()["code"] == "invalid-transition"


async def test_only_an_active_inspector_of_the_department_can_be_dispatched(
    client: AsyncTestClient, monitoring: Monitoring, make_user, make_monitoring
) -> None:
    alert_id = await raise_alert(client, monitoring)
    other_inspector = await make_user(Role.INSPECTOR, (await make_monitoring()).department)
    for who in (monitoring.operator.principal.user_id, other_inspector.principal.user_id, uuid.uuid4()):
        answer = await act(client, monitoring.operator, alert_id, "dispatch", {"inspector_id": str(who)})
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "inspector_id"


async def test_closing_needs_feedback_and_an_outcome(client: AsyncTestClient, monitoring: Monitoring) -> None:
    alert_id = await raise_alert(client, monitoring)
    await act(client, monitoring.operator, alert_id, "acknowledge")
    for body in ({"outcome": "false_alarm"}, {"feedback": "", "outcome": "false_alarm"}, {"feedback": "误报"}):
        assert (await act(client, monitoring.operator, alert_id, "close", body)).status_code == 422


async def test_inspectors_read_but_cannot_act(client: AsyncTestClient, monitoring: Monitoring, make_user) -> None:
    alert_id = await raise_alert(client, monitoring)
    inspector = await make_user(Role.INSPECTOR, monitoring.department)
    assert (await client.get(f"/alerts/{alert_id}", headers=inspector.headers)).status_code == 200
    assert (await client.get("/alerts", headers=inspector.headers)).json()["items"][0]["id"] == alert_id
    for step, body in [("acknowledge", {}), ("close", FEEDBACK)]:
        assert (await act(client, inspector, alert_id, step, body)).status_code == 403
    supervisor = await make_user(Role.SUPERVISOR, monitoring.department)
    assert (await act(client, supervisor, alert_id, "acknowledge")).status_code == 200


async def test_another_departments_operator_finds_nothing(
    client: AsyncTestClient, monitoring: Monitoring, make_monitoring
) -> None:
    alert_id = await raise_alert(client, monitoring)
    stranger = (await make_monitoring()).operator
    assert (await client.get(f"/alerts/{alert_id}", headers=stranger.headers)).status_code == 404
    assert (await act(client, stranger, alert_id, "acknowledge")).status_code == 404
    assert (await client.get("/alerts", headers=stranger.headers)).json()["items"] == []


async def test_a_node_update_after_closing_keeps_the_alert_closed(
    client: AsyncTestClient, monitoring: Monitoring
) -> None:
    alert_id = await raise_alert(client, monitoring)
    await act(client, monitoring.operator, alert_id, "acknowledge")
    await act(client, monitoring.operator, alert_id, "close", FEEDBACK)
    body = monitoring.alert(uuid.UUID(alert_id), revision=2, ended_at="2026-11-01T23:30:00+00:00")
    update = await client.put(f"/alerts/{alert_id}", json=body, headers=monitoring.node.headers)
    assert update.json()["outcome"] == "updated"
    assert update.json()["alert"]["state"] == "closed" and update.json()["alert"]["ended_at"] is not None


async def test_filters_and_pages(client: AsyncTestClient, monitoring: Monitoring) -> None:
    night = [await raise_alert(client, monitoring) for _ in range(3)]
    covered = await raise_alert(client, monitoring, kind="camera_covered", severity="critical")
    await act(client, monitoring.operator, night[0], "acknowledge")
    headers = monitoring.operator.headers

    async def ids(**params) -> list[str]:
        return [a["id"] for a in (await client.get("/alerts", params=params, headers=headers)).json()["items"]]

    assert await ids() == [covered, *reversed(night)]
    assert await ids(kind="camera_covered") == [covered]
    assert await ids(state="acknowledged") == [night[0]]
    assert await ids(site=monitoring.site_id, camera="elsewhere") == []
    first = (await client.get("/alerts", params={"limit": 3}, headers=headers)).json()
    rest = (await client.get("/alerts", params={"limit": 3, "cursor": first["next_cursor"]}, headers=headers)).json()
    assert [a["id"] for a in first["items"] + rest["items"]] == [covered, *reversed(night)]
    assert rest["next_cursor"] is None
    bad = await client.get("/alerts", params={"cursor": "not-a-cursor"}, headers=headers)
    assert bad.status_code == 422
