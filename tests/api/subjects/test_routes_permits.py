"""Mining permits: geographic boundaries, validity by day for the monitoring centre, versioned changes."""

import uuid

import pytest

from mobile_contract.auth import Role
from tests.api.subjects.factories import company, permit


@pytest.fixture
async def supervisor(make_user, department):
    return await make_user(Role.SUPERVISOR, department)


@pytest.fixture
async def subject_id(client, supervisor) -> str:
    return (await client.post("/subjects", json=company(), headers=supervisor.headers)).json()["id"]


def permit_no() -> str:
    return f"C3600002025{uuid.uuid4().hex[:8]}"


async def test_valid_on_lists_only_permits_in_force(client, make_user, department, supervisor, subject_id) -> None:
    current = permit(subject_id, permit_no())
    expired = permit(subject_id, permit_no(), valid_from="2020-01-01", valid_to="2024-12-31")
    suspended = permit(subject_id, permit_no())
    created = {}
    for body in (current, expired, suspended):
        answer = await client.post("/permits", json=body, headers=supervisor.headers)
        assert answer.status_code == 201, answer.text
        created[body["permit_no"]] = answer.json()
    change = {k: v for k, v in suspended.items() if k not in ("permit_no", "subject_id")}
    answer = await client.put(
        f"/permits/{created[suspended['permit_no']]['id']}",
        json=change | {"base_version": 1, "status": "suspended"},
        headers=supervisor.headers,
    )
    assert answer.status_code == 200 and answer.json()["version"] == 2
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    in_force = await client.get("/permits", params={"valid_on": "2026-06-01"}, headers=operator.headers)
    assert [p["permit_no"] for p in in_force.json()] == [current["permit_no"]]
    assert in_force.json()[0]["boundary"] == current["boundary"]
    everything = await client.get("/permits", headers=operator.headers)
    assert len(everything.json()) == 3
    last_day = await client.get("/permits", params={"valid_on": "2027-12-31"}, headers=operator.headers)
    assert [p["permit_no"] for p in last_day.json()] == [current["permit_no"]]


async def test_a_vision_node_cannot_read_the_permit_register(client, make_user, department, subject_id) -> None:
    """Issue 12, security 11: a node reads its site configs and delivers alerts; permit holders are not for it."""
    node = await make_user(Role.VISION_NODE, department, device_id=None)
    for path in ("/permits", "/permits?valid_on=2026-06-01", f"/subjects/{subject_id}", "/subjects"):
        answer = await client.get(path, headers=node.headers)
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden"), path


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ([[115.0, 28.0], [115.1, 28.1], [115.1, 28.0], [115.0, 28.1]], "自相交"),
        ([[115.0, 28.0], [115.1, 28.0], [115.2, 28.0]], "面积为零"),
        ([[115.0, 28.0], [115.1, 28.0], [115.1, 28.1], [115.0, 28.0]], "重复"),
        ([[215.0, 28.0], [115.1, 28.0], [115.1, 28.1]], "boundary"),
    ],
)
async def test_unusable_boundaries_are_refused(client, supervisor, subject_id, boundary, message) -> None:
    answer = await client.post(
        "/permits", json=permit(subject_id, permit_no(), boundary=boundary), headers=supervisor.headers
    )
    assert answer.status_code == 422
    assert message in answer.text


async def test_permit_number_is_unique_and_edits_need_the_current_version(client, supervisor, subject_id) -> None:
    body = permit(subject_id, permit_no())
    created = (await client.post("/permits", json=body, headers=supervisor.headers)).json()
    duplicate = await client.post("/permits", json=body, headers=supervisor.headers)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "permit-exists"
    change = {k: v for k, v in body.items() if k not in ("permit_no", "subject_id")} | {"status": "valid"}
    path = f"/permits/{created['id']}"
    assert (
        await client.put(path, json=change | {"base_version": 1, "valid_to": "2030-12-31"}, headers=supervisor.headers)
    ).status_code == 200
    stale = await client.put(path, json=change | {"base_version": 1}, headers=supervisor.headers)
    assert stale.status_code == 409 and stale.json()["code"] == "stale-version"


async def test_other_departments_see_no_permit(client, make_user, make_department, supervisor, subject_id) -> None:
    created = (await client.post("/permits", json=permit(subject_id, permit_no()), headers=supervisor.headers)).json()
    other = await make_user(Role.SUPERVISOR, await make_department())
    assert (await client.get(f"/permits/{created['id']}", headers=other.headers)).status_code == 404
    assert (await client.get("/permits", headers=other.headers)).json() == []
    refused = await client.post("/permits", json=permit(subject_id, permit_no()), headers=other.headers)
    assert refused.status_code == 404, "the subject is not in the other department's register"
