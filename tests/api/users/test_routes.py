import uuid

import pytest

from api.audit.trail import state_hash
from mobile_contract.auth import Role
from storage import users
from tests.api.auth.support import entries_for, sign_in


def new_user(department_id, role: str = "inspector", **extra) -> dict:
    body = {
        "username": f"u-{uuid.uuid4().hex[:10]}",
        "display_name": "李执法",
        "password": "a long enough secret",
        "role": role,
        "department_id": str(department_id),
    }
    return body | ({"certificate_no": f"JX{uuid.uuid4().hex[:8]}"} if role == "inspector" else {}) | extra


async def row_of(pool, user_id):
    async with pool.acquire() as conn:
        return await users.get_user(conn, id=uuid.UUID(str(user_id)))


async def test_admin_creates_a_user_and_the_audit_holds_the_rows_hash(client, pool, admin, department) -> None:
    answer = await client.post("/users", json=new_user(department.id), headers=admin.headers)

    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["region_code"] == department.region_code
    assert "password" not in str(created)
    (entry,) = await entries_for(pool, "user", created["id"])
    assert (entry.action, entry.actor_id, entry.department_id) == (
        "user.create",
        admin.principal.user_id,
        department.id,
    )
    assert entry.before_hash is None
    assert entry.after_hash == state_hash(await row_of(pool, created["id"]))
    assert (await sign_in(client, created["username"], password="a long enough secret")).json()["code"] == (
        "device-required"
    )


async def test_an_inspector_needs_a_certificate_number(client, admin, department) -> None:
    body = new_user(department.id, role="supervisor") | {"role": "inspector"}
    answer = await client.post("/users", json=body, headers=admin.headers)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["certificate_no"]


async def test_usernames_and_certificates_are_unique(client, admin, department) -> None:
    first = new_user(department.id)
    assert (await client.post("/users", json=first, headers=admin.headers)).status_code == 201
    same_name = await client.post(
        "/users", json=new_user(department.id, username=first["username"]), headers=admin.headers
    )
    same_cert = await client.post(
        "/users", json=new_user(department.id, certificate_no=first["certificate_no"]), headers=admin.headers
    )
    assert (same_name.status_code, same_name.json()["code"]) == (409, "username-taken")
    assert (same_cert.status_code, same_cert.json()["code"]) == (409, "certificate-taken")


async def test_unknown_department_is_a_field_error(client, admin) -> None:
    answer = await client.post("/users", json=new_user(uuid.uuid4()), headers=admin.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "department_id"


async def test_deactivation_ends_sign_ins_and_is_audited_with_both_hashes(
    client, pool, admin, make_user, department
) -> None:
    reviewer = await make_user(Role.LEGAL_REVIEWER, department, device_id=None)
    pair = (await sign_in(client, reviewer.principal.username)).json()
    before = await row_of(pool, reviewer.principal.user_id)

    answer = await client.patch(f"/users/{reviewer.principal.user_id}", json={"active": False}, headers=admin.headers)

    assert answer.json()["active"] is False
    refreshed = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 401
    entry = (await entries_for(pool, "user", reviewer.principal.user_id))[-1]
    assert entry.action == "user.update"
    assert (entry.before_hash, entry.after_hash) == (
        state_hash(before),
        state_hash(await row_of(pool, reviewer.principal.user_id)),
    )
    assert entry.detail["sign_ins_ended"] == 1


async def test_a_password_change_is_audited_without_the_secret(client, pool, admin, make_user, department) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department, device_id=None)
    path = f"/users/{operator.principal.user_id}"
    before = dict(await row_of(pool, operator.principal.user_id))

    answer = await client.patch(path, json={"password": "a brand new passphrase"}, headers=admin.headers)

    assert answer.status_code == 200
    entry = (await entries_for(pool, "user", operator.principal.user_id))[-1]
    assert entry.detail["changed"] == ["password_hash"]
    # The hash leaves the password hash out: only the token version, raised by the change, differs.
    assert entry.after_hash == state_hash(before | {"token_version": before["token_version"] + 1})
    assert (await sign_in(client, operator.principal.username)).status_code == 401
    assert (await sign_in(client, operator.principal.username, password="a brand new passphrase")).status_code == 200


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.INSPECTOR, "POST", "/users"),
        (Role.SUPERVISOR, "POST", "/users"),
        (Role.LEGAL_REVIEWER, "GET", "/users"),
        (Role.MONITORING_OPERATOR, "GET", "/devices"),
        (Role.SUPERVISOR, "POST", "/devices"),
        (Role.SUPERVISOR, "GET", "/departments"),
        (Role.INSPECTOR, "GET", "/audit"),
        (Role.SUPERVISOR, "GET", "/audit/verify"),
    ],
)
async def test_roles_without_the_right_are_refused(client, make_user, department, role, method, path) -> None:
    caller = await make_user(role, department)
    answer = await client.request(method, path, headers=caller.headers, json={} if method == "POST" else None)
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")


async def test_a_supervisor_sees_only_their_department(client, make_user, make_department, department) -> None:
    supervisor = await make_user(Role.SUPERVISOR, department)
    colleague = await make_user(Role.INSPECTOR, department)
    elsewhere = await make_department()
    stranger = await make_user(Role.INSPECTOR, elsewhere)

    listed = await client.get("/users", headers=supervisor.headers)
    assert {u["id"] for u in listed.json()} == {str(supervisor.principal.user_id), str(colleague.principal.user_id)}
    own = await client.get(f"/users/{colleague.principal.user_id}", headers=supervisor.headers)
    assert own.status_code == 200
    assert (await client.get(f"/users/{stranger.principal.user_id}", headers=supervisor.headers)).status_code == 404
    assert (await client.get(f"/users?department_id={elsewhere.id}", headers=supervisor.headers)).status_code == 404


@pytest.mark.parametrize("role", list(Role))
async def test_everyone_reads_their_own_account(client, make_user, department, role) -> None:
    caller = await make_user(role, department)
    answer = await client.get("/users/me", headers=caller.headers)
    assert (answer.status_code, answer.json()["role"]) == (200, role.value)


async def test_a_name_with_a_nul_character_is_refused_not_a_500(client, admin) -> None:
    """Found by the contract fuzzing: PostgreSQL text cannot hold U+0000."""
    body = {"code": f"JX-{uuid.uuid4().hex[:6]}", "name": "南昌\u0000市", "region_code": "360100"}
    answer = await client.post("/departments", json=body, headers=admin.headers)
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid-input"), answer.text
    assert "空字符" in answer.json()["detail"]


async def test_admin_manages_departments(client, pool, admin) -> None:
    code = f"JX-{uuid.uuid4().hex[:6]}"
    created = await client.post(
        "/departments", json={"code": code, "name": "南昌市自然资源局", "region_code": "360100"}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    dept_id = created.json()["id"]
    renamed = await client.patch(f"/departments/{dept_id}", json={"name": "南昌市执法支队"}, headers=admin.headers)
    assert renamed.json()["name"] == "南昌市执法支队"
    assert code in [d["code"] for d in (await client.get("/departments", headers=admin.headers)).json()]
    taken = await client.post(
        "/departments", json={"code": code, "name": "重复", "region_code": "360100"}, headers=admin.headers
    )
    assert taken.status_code == 409
    assert [e.action for e in await entries_for(pool, "department", dept_id)] == [
        "department.create",
        "department.update",
    ]
