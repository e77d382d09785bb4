import pytest
from argon2 import PasswordHasher

from api.auth.passwords import needs_rehash, verify_password
from api.auth.tokens import decode_access_token
from mobile_contract.auth import Role
from storage import users
from tests.api.auth.support import entries_for, register_device, sign_in
from tests.conftest import TEST_PASSWORD


async def test_inspector_signs_in_from_their_device_and_it_is_audited(client, pool, settings, inspector) -> None:
    device_id = await register_device(pool, inspector)

    answer = await sign_in(client, inspector.principal.username, device_id=device_id)

    assert answer.status_code == 200, answer.text
    pair = answer.json()
    assert pair["token_type"] == "Bearer"
    assert pair["expires_in"] == settings.auth.access_ttl_s
    claims = decode_access_token(pair["access_token"], secret=settings.auth.jwt_secret)
    assert (claims.user_id, claims.device_id) == (inspector.principal.user_id, device_id)
    me = await client.get("/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.json()["username"] == inspector.principal.username
    last = (await entries_for(pool, "user", inspector.principal.user_id))[-1]
    assert (last.action, last.device_id, last.actor_id) == ("auth.sign_in", device_id, inspector.principal.user_id)


async def test_wrong_password_and_unknown_user_get_the_same_answer(client, inspector) -> None:
    wrong = await sign_in(client, inspector.principal.username, password="not the password at all")
    unknown = await sign_in(client, "nobody-by-this-name", password="not the password at all")

    assert wrong.status_code == unknown.status_code == 401
    strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())
    assert wrong.json()["code"] == "bad-credentials"


@pytest.mark.parametrize("case", ["missing", "unregistered", "someone_elses", "revoked"])
async def test_inspector_without_their_own_live_device_is_refused(
    client, pool, make_user, department, inspector, case: str
) -> None:
    colleague = await make_user(Role.INSPECTOR, department)
    own, others = await register_device(pool, inspector), await register_device(pool, colleague)
    if case == "revoked":
        await pool.execute("UPDATE devices SET revoked_at = now() WHERE id = $1", own)
    device_id = {"missing": None, "unregistered": "IMEI-NEVER-SEEN", "someone_elses": others, "revoked": own}[case]

    answer = await sign_in(client, inspector.principal.username, device_id=device_id)

    expected = {
        "missing": "device-required",
        "unregistered": "device-not-registered",
        "someone_elses": "device-not-bound",
        "revoked": "device-revoked",
    }[case]
    assert (answer.status_code, answer.json()["code"]) == (403, expected)
    last = (await entries_for(pool, "user", inspector.principal.user_id))[-1]
    assert (last.action, last.detail["reason"]) == ("auth.sign_in_refused", expected)


async def test_other_roles_may_sign_in_without_a_device(client, make_user, department) -> None:
    supervisor = await make_user(Role.SUPERVISOR, department, device_id=None)
    answer = await sign_in(client, supervisor.principal.username)
    assert answer.status_code == 200, answer.text


async def test_a_deactivated_user_is_refused(client, pool, make_user, department) -> None:
    reviewer = await make_user(Role.LEGAL_REVIEWER, department, device_id=None)
    await pool.execute("UPDATE users SET active = false WHERE id = $1", reviewer.principal.user_id)

    answer = await sign_in(client, reviewer.principal.username)

    assert (answer.status_code, answer.json()["code"]) == (403, "account-deactivated")


async def test_a_hash_made_with_older_parameters_is_upgraded_at_sign_in(client, pool, make_user, department) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department, device_id=None)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(TEST_PASSWORD)
    await pool.execute("UPDATE users SET password_hash = $2 WHERE id = $1", operator.principal.user_id, weak)

    assert (await sign_in(client, operator.principal.username)).status_code == 200

    async with pool.acquire() as conn:
        stored = (await users.get_user(conn, id=operator.principal.user_id))["password_hash"]
    assert stored != weak
    assert not needs_rehash(stored)
    assert verify_password(stored, TEST_PASSWORD)
    last = (await entries_for(pool, "user", operator.principal.user_id))[-1]
    assert last.detail["rehashed"] is True
