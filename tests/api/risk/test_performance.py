"""The performance report: inaction per catalogue item, late credit reports, unhandled alerts, as JSON and PNG."""

import datetime as dt
import random

import pytest

from api.cases import clock
from mobile_contract.auth import Role
from tests.api.cases.support import PINNED_TODAY, open_case, take
from tests.api.complaints.test_routes import submission
from tests.api.credit.helpers import LOCAL, days_ago, new_subject, record_fact, today
from tests.api.risk.helpers import close_alert, permitted_site, raise_alert
from tests.factories import record_create

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def supervisor(make_user, department):
    return await make_user(Role.SUPERVISOR, department)


async def add_item(client, caller, code: str, name: str, **content: str) -> None:
    body = {
        "code": code,
        "content": {"name": name, "kind": "licensing", "change_type": "retained", "measures": ["开展双随机抽查"]}
        | content,
    }
    assert (await client.post("/catalogue", json=body, headers=caller.headers)).status_code == 201


async def inspect(client, inspectors, code: str, when: dt.datetime) -> None:
    body = record_create(*inspectors)
    body["content"] |= {"item_code": code, "occurred_at": when.isoformat()}
    answer = await client.post("/records", json=body, headers=inspectors[0].headers)
    assert answer.status_code == 201, answer.text


