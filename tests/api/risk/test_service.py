"""Risk scores from credit facts and camera alerts, and the key-supervision list, on the real database."""

import datetime as dt

import pytest

from mobile_contract.auth import Role
from tests.api.credit.helpers import LOCAL, days_ago, new_subject, record_fact
from tests.api.risk.helpers import close_alert, permitted_site, raise_alert


@pytest.fixture
async def supervisor(make_user, department):
    return await make_user(Role.SUPERVISOR, department)


async def test_score_counts_penalties_complaints_credit_and_explains_them(client, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    for days in (3, 40):
        await record_fact(client, supervisor, subject["id"], "penalty", days_ago(days))
    await record_fact(client, supervisor, subject["id"], "penalty", days_ago(400))
    await record_fact(client, supervisor, subject["id"], "complaint_upheld", days_ago(10))
    risk = (await client.get(f"/risk/subjects/{subject['id']}", headers=supervisor.headers)).json()
    parts = {p["factor"]: (p["count"], p["points"]) for p in risk["parts"]}
    assert parts["penalties"] == (2, 30), "the penalty 400 days ago is outside the 365-day window"
    assert parts["complaints"] == (1, 10)
    assert parts["credit"] == (1, 30), "80 − 15 − 15 − 10 = 40 points: grade D"
    assert (risk["score"], risk["level"], risk["draw_weight"]) == (70, "high", 4)


async def test_alerts_at_the_subjects_permitted_site_count_unless_cleared(
    client, make_user, department, supervisor
) -> None:
    subject = await new_subject(client, supervisor)
    bystander = await new_subject(client, supervisor)
    site_id, node = await permitted_site(client, make_user, department, supervisor, subject["id"])
    now = dt.datetime.now(LOCAL)
    await raise_alert(client, node, site_id, now - dt.timedelta(days=1))
    await raise_alert(client, node, site_id, now - dt.timedelta(days=5), kind="prohibited_hours")
    await raise_alert(client, node, site_id, now - dt.timedelta(days=2), kind="camera_offline")
    await raise_alert(client, node, site_id, now - dt.timedelta(days=120))
    cleared = await raise_alert(client, node, site_id, now - dt.timedelta(days=3))
    confirmed = await raise_alert(client, node, site_id, now - dt.timedelta(days=4))
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    await close_alert(client, operator, cleared, "false_alarm")
    await close_alert(client, operator, confirmed, "violation_confirmed")
    risk = (await client.get(f"/risk/subjects/{subject['id']}", headers=supervisor.headers)).json()
    assert {p["factor"]: p["count"] for p in risk["parts"]}["camera_alerts"] == 3
    other = (await client.get(f"/risk/subjects/{bystander['id']}", headers=supervisor.headers)).json()
    assert {p["factor"]: p["count"] for p in other["parts"]}["camera_alerts"] == 0


async def test_key_supervision_list_names_high_risk_and_grade_d(client, supervisor, inspector) -> None:
    risky = await new_subject(client, supervisor, name="高风险石料厂")
    for days in (1, 2, 3):
        await record_fact(client, supervisor, risky["id"], "penalty", days_ago(days))
    blacklisted = await new_subject(client, supervisor, name="黑名单石料厂")
    await client.post(
        "/credit/lists",
        json={"subject_id": blacklisted["id"], "list": "blacklist", "entered_on": days_ago(1), "reason": "严重违法"},
        headers=supervisor.headers,
    )
    await new_subject(client, supervisor, name="守法石料厂")
    listed = (await client.get("/risk/key-subjects", headers=inspector.headers)).json()
    assert [k["name"] for k in listed] == ["高风险石料厂", "黑名单石料厂"]
    assert listed[0]["reasons"] == ["高风险（75 分）", "信用等级 D（严重失信）"]
    assert listed[1]["reasons"] == ["信用等级 D（严重失信）"]


async def test_scores_stay_in_the_department(client, make_user, make_department, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    other = await make_user(Role.SUPERVISOR, await make_department())
    assert (await client.get(f"/risk/subjects/{subject['id']}", headers=other.headers)).status_code == 404
    assert (await client.get("/risk/key-subjects", headers=other.headers)).json() == []
