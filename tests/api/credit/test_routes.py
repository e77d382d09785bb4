"""Credit records, the 7-day platform deadline, lists, objections and repair, over HTTP on the real database."""

import datetime as dt

import pytest

from mobile_contract.auth import Role
from tests.api.credit.helpers import LOCAL, days_ago, new_subject, penalty_record, record_fact, today
from tests.api.subjects.factories import new_uscc


@pytest.fixture
async def supervisor(make_user, department):
    return await make_user(Role.SUPERVISOR, department)


async def grade_of(client, caller, subject_id: str) -> dict:
    answer = await client.get(f"/credit/subjects/{subject_id}", headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["grade"]


async def test_a_penalty_lowers_the_grade_and_explains_why(client, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    assert (await grade_of(client, supervisor, subject["id"]))["grade"] == "B"
    await record_fact(client, supervisor, subject["id"], "penalty", days_ago(3))
    grade = await grade_of(client, supervisor, subject["id"])
    assert (grade["grade"], grade["score"]) == ("C", 65)
    assert grade["parts"][0]["factor"] == "penalty" and grade["parts"][0]["points"] == -15


async def test_platform_deadline_is_seven_local_calendar_days(client, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    decided = today() - dt.timedelta(days=20)
    on_time = await record_fact(client, supervisor, subject["id"], "penalty", decided.isoformat())
    late = await record_fact(client, supervisor, subject["id"], "licence", decided.isoformat())
    never = await record_fact(client, supervisor, subject["id"], "penalty", decided.isoformat())
    pending = await record_fact(client, supervisor, subject["id"], "penalty", days_ago(2))
    plain = await record_fact(client, supervisor, subject["id"], "inspection_passed", decided.isoformat())
    assert on_time["platform_due_on"] == (decided + dt.timedelta(days=7)).isoformat()
    assert plain["platform_due_on"] is None
    last_minute = dt.datetime.combine(decided + dt.timedelta(days=7), dt.time(23, 59), LOCAL)
    just_after = dt.datetime.combine(decided + dt.timedelta(days=8), dt.time(0, 30), LOCAL)
    for record, when in ((on_time, last_minute), (late, just_after)):
        answer = await client.post(
            f"/credit/records/{record['id']}/reported",
            json={"reported_at": when.isoformat(), "receipt": "R-1"},
            headers=supervisor.headers,
        )
        assert answer.status_code == 200, answer.text
    again = await client.post(
        f"/credit/records/{late['id']}/reported",
        json={"reported_at": just_after.isoformat()},
        headers=supervisor.headers,
    )
    assert again.status_code == 409
    report = (await client.get("/credit/platform", headers=supervisor.headers)).json()
    assert report["deadline_days"] == 7 and report["on_time"] == 1
    assert sorted(r["id"] for r in report["late"]) == sorted([late["id"], never["id"]])
    assert [r["id"] for r in report["pending"]] == [pending["id"]]


async def test_collect_takes_each_penalty_once_and_registers_its_party(client, supervisor, make_user, department):
    inspector, partner = await make_user(Role.INSPECTOR, department), await make_user(Role.INSPECTOR, department)
    uscc = new_uscc()
    occurred = dt.datetime.combine(today() - dt.timedelta(days=12), dt.time(23, 30), LOCAL)
    record_id = await penalty_record(client, inspector, partner, uscc, occurred)
    first = (await client.post("/credit/collect", headers=supervisor.headers)).json()
    assert first == {"created": 1, "already": 0, "subjects_registered": 1}
    second = (await client.post("/credit/collect", headers=supervisor.headers)).json()
    assert second["created"] == 0
    subject = (await client.get(f"/subjects/by-key/{uscc}", headers=supervisor.headers)).json()
    profile = (await client.get(f"/credit/subjects/{subject['id']}", headers=supervisor.headers)).json()
    [credit_record] = profile["records"]
    assert credit_record["source_id"] == record_id
    assert credit_record["decided_on"] == occurred.date().isoformat(), "the decision day in local time"
    assert credit_record["document_no"] == "赣自然资罚〔2026〕1号"
    assert credit_record["late"] is True, "collected 12 days after the decision and not reported"


async def test_objection_upheld_corrects_the_record_and_restores_the_grade(client, pool, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    record = await record_fact(client, supervisor, subject["id"], "complaint_upheld", days_ago(5))
    assert (await grade_of(client, supervisor, subject["id"]))["score"] == 70
    body = {
        "kind": "objection",
        "record_id": record["id"],
        "applicant": "某某石料有限公司",
        "filed_on": days_ago(1),
        "statement": "投诉所涉车辆不属于本公司",
    }
    filed = await client.post("/credit/requests", json=body, headers=supervisor.headers)
    assert filed.status_code == 201, filed.text
    twice = await client.post("/credit/requests", json=body, headers=supervisor.headers)
    assert twice.status_code == 409 and twice.json()["code"] == "request-open"
    path = f"/credit/requests/{filed.json()['id']}/decision"
    decided = await client.post(path, json={"accept": True, "reply": "经核查异议成立"}, headers=supervisor.headers)
    assert decided.status_code == 200 and decided.json()["state"] == "accepted"
    again = await client.post(path, json={"accept": False, "reply": "重复办理"}, headers=supervisor.headers)
    assert again.status_code == 409 and again.json()["code"] == "invalid-transition"
    profile = (await client.get(f"/credit/subjects/{subject['id']}", headers=supervisor.headers)).json()
    assert profile["records"][0]["state"] == "corrected"
    assert profile["grade"]["score"] == 80
    actions = await pool.fetch("SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY seq", filed.json()["id"])
    assert [a["action"] for a in actions] == ["credit.objection.file", "credit.objection.accepted"]


async def test_repair_waits_for_the_shortest_publication_period(client, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    recent = await record_fact(client, supervisor, subject["id"], "penalty", days_ago(30))
    old = await record_fact(client, supervisor, subject["id"], "penalty", days_ago(100))
    body = {
        "kind": "repair",
        "applicant": "某某石料有限公司",
        "filed_on": days_ago(0),
        "statement": "已缴纳罚款并恢复治理，承诺不再越界开采",
    }
    early = await client.post("/credit/requests", json=body | {"record_id": recent["id"]}, headers=supervisor.headers)
    assert early.status_code == 409 and early.json()["code"] == "repair-too-early"
    filed = await client.post("/credit/requests", json=body | {"record_id": old["id"]}, headers=supervisor.headers)
    assert filed.status_code == 201
    await client.post(
        f"/credit/requests/{filed.json()['id']}/decision",
        json={"accept": True, "reply": "准予修复"},
        headers=supervisor.headers,
    )
    profile = (await client.get(f"/credit/subjects/{subject['id']}", headers=supervisor.headers)).json()
    assert {r["id"]: r["state"] for r in profile["records"]} == {recent["id"]: "active", old["id"]: "repaired"}
    assert profile["grade"]["score"] == 65


async def test_blacklist_entry_and_exit_with_reasons(client, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    entry = {
        "subject_id": subject["id"],
        "list": "blacklist",
        "entered_on": days_ago(10),
        "reason": "非法采矿被追究刑事责任",
        "basis": "《严重违法失信名单管理办法》",
    }
    entered = await client.post("/credit/lists", json=entry, headers=supervisor.headers)
    assert entered.status_code == 201
    assert (await client.post("/credit/lists", json=entry, headers=supervisor.headers)).status_code == 409
    assert (await grade_of(client, supervisor, subject["id"]))["grade"] == "D"
    path = f"/credit/lists/{entered.json()['id']}/exit"
    early = await client.post(path, json={"exited_on": days_ago(20), "reason": "x"}, headers=supervisor.headers)
    assert early.status_code == 422
    left = await client.post(path, json={"exited_on": days_ago(0), "reason": "期满移出"}, headers=supervisor.headers)
    assert left.status_code == 200 and left.json()["exit_reason"] == "期满移出"
    assert left.json()["entry_reason"] == "非法采矿被追究刑事责任"
    assert (await grade_of(client, supervisor, subject["id"]))["grade"] == "B"


async def test_other_departments_share_the_profile_but_not_the_records(
    client, make_user, make_department, supervisor
) -> None:
    subject = await new_subject(client, supervisor)
    record = await record_fact(client, supervisor, subject["id"], "penalty", days_ago(2))
    other = await make_user(Role.SUPERVISOR, await make_department())
    assert (await client.get(f"/credit/subjects/{subject['id']}", headers=other.headers)).status_code == 404
    await client.post(
        "/subjects",
        json={
            "party": {"kind": "legal_person", "name": subject["name"], "uscc": subject["key"]},
            "region_code": "360102",
        },
        headers=other.headers,
    )
    shared = (await client.get(f"/credit/subjects/{subject['id']}", headers=other.headers)).json()
    assert shared["grade"]["score"] == 65, "一处失信，处处受制: the grade counts every department's facts"
    mark = await client.post(
        f"/credit/records/{record['id']}/reported",
        json={"reported_at": dt.datetime.now(LOCAL).isoformat()},
        headers=other.headers,
    )
    assert mark.status_code == 404


async def test_a_grade_whose_facts_aged_out_is_recomputed_on_read(client, pool, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    await record_fact(client, supervisor, subject["id"], "penalty", days_ago(364))
    stored = await pool.fetchrow("SELECT score, changes_on FROM credit_grades WHERE subject_id = $1", subject["id"])
    assert (stored["score"], stored["changes_on"]) == (65, today() + dt.timedelta(days=1))
    # As if the grade had been stored days ago: a stale row must not be served.
    await pool.execute(
        "UPDATE credit_grades SET grade = 'A', score = 99, changes_on = $2 WHERE subject_id = $1",
        subject["id"],
        today() - dt.timedelta(days=1),
    )
    grade = await grade_of(client, supervisor, subject["id"])
    assert (grade["grade"], grade["score"]) == ("C", 65)


async def test_report_time_must_fall_between_decision_and_now(client, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    record = await record_fact(client, supervisor, subject["id"], "licence", days_ago(3))
    path = f"/credit/records/{record['id']}/reported"
    for when in (dt.datetime.now(LOCAL) - dt.timedelta(days=5), dt.datetime.now(LOCAL) + dt.timedelta(days=2)):
        answer = await client.post(path, json={"reported_at": when.isoformat()}, headers=supervisor.headers)
        assert answer.status_code == 422, when


async def test_a_named_source_needs_its_id_and_is_recorded_once(client, supervisor) -> None:
    subject = await new_subject(client, supervisor)
    body = {
        "subject_id": subject["id"],
        "kind": "complaint_upheld",
        "decided_on": days_ago(1),
        "summary": "属实",
        "source_kind": "complaint",
    }
    assert (await client.post("/credit/records", json=body, headers=supervisor.headers)).status_code == 422
    body["source_id"] = str(subject["id"])
    assert (await client.post("/credit/records", json=body, headers=supervisor.headers)).status_code == 201
    again = await client.post("/credit/records", json=body, headers=supervisor.headers)
    assert again.status_code == 409 and again.json()["code"] == "credit-source-recorded"