async def period(client, caller, **params) -> dict:
    params = {"period_from": days_ago(30), "period_to": days_ago(0)} | params
    answer = await client.get("/risk/performance", params=params, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_items_without_a_record_in_the_period_are_inaction(client, make_user, department, supervisor) -> None:
    prefix = str(random.randrange(10**7, 10**8))
    codes = [f"{prefix}00000{i}" for i in (1, 2, 3)]
    for code, name in zip(codes, ("采矿许可后续监管", "矿山地质环境治理", "临时用地复垦"), strict=True):
        await add_item(client, supervisor, code, name)
    await add_item(client, supervisor, f"{prefix}000009", "已停止监管的事项", withdrawn_on=days_ago(40))
    inspectors = [await make_user(Role.INSPECTOR, department) for _ in range(2)]
    now = dt.datetime.now(LOCAL)
    await inspect(client, inspectors, codes[0], now - dt.timedelta(days=2))
    await inspect(client, inspectors, codes[1], now - dt.timedelta(days=45))
    [mine] = (await period(client, supervisor))["departments"]
    assert mine["items_total"] == 3, "the item withdrawn before the period is not counted"
    assert [i["code"] for i in mine["items_without_records"]] == codes[1:]
    wider = await period(client, supervisor, period_from=days_ago(60))
    without = [i["code"] for i in wider["departments"][0]["items_without_records"]]
    assert without == [codes[2], f"{prefix}000009"], "in force for part of the longer period"


async def test_period_boundaries_are_local_days(client, make_user, department, supervisor) -> None:
    code = str(random.randrange(10**7, 10**8)) + "000001"
    await add_item(client, supervisor, code, "边界日测试")
    inspectors = [await make_user(Role.INSPECTOR, department) for _ in range(2)]
    day = today() - dt.timedelta(days=5)
    await inspect(client, inspectors, code, dt.datetime.combine(day, dt.time(0, 10), LOCAL))
    same_day = await period(client, supervisor, period_from=day.isoformat(), period_to=day.isoformat())
    assert same_day["departments"][0]["items_without_records"] == [], "00:10 local is inside that local day"
    before = (day - dt.timedelta(days=1)).isoformat()
    day_before = await period(client, supervisor, period_from=before, period_to=before)
    assert [i["code"] for i in day_before["departments"][0]["items_without_records"]] == [code]


async def test_late_credit_reports_and_unhandled_alerts(client, make_user, department, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    late = await record_fact(client, supervisor, subject["id"], "penalty", days_ago(20))
    await record_fact(client, supervisor, subject["id"], "penalty", days_ago(1))
    site_id, node = await permitted_site(client, make_user, department, supervisor, subject["id"])
    now = dt.datetime.now(LOCAL)
    waiting = await raise_alert(client, node, site_id, now - dt.timedelta(days=3))
    handled = await raise_alert(client, node, site_id, now - dt.timedelta(days=2))
    await close_alert(client, await make_user(Role.MONITORING_OPERATOR, department), handled, "no_violation")
    [mine] = (await period(client, supervisor))["departments"]
    assert [r["id"] for r in mine["late_credit_reports"]] == [late["id"]], "the recent one is not due yet"
    assert [a["id"] for a in mine["alerts_not_handled"]] == [waiting]


async def test_scope_admin_sees_every_department_supervisors_their_own(
    client, make_user, make_department, supervisor
) -> None:
    other = await make_department()
    admin = await make_user(Role.ADMIN, await make_department())
    everyone = await period(client, admin)
    assert {str(supervisor.principal.department_id), str(other.id)} <= {
        d["department_id"] for d in everyone["departments"]
    }
    chosen = await period(client, admin, department_id=str(other.id))
    assert [d["department_id"] for d in chosen["departments"]] == [str(other.id)]
    own = await period(client, supervisor, department_id=str(other.id))
    assert [d["department_id"] for d in own["departments"]] == [str(supervisor.principal.department_id)]
    refused = await client.get(
        "/risk/performance", params={"period_from": days_ago(0), "period_to": days_ago(5)}, headers=supervisor.headers
    )
    assert refused.status_code == 422


@pytest.mark.parametrize("span", [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")], ids=["1", "9999"])
async def test_a_period_beyond_the_calendar_is_refused_not_a_500(client, supervisor, span) -> None:
    """Found by the contract fuzzing: year 1 fell outside PostgreSQL's timestamps, year 9999 outside Python's dates."""
    params = {"period_from": span[0], "period_to": span[1]}
    answer = await client.get("/risk/performance", params=params, headers=supervisor.headers)
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid-input"), answer.text
    assert "2000" in answer.json()["detail"] and answer.json()["errors"][0]["field"].startswith("period_")


async def test_chart_is_a_png(client, make_user, department, supervisor, tmp_path) -> None:
    code = str(random.randrange(10**7, 10**8)) + "000001"
    await add_item(client, supervisor, code, "图表测试")
    params = {"period_from": days_ago(30), "period_to": days_ago(0)}
    answer = await client.get("/risk/performance/chart.png", params=params, headers=supervisor.headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.content.startswith(PNG_MAGIC) and len(answer.content) > 5000


async def test_overdue_case_limits_and_complaints_are_inaction_as_of_today(
    client, make_user, make_department, department, supervisor, monkeypatch
) -> None:
    inspector, partner = [await make_user(Role.INSPECTOR, department) for _ in range(2)]
    monkeypatch.setattr(clock, "today", lambda: PINNED_TODAY)
    case_id = await open_case(client, inspector, partner)
    await take(client, supervisor, case_id, {"action": "file"})  # 立案: ninety days to decide
    office = await make_user(Role.COMPLAINT_OFFICER, await make_department())
    reference_no = await transferred_complaint(client, office, department)
    [before] = (await period(client, supervisor))["departments"]
    assert (before["overdue_cases"], before["overdue_complaints"]) == ([], [])

    monkeypatch.setattr(clock, "today", lambda: PINNED_TODAY + dt.timedelta(days=120))
    [mine] = (await period(client, supervisor))["departments"]
    assert [(d["case_id"], d["rule"], d["status"]) for d in mine["overdue_cases"]] == [
        (case_id, "decide_90", "overdue")
    ]
    assert [c["reference_no"] for c in mine["overdue_complaints"]] == [reference_no]
    assert "identity" not in str(mine["overdue_complaints"]) and "13800138000" not in str(mine)
    [other] = (await period(client, await make_user(Role.SUPERVISOR, await make_department())))["departments"]
    assert (other["overdue_cases"], other["overdue_complaints"]) == ([], []), "another department's are not its own"


async def transferred_complaint(client, office, department) -> str:
    """A complaint accepted by the office and transferred to ``department`` with the default handling period."""
    receipt = await client.post("/complaints/submit", json=submission(office.principal.region_code))
    assert receipt.status_code == 201, receipt.text
    reference_no = receipt.json()["reference_no"]
    [found] = [
        c for c in (await client.get("/complaints", headers=office.headers)).json() if c["reference_no"] == reference_no
    ]
    for name, body in (
        ("decision", {"accept": True, "reason": "属于本机关职责范围"}),
        ("transfer", {"department_id": str(department.id)}),
    ):
        answer = await client.post(f"/complaints/{found['id']}/{name}", json=body, headers=office.headers)
        assert answer.status_code == 200, answer.text
    return reference_no
