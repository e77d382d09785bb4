"""Approval results pushed by the bureau start supervision once; objections get the bureau's answer."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from mobile_contract.auth import Role
from tests.api.approvals.helpers import parties, push
from tests.factories import uuid7


@pytest.fixture
async def sides(make_department, make_user):
    return await parties(make_department, make_user)


async def approval_tasks(pool, bureau_ref: str) -> list:
    return await pool.fetch(
        "SELECT id, title, due_on, assignee_id FROM tasks WHERE source = 'approval' AND detail->>'bureau_ref' = $1",
        bureau_ref,
    )


async def test_pushing_the_same_result_twice_creates_one_supervision_task(client, pool, sides) -> None:
    body = push(sides.department)
    first = await client.post("/approvals/results", json=body, headers=sides.bureau.headers)
    again = await client.post("/approvals/results", json=body, headers=sides.bureau.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and again.headers["idempotent-replay"] == "true"
    (task,) = await approval_tasks(pool, body["bureau_ref"])
    assert task["assignee_id"] == sides.supervisor.principal.user_id
    assert first.json()["supervision_task_id"] == str(task["id"]) and first.json()["verification_task_id"] is None

    listed = (await client.get("/tasks", headers=sides.supervisor.headers)).json()
    assert str(task["id"]) in [t["id"] for t in listed]

    changed = await client.post("/approvals/results", json=body | {"licence_no": "C999"}, headers=sides.bureau.headers)
    assert (changed.status_code, changed.json()["code"]) == (409, "id-conflict")


async def test_concurrent_retries_of_one_push_still_create_one_task(client, pool, sides) -> None:
    body = push(sides.department)
    answers = await asyncio.gather(
        *(client.post("/approvals/results", json=body, headers=sides.bureau.headers) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len(await approval_tasks(pool, body["bureau_ref"])) == 1


async def test_a_commitment_approval_gets_a_verification_due_by_the_set_time(client, pool, sides, make_user) -> None:
    body = push(sides.department, commitment=True)
    created = (await client.post("/approvals/results", json=body, headers=sides.bureau.headers)).json()
    assert (created["verify_by"], created["promise_status"]) == ("2027-01-01", "pending")  # 2 Nov + 60 days
    tasks = {t["id"]: t for t in await approval_tasks(pool, body["bureau_ref"])}
    assert str(tasks[uuid.UUID(created["verification_task_id"])]["due_on"]) == "2027-01-01"
    assert len(tasks) == 2

    inspector = await make_user(Role.INSPECTOR, sides.department)
    finding = {"id": str(uuid7()), "kind": "promise_breached", "summary": "现场核查发现越界开采，承诺不实"}
    url = f"/approvals/{created['id']}/findings"
    for _ in range(2):  # a retried finding is recorded and queued once
        answer = await client.post(url, json=finding, headers=inspector.headers)
        assert answer.status_code == 200, answer.text
    assert answer.json()["promise_status"] == "breached" and len(answer.json()["findings"]) == 1
    queued = await pool.fetch(
        "SELECT kind, payload FROM feedback_outbox WHERE approval_id = $1", uuid.UUID(created["id"])
    )
    assert [(q["kind"], q["payload"]["bureau_ref"]) for q in queued] == [("finding", body["bureau_ref"])]


async def test_a_promise_finding_on_an_ordinary_approval_is_refused(client, sides) -> None:
    created = (
        await client.post("/approvals/results", json=push(sides.department), headers=sides.bureau.headers)
    ).json()
    finding = {"id": str(uuid7()), "kind": "promise_kept", "summary": "承诺属实"}
    answer = await client.post(f"/approvals/{created['id']}/findings", json=finding, headers=sides.supervisor.headers)
    assert answer.status_code == 422


async def test_an_objection_is_reviewed_and_answered_by_the_bureau(
    client, pool, sides, make_department, make_user
) -> None:
    created = (
        await client.post("/approvals/results", json=push(sides.department), headers=sides.bureau.headers)
    ).json()
    objection = {"id": str(uuid7()), "grounds": "forged_material", "reason": "申请材料中的储量核实报告系伪造"}
    url = f"/approvals/{created['id']}/objections"
    assert (await client.post(url, json=objection, headers=sides.supervisor.headers)).status_code == 200

    open_ones = (await client.get("/approvals/objections", headers=sides.bureau.headers)).json()
    assert objection["id"] in [o["id"] for o in open_ones]
    answer = {"decision": "revoked", "answer": "经复核，材料系伪造，已依法撤销该许可"}
    answer_url = f"/approvals/objections/{objection['id']}/answer"
    assert (await client.post(answer_url, json=answer, headers=sides.bureau.headers)).status_code == 200
    assert (await client.post(answer_url, json=answer, headers=sides.bureau.headers)).status_code == 409

    read = (await client.get(f"/approvals/{created['id']}", headers=sides.supervisor.headers)).json()
    (recorded,) = read["objections"]
    assert (recorded["status"], recorded["review_decision"], recorded["answer"]) == (
        "answered",
        "revoked",
        answer["answer"],
    )
    kinds = await pool.fetch("SELECT kind FROM feedback_outbox WHERE approval_id = $1", uuid.UUID(created["id"]))
    assert [k["kind"] for k in kinds] == ["objection"]

    stranger = await make_user(Role.SUPERVISOR, await make_department())
    assert (await client.get(f"/approvals/{created['id']}", headers=stranger.headers)).status_code == 404


async def test_only_the_bureau_pushes_and_only_to_a_known_department(client, sides) -> None:
    body = push(sides.department)
    assert (await client.post("/approvals/results", json=body, headers=sides.supervisor.headers)).status_code == 403
    unknown = await client.post(
        "/approvals/results", json=body | {"department_code": "NO-SUCH"}, headers=sides.bureau.headers
    )
    assert unknown.status_code == 422
