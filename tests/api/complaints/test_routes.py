"""Complaints end to end on the real database: intake, steps, lookup, overdue supervision, identity."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from api.calendar import service as calendar
from api.complaints.deadlines import add_working_days, local_date
from mobile_contract.auth import Role
from storage import audit
from tests.factories import uuid7

WHISTLEBLOWER = {"name": "张三", "phone": "13800138000", "id_number": "11010519491231002X"}


def submission(region_code: str = "360102", *, named: bool = True) -> dict:
    body = {
        "kind": "report",
        "region_code": region_code,
        "subject_name": "某某石料有限公司",
        "location": "某县某镇后山",
        "content": "夜间有挖掘机在后山越界开采，运输车辆往来频繁。",
    }
    return body | ({"whistleblower": WHISTLEBLOWER} if named else {})


@pytest.fixture
async def office(make_department, make_user):
    return await make_user(Role.COMPLAINT_OFFICER, await make_department())


async def submit(client, office, **kwargs) -> tuple[dict, str]:
    """Submit publicly; return the receipt and the complaint's id as the office finds it."""
    receipt = await client.post("/complaints/submit", json=submission(office.principal.region_code, **kwargs))
    assert receipt.status_code == 201, receipt.text
    listed = (await client.get("/complaints", headers=office.headers)).json()
    (found,) = [c for c in listed if c["reference_no"] == receipt.json()["reference_no"]]
    return receipt.json(), found["id"]


async def test_a_report_goes_from_intake_to_feedback(client, pool, office, department, inspector, make_user) -> None:
    supervisor = await make_user(Role.SUPERVISOR, department)
    receipt, id = await submit(client, office)
    async with pool.acquire() as conn:
        working = await calendar.current(conn)
    assert receipt["acceptance_due_on"] == add_working_days(working, local_date(dt.datetime.now(dt.UTC)), 7).isoformat()
    url = f"/complaints/{id}"

    steps = [
        ("decision", office, {"accept": True, "reason": "属于本机关职责范围"}),
        ("transfer", office, {"department_id": str(department.id)}),
    ]
    for name, who, body in steps:
        answer = await client.post(f"{url}/{name}", json=body, headers=who.headers)
        assert answer.status_code == 200, answer.text
    assert [c["id"] for c in (await client.get("/complaints", headers=supervisor.headers)).json()] == [id]

    task = {"task_id": str(uuid7()), "assignee_id": str(inspector.principal.user_id)}
    assert (await client.post(f"{url}/dispatch", json=task, headers=supervisor.headers)).status_code == 201
    pulled = (await client.get("/sync/pull", headers=inspector.headers)).json()["tasks"]
    (sent,) = [t for t in pulled if t["source"] == "complaint"]
    assert sent["detail"]["complaint_id"] == id and "张三" not in str(sent)

    handled = await client.post(f"{url}/result", json={"result": "经查属实，已立案查处"}, headers=supervisor.headers)
    assert handled.json()["status"] == "handled"
    answer = "经查属实，已依法立案查处，感谢您的监督。"
    closed = await client.post(f"{url}/feedback", json={"feedback": answer}, headers=office.headers)
    assert closed.json()["status"] == "closed"

    progress = (await client.post("/complaints/lookup", json={"token": receipt["token"]})).json()
    assert (progress["status"], progress["feedback"]) == ("closed", answer)
    assert [e["action"] for e in progress["events"]] == ["received", "accept", "transfer", "handle", "feedback"]


async def test_steps_out_of_order_are_refused_and_a_refusal_is_the_answer(client, office) -> None:
    receipt, id = await submit(client, office, named=False)
    early = await client.post(f"/complaints/{id}/feedback", json={"feedback": "已处理"}, headers=office.headers)
    assert (early.status_code, early.json()["code"]) == (409, "invalid-transition")
    refused = await client.post(
        f"/complaints/{id}/decision", json={"accept": False, "reason": "不属于本机关职责"}, headers=office.headers
    )
    assert refused.json()["status"] == "rejected"
    again = await client.post(
        f"/complaints/{id}/decision", json={"accept": True, "reason": "x"}, headers=office.headers
    )
    assert again.status_code == 409
    progress = (await client.post("/complaints/lookup", json={"token": receipt["token"]})).json()
    assert (progress["status"], progress["feedback"]) == ("rejected", "不属于本机关职责")
    unknown = await client.post("/complaints/lookup", json={"token": "x" * 32})
    assert unknown.status_code == 404


async def test_only_overdue_matters_are_supervised_and_the_public_does_not_see_it(client, pool, office) -> None:
    receipt, id = await submit(client, office)
    on_time = await client.post(f"/complaints/{id}/supervise", json={"note": "请尽快受理"}, headers=office.headers)
    assert (on_time.status_code, on_time.json()["code"]) == (409, "not-overdue")
    overdue_ids = [c["id"] for c in (await client.get("/complaints?overdue=true", headers=office.headers)).json()]
    assert id not in overdue_ids

    await pool.execute("UPDATE complaints SET acceptance_due_on = current_date - 1 WHERE id = $1", uuid.UUID(id))
    overdue = (await client.get("/complaints?overdue=true", headers=office.headers)).json()
    assert id in [c["id"] for c in overdue]
    pressed = await client.post(f"/complaints/{id}/supervise", json={"note": "请尽快受理"}, headers=office.headers)
    assert (pressed.json()["supervision_count"], pressed.json()["overdue"]) == (1, True)
    progress = (await client.post("/complaints/lookup", json={"token": receipt["token"]})).json()
    assert [e["action"] for e in progress["events"]] == ["received"]


async def test_identity_is_encrypted_and_only_the_office_sees_it_audited(
    client, pool, office, department, make_department, make_user
) -> None:
    _, id = await submit(client, office)
    sealed = await pool.fetchval("SELECT identity_ciphertext FROM complaints WHERE id = $1", uuid.UUID(id))
    assert b"13800138000" not in sealed and "张三".encode() not in sealed
    read = (await client.get(f"/complaints/{id}", headers=office.headers)).json()
    assert "张三" not in str(read) and read["anonymous"] is False

    seen = await client.get(f"/complaints/{id}/identity", headers=office.headers)
    assert seen.status_code == 200 and seen.json()["phone"] == "13800138000"
    async with pool.acquire() as conn:
        views = [
            e
            for e in await audit.list_for_entity(conn, entity_type="complaint", entity_id=id)
            if e.action == "complaint.identity.view"
        ]
    assert [v.actor_id for v in views] == [office.principal.user_id]

    admin = await make_user(Role.ADMIN, department)
    supervisor = await make_user(Role.SUPERVISOR, department)
    elsewhere = await make_user(Role.COMPLAINT_OFFICER, await make_department("360103"))
    for caller, status in ((admin, 403), (supervisor, 403), (elsewhere, 404)):
        assert (await client.get(f"/complaints/{id}/identity", headers=caller.headers)).status_code == status


async def test_an_anonymous_report_has_no_identity_to_show(client, office) -> None:
    _, id = await submit(client, office, named=False)
    answer = await client.get(f"/complaints/{id}/identity", headers=office.headers)
    assert (answer.status_code, answer.json()["code"]) == (404, "anonymous")
