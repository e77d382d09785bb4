import hashlib

from api.auth.tokens import decode_access_token
from mobile_contract.auth import Role
from tests.api.auth.support import entries_for, register_device, sign_in


async def signed_in_pair(client, pool, inspector) -> tuple[dict, str]:
    device_id = await register_device(pool, inspector)
    answer = await sign_in(client, inspector.principal.username, device_id=device_id)
    assert answer.status_code == 200, answer.text
    return answer.json(), device_id


async def refresh(client, token: str):
    return await client.post("/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates_the_token_and_keeps_the_device(client, pool, settings, inspector) -> None:
    first, device_id = await signed_in_pair(client, pool, inspector)

    answer = await refresh(client, first["refresh_token"])

    assert answer.status_code == 200, answer.text
    second = answer.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert decode_access_token(second["access_token"], secret=settings.auth.jwt_secret).device_id == device_id
    assert (await refresh(client, second["refresh_token"])).status_code == 200


async def test_only_the_hash_of_a_refresh_token_is_stored(client, pool, inspector) -> None:
    pair, _ = await signed_in_pair(client, pool, inspector)
    rows = await pool.fetch("SELECT * FROM refresh_tokens WHERE user_id = $1", inspector.principal.user_id)
    assert [r["token_hash"] for r in rows] == [hashlib.sha256(pair["refresh_token"].encode()).hexdigest()]
    assert all(pair["refresh_token"] not in str(value) for row in rows for value in row.values())


async def test_a_rotated_token_presented_again_revokes_the_whole_sign_in(client, pool, inspector) -> None:
    first, _ = await signed_in_pair(client, pool, inspector)
    second = (await refresh(client, first["refresh_token"])).json()

    replay = await refresh(client, first["refresh_token"])

    assert (replay.status_code, replay.json()["code"]) == (401, "refresh-reused")
    after = await refresh(client, second["refresh_token"])
    assert (after.status_code, after.json()["code"]) == (401, "refresh-invalid")
    last = (await entries_for(pool, "user", inspector.principal.user_id))[-1]
    assert (last.action, last.detail["revoked"]) == ("auth.refresh_reuse", 1)


async def test_reuse_ends_only_that_sign_in(client, pool, inspector) -> None:
    first, device_id = await signed_in_pair(client, pool, inspector)
    other = (await sign_in(client, inspector.principal.username, device_id=device_id)).json()
    await refresh(client, first["refresh_token"])

    await refresh(client, first["refresh_token"])

    assert (await refresh(client, other["refresh_token"])).status_code == 200


async def test_logout_revokes_the_sign_in_and_is_audited(client, pool, inspector) -> None:
    pair, _ = await signed_in_pair(client, pool, inspector)

    answer = await client.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})

    assert answer.status_code == 204
    assert (await refresh(client, pair["refresh_token"])).json()["code"] == "refresh-invalid"
    last = (await entries_for(pool, "user", inspector.principal.user_id))[-1]
    assert last.action == "auth.sign_out"
    again = await client.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 204
    assert (await entries_for(pool, "user", inspector.principal.user_id))[-1].seq == last.seq


async def test_an_expired_refresh_token_is_refused(client, pool, inspector) -> None:
    pair, _ = await signed_in_pair(client, pool, inspector)
    await pool.execute(
        "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
        inspector.principal.user_id,
    )
    assert (await refresh(client, pair["refresh_token"])).status_code == 401


async def test_refresh_carries_the_current_role_and_refuses_a_deactivated_user(
    client, pool, settings, make_user, department
) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department, device_id=None)
    pair = (await sign_in(client, operator.principal.username)).json()
    await pool.execute("UPDATE users SET role = 'supervisor' WHERE id = $1", operator.principal.user_id)

    promoted = (await refresh(client, pair["refresh_token"])).json()

    assert decode_access_token(promoted["access_token"], secret=settings.auth.jwt_secret).role is Role.SUPERVISOR
    await pool.execute("UPDATE users SET active = false WHERE id = $1", operator.principal.user_id)
    assert (await refresh(client, promoted["refresh_token"])).status_code == 401


async def test_garbage_refresh_token_is_refused(client) -> None:
    answer = await refresh(client, "not-a-token")
    assert (answer.status_code, answer.json()["code"]) == (401, "refresh-invalid")
