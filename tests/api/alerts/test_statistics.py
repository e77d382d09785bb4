"""GET /alerts/statistics: per site and camera, how many alerts, how they ended, the false-alarm rate."""

from __future__ import annotations

import pytest

from mobile_contract.auth import Role
from tests.api.sites.factories import register_site

pytestmark = pytest.mark.integration
PERIOD = {"period_from": "2026-11-01", "period_to": "2026-11-30"}


async def deliver(client, monitoring, **fields) -> str:
    body = monitoring.alert(**fields)
    assert (await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)).status_code == 201
    return body["id"]


async def close(client, monitoring, alert_id: str, outcome: str) -> None:
    await client.post(f"/alerts/{alert_id}/acknowledge", json={}, headers=monitoring.operator.headers)
    body = {"outcome": outcome, "feedback": "已核查"}
    answer = await client.post(f"/alerts/{alert_id}/close", json=body, headers=monitoring.operator.headers)
    assert answer.status_code == 200, answer.text


async def test_counts_outcomes_and_false_alarm_rate_per_site_and_camera(client, make_user, monitoring) -> None:
    other = await register_site(client, monitoring.operator, cameras=("north", "pit"))
    first = [await deliver(client, monitoring) for _ in range(4)]
    for alert_id, outcome in zip(first, ["false_alarm", "false_alarm", "violation_confirmed"], strict=False):
        await close(client, monitoring, alert_id, outcome)
    pit = await deliver(client, monitoring, site_id=other["id"], camera_id="pit")
    await close(client, monitoring, pit, "device_fault")
    await deliver(client, monitoring, started_at="2026-10-31T15:59:59+00:00")  # 23:59:59 on 31 October in China
    await deliver(client, monitoring, started_at="2026-10-31T16:00:00+00:00")  # 00:00 on 1 November: counted

    supervisor = await make_user(Role.SUPERVISOR, monitoring.department)
    found = (await client.get("/alerts/statistics", params=PERIOD, headers=supervisor.headers)).json()
    assert (found["total"]["alerts"], found["total"]["open"]) == (6, 2)
    sites = {s["site_id"]: s for s in found["sites"]}
    [camera] = sites[monitoring.site_id]["cameras"]
    assert (camera["camera_name"], camera["alerts"], camera["open"]) == ("摄像头 cam-1", 5, 2)
    assert camera["outcomes"] == {"violation_confirmed": 1, "no_violation": 0, "false_alarm": 2, "device_fault": 0}
    assert camera["false_alarm_rate"] == pytest.approx(2 / 3)  # of the three closed, not of all five
    assert sites[other["id"]]["site_name"] == "青山塘口"
    assert [(c["camera_id"], c["false_alarm_rate"]) for c in sites[other["id"]]["cameras"]] == [("pit", 0.0)]
    assert found["total"]["false_alarm_rate"] == pytest.approx(2 / 4)


async def test_another_department_and_other_roles(client, make_user, make_monitoring) -> None:
    mine, theirs = await make_monitoring(), await make_monitoring()
    await deliver(client, mine)
    found = (await client.get("/alerts/statistics", params=PERIOD, headers=theirs.operator.headers)).json()
    assert found["sites"] == [] and found["total"]["alerts"] == 0 and found["total"]["false_alarm_rate"] is None
    inspector = await make_user(Role.INSPECTOR, mine.department)
    assert (await client.get("/alerts/statistics", params=PERIOD, headers=inspector.headers)).status_code == 403


async def test_a_period_backwards_or_over_a_year_is_named(client, monitoring) -> None:
    backwards = {"period_from": "2026-11-30", "period_to": "2026-11-01"}
    too_long = {"period_from": "2025-01-01", "period_to": "2026-11-01"}
    for period in (backwards, too_long):
        answer = await client.get("/alerts/statistics", params=period, headers=monitoring.operator.headers)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "period_to"
        assert "统计期间" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("period", "field"), [(("0001-01-01", "0001-01-02"), "period_from"), (("2099-12-30", "9999-12-31"), "period_to")]
)
async def test_a_period_beyond_the_calendar_is_named_not_a_500(client, monitoring, period, field) -> None:
    """Found by the contract fuzzing: year 1 less eight hours fell outside PostgreSQL's timestamps."""
    params = {"period_from": period[0], "period_to": period[1]}
    answer = await client.get("/alerts/statistics", params=params, headers=monitoring.operator.headers)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]
