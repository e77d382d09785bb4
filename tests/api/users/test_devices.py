import uuid

from mobile_contract.auth import Role
from tests.api.auth.support import entries_for, sign_in


async def register(client, admin, inspector, **extra):
    body = {"id": f"IMEI-{uuid.uuid4().hex[:12]}", "user_id": str(inspector.principal.user_id), "label": "华为 P60"}
    return await client.post("/devices", json=body | extra, headers=admin.headers)


async def test_a_registered_device_lets_its_inspector_sign_in(client, pool, admin, inspector) -> None:
    answer = await register(client, admin, inspector)

    assert answer.status_code == 201, answer.text
    device = answer.json()
    assert device["department_id"] == str(inspector.principal.department_id)
    assert (await sign_in(client, inspector.principal.username, device_id=device["id"])).status_code == 200
    (entry,) = await entries_for(pool, "device", device["id"])
    assert (entry.action, entry.before_hash) == ("device.register", None)
    assert entry.after_hash is not None


async def test_devices_bind_only_to_inspectors(client, admin, make_user, department) -> None:
    reviewer = await make_user(Role.LEGAL_REVIEWER, department)
    answer = await register(client, admin, reviewer)
    assert (answer.status_code, answer.json()["code"]) == (422, "not-an-inspector")


async def test_a_device_id_is_registered_once(client, admin, inspector) -> None:
    first = (await register(client, admin, inspector)).json()
    again = await register(client, admin, inspector, id=first["id"])
    assert (again.status_code, again.json()["code"]) == (409, "device-registered")


async def test_rebinding_moves_the_device_and_ends_the_old_holders_sign_in(
    client, pool, admin, make_user, make_department, inspector
) -> None:
    device_id = (await register(client, admin, inspector)).json()["id"]
    pair = (await sign_in(client, inspector.principal.username, device_id=device_id)).json()
    successor = await make_user(Role.INSPECTOR, await make_department())

    answer = await client.put(
        f"/devices/{device_id}/binding", json={"user_id": str(successor.principal.user_id)}, headers=admin.headers
    )

    assert answer.json()["department_id"] == str(successor.principal.department_id)
    assert (await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).status_code == 401
    old = await sign_in(client, inspector.principal.username, device_id=device_id)
    assert old.json()["code"] == "device-not-bound"
    assert (await sign_in(client, successor.principal.username, device_id=device_id)).status_code == 200
    entry = (await entries_for(pool, "device", device_id))[-1]
    assert entry.action == "device.bind"
    assert entry.before_hash != entry.after_hash
    assert entry.detail["sign_ins_ended"] == 1


async def test_revoking_a_device_stops_it_for_good(client, pool, admin, inspector) -> None:
    device_id = (await register(client, admin, inspector)).json()["id"]
    pair = (await sign_in(client, inspector.principal.username, device_id=device_id)).json()

    answer = await client.post(f"/devices/{device_id}/revoke", headers=admin.headers)

    assert answer.json()["revoked_at"] is not None
    assert (await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).status_code == 401
    assert (await sign_in(client, inspector.principal.username, device_id=device_id)).json()["code"] == "device-revoked"
    rebind = await client.put(
        f"/devices/{device_id}/binding", json={"user_id": str(inspector.principal.user_id)}, headers=admin.headers
    )
    assert (rebind.status_code, rebind.json()["code"]) == (409, "device-revoked")
    await client.post(f"/devices/{device_id}/revoke", headers=admin.headers)
    assert [e.action for e in await entries_for(pool, "device", device_id)] == ["device.register", "device.revoke"]


async def test_a_supervisor_lists_only_their_departments_devices(
    client, admin, make_user, make_department, department, inspector
) -> None:
    supervisor = await make_user(Role.SUPERVISOR, department)
    own = (await register(client, admin, inspector)).json()["id"]
    await register(client, admin, await make_user(Role.INSPECTOR, await make_department()))

    listed = await client.get("/devices", headers=supervisor.headers)

    assert [d["id"] for d in listed.json()] == [own]


async def test_unknown_device_is_not_found(client, admin) -> None:
    answer = await client.post("/devices/IMEI-NOPE/revoke", headers=admin.headers)
    assert answer.status_code == 404
