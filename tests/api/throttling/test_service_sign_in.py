"""Issue 12, security 5: sign-in throttling per address and per account, lockout, lift, audit.

Before the fix, 40 wrong passwords followed by the right one were answered 200.
"""

from __future__ import annotations

import asyncio

import pytest

from api.settings import ThrottleSettings
from mobile_contract.auth import Role
from tests.api.auth.support import entries_for
from tests.api.throttling.support import assert_throttled, from_address, new_address
from tests.api.users.test_cli import enforce
from tests.conftest import TEST_PASSWORD

DEFAULTS = ThrottleSettings()
WRONG = "not the password at all"


async def attempt(client, username: str, address: str, password: str = WRONG):
    body = {"username": username, "password": password}
    return await client.post("/auth/login", json=body, headers=from_address(address))


@pytest.fixture
async def operator(make_user, department):
    return await make_user(Role.MONITORING_OPERATOR, department, device_id=None)


async def test_forty_wrong_passwords_then_the_right_one_is_refused(client, pool, operator) -> None:
    address, name = new_address(), operator.principal.username

    answers = [await attempt(client, name, address) for _ in range(40)]
    right = await attempt(client, name, address, TEST_PASSWORD)

    statuses = [a.status_code for a in answers]
    # The free failures and the one that starts the wait are checked; every later one is refused unchecked.
    assert statuses == [401] * (DEFAULTS.sign_in_address_free + 1) + [429] * (39 - DEFAULTS.sign_in_address_free)
    assert 0 < assert_throttled(right, "sign-in-throttled") <= 10
    entries = await entries_for(pool, "user", operator.principal.user_id)
    refused = [e for e in entries if e.action == "auth.sign_in_refused"]
    assert len(refused) == DEFAULTS.sign_in_address_free + 1
    assert refused[-1].detail == {
        "address": address,
        "reason": "bad-credentials",
        "sign_in_address": 11,
        "sign_in_account": 11,
        "request_id": refused[-1].detail["request_id"],
    }
    (blocked,) = await entries_for(pool, "throttle", f"sign_in_address:{address}")
    assert (blocked.action, blocked.detail["wait_s"]) == ("throttling.blocked", 5)


async def test_a_waiting_address_gets_the_same_answer_for_any_username(client, operator) -> None:
    address = new_address()
    for _ in range(DEFAULTS.sign_in_address_free + 1):
        await attempt(client, operator.principal.username, address)

    real = await attempt(client, operator.principal.username, address, TEST_PASSWORD)
    unknown = await attempt(client, "nobody-by-this-name", address)

    assert_throttled(real, "sign-in-throttled")
    assert_throttled(unknown, "sign-in-throttled")
    same = lambda body: {k: v for k, v in body.items() if k not in ("instance",)}  # noqa: E731
    assert same(real.json()) == same(unknown.json())


async def test_unknown_usernames_are_counted_and_audited_like_accounts(client, pool) -> None:
    address, name = new_address(), "guessed-name-that-does-not-exist"
    answers = [await attempt(client, name, address) for _ in range(DEFAULTS.sign_in_address_free + 2)]

    assert [a.status_code for a in answers][-2:] == [401, 429]
    entries = await entries_for(pool, "sign_in_name", name)
    assert [e.action for e in entries] == ["auth.sign_in_refused"] * (DEFAULTS.sign_in_address_free + 1)
    assert (entries[0].actor_id, entries[0].actor_role, entries[0].detail["address"]) == (None, "public", address)


async def test_a_burst_sent_at_once_is_decided_one_attempt_at_a_time(client, operator) -> None:
    address = new_address()

    answers = await asyncio.gather(*(attempt(client, operator.principal.username, address) for _ in range(30)))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401] * (DEFAULTS.sign_in_address_free + 1) + [429] * (29 - DEFAULTS.sign_in_address_free)


async def test_the_owner_signs_in_from_elsewhere_while_an_attackers_address_waits(client, operator) -> None:
    """Per-address limits come first: one attacker cannot lock the account owner out."""
    attacker, owner = new_address(), new_address()
    for _ in range(DEFAULTS.sign_in_address_free + 5):
        await attempt(client, operator.principal.username, attacker)

    assert (await attempt(client, operator.principal.username, owner, TEST_PASSWORD)).status_code == 200


async def test_many_failures_lock_the_account_an_admin_lifts_it_and_all_is_audited(
    client, pool, admin, operator
) -> None:
    name = operator.principal.username
    # A distributed attack has already made 99 failures today (arranged here: the account waits between them).
    await pool.execute(
        "INSERT INTO throttle_counters (scope, subject, events) VALUES ('sign_in_account', $1, $2)",
        name,
        DEFAULTS.account_lock_after - 1,
    )
    assert (await attempt(client, name, new_address())).status_code == 401  # the 100th

    locked = await attempt(client, name, new_address(), TEST_PASSWORD)
    waiting = await client.get("/throttling/waiting", headers=admin.headers)
    lift = await client.post(f"/throttling/accounts/{name}/lift", headers=admin.headers)
    after = await attempt(client, name, new_address(), TEST_PASSWORD)

    assert 3500 < assert_throttled(locked, "sign-in-throttled") <= DEFAULTS.account_lock_s
    (row,) = [w for w in waiting.json() if w["subject"] == name]
    assert (row["scope"], row["events"], row["locked_until"] is not None) == ("sign_in_account", 100, True)
    assert lift.status_code == 200 and lift.json()[0]["subject"] == name
    assert after.status_code == 200
    actions = [e.action for e in await entries_for(pool, "throttle", f"sign_in_account:{name}")]
    assert actions == ["throttling.locked", "throttling.lifted"]
    again = await client.post(f"/throttling/accounts/{name}/lift", headers=admin.headers)
    assert (again.status_code, again.json()["code"]) == (404, "not-throttled")


async def test_the_command_line_lifts_an_address(client, pool, settings, operator) -> None:
    address = new_address()
    for _ in range(DEFAULTS.sign_in_address_free + 1):
        await attempt(client, operator.principal.username, address)
    assert (await attempt(client, operator.principal.username, address, TEST_PASSWORD)).status_code == 429

    result = await enforce(settings, "throttling", "lift", "--address", address)

    assert result.exit_code == 0, result.output
    assert (await attempt(client, operator.principal.username, address, TEST_PASSWORD)).status_code == 200
    entries = await entries_for(pool, "throttle", f"sign_in_address:{address}")
    assert [(e.action, e.actor_role) for e in entries] == [
        ("throttling.blocked", "monitoring_operator"),
        ("throttling.lifted", "cli"),
    ]
    assert entries[-1].detail["os_user"]


async def test_only_admins_see_who_waits_and_lift(client, make_user, department) -> None:
    supervisor = await make_user(Role.SUPERVISOR, department)
    assert (await client.get("/throttling/waiting", headers=supervisor.headers)).status_code == 403
    assert (await client.post("/throttling/accounts/x/lift", headers=supervisor.headers)).status_code == 403
