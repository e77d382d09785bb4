import uuid

import pytest

from mobile_contract.auth import Role


async def create_user_in(client, admin, department) -> str:
    body = {
        "username": f"u-{uuid.uuid4().hex[:10]}",
        "display_name": "张三",
        "password": "a long enough secret",
        "role": "monitoring_operator",
        "department_id": str(department.id),
    }
    answer = await client.post("/users", json=body, headers=admin.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LEGAL_REVIEWER])
async def test_readers_see_an_entitys_trail_in_their_department_only(
    client, admin, make_user, make_department, department, role
) -> None:
    reader = await make_user(role, department)
    own = await create_user_in(client, admin, department)
    foreign = await create_user_in(client, admin, await make_department())

    trail = await client.get(f"/audit/entities/user/{own}", headers=reader.headers)

    assert trail.status_code == 200
    assert [(e["action"], e["actor_id"]) for e in trail.json()] == [("user.create", str(admin.principal.user_id))]
    assert (await client.get(f"/audit/entities/user/{foreign}", headers=reader.headers)).status_code == 404
    assert (await client.get(f"/audit/entities/user/{foreign}", headers=admin.headers)).status_code == 200


async def test_department_pages_hold_only_that_department_and_chain_on(client, admin, make_user, department) -> None:
    supervisor = await make_user(Role.SUPERVISOR, department)
    created = [await create_user_in(client, admin, department) for _ in range(3)]

    first = (await client.get("/audit?limit=2", headers=supervisor.headers)).json()
    rest = (await client.get(f"/audit?after_seq={first['next_after_seq']}", headers=supervisor.headers)).json()

    items = first["items"] + rest["items"]
    assert [e["entity_id"] for e in items] == created
    assert {e["department_id"] for e in items} == {str(department.id)}
    assert rest["next_after_seq"] is None
    assert [e["seq"] for e in items] == sorted(e["seq"] for e in items)


async def test_only_admins_page_through_another_department(client, admin, make_user, make_department) -> None:
    elsewhere = await make_department()
    supervisor = await make_user(Role.SUPERVISOR, await make_department())
    created = await create_user_in(client, admin, elsewhere)

    refused = await client.get(f"/audit?department_id={elsewhere.id}", headers=supervisor.headers)
    allowed = await client.get(f"/audit?department_id={elsewhere.id}", headers=admin.headers)

    assert refused.status_code == 404
    assert [e["entity_id"] for e in allowed.json()["items"]] == [created]


async def test_admin_verifies_the_chain_over_http(client, admin) -> None:
    report = (await client.get("/audit/verify", headers=admin.headers)).json()
    assert report["intact"] is True
    assert report["entries"] > 0
