"""Issue 12, security 5 and 6: the public complaint entrances are throttled per address, and floods are visible.

Before the fix, 40 submissions in a row were all accepted (each starting a 7-working-day
deadline), and lookups with wrong tokens were never slowed down.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.settings import ThrottleSettings
from mobile_contract.auth import Role
from tests.api.auth.support import entries_for
from tests.api.complaints.test_routes import submission
from tests.api.throttling.support import assert_throttled, from_address, new_address

DEFAULTS = ThrottleSettings()


async def submit(client, address: str):
    return await client.post("/complaints/submit", json=submission(named=False), headers=from_address(address))


async def test_forty_submissions_from_one_address_are_limited_and_the_flood_is_visible(
    client, pool, make_user, department
) -> None:
    address, supervisor = new_address(), await make_user(Role.SUPERVISOR, department)
    before = await pool.fetchval("SELECT count(*) FROM complaints")

    answers = [await submit(client, address) for _ in range(40)]

    limit = DEFAULTS.complaint_submits
    assert [a.status_code for a in answers] == [201] * limit + [429] * (40 - limit)
    assert await pool.fetchval("SELECT count(*) FROM complaints") - before == limit
    assert 0 < assert_throttled(answers[-1], "submissions-throttled") <= DEFAULTS.complaint_window_s
    assert "12336" in answers[-1].json()["detail"]
    (blocked,) = await entries_for(pool, "throttle", f"submit_address:{address}")
    assert (blocked.action, blocked.actor_role, blocked.detail["address"]) == ("throttling.blocked", "public", address)
    seen = await client.get("/throttling/refusals", params={"scope": "submit_address"}, headers=supervisor.headers)
    assert seen.status_code == 200
    assert sum(r["refused"] for r in seen.json() if r["address"] == address) == 40 - limit
    (read,) = [e for e in await entries_for(pool, "throttle_refusals", "submit_address")
               if e.actor_id == supervisor.principal.user_id]  # fmt: skip
    assert read.action == "throttling.refusals_read"


async def test_another_address_still_submits_and_a_new_window_opens_the_first_again(client, pool) -> None:
    flooder = new_address()
    for _ in range(DEFAULTS.complaint_submits + 1):
        await submit(client, flooder)

    assert (await submit(client, new_address())).status_code == 201
    await pool.execute(  # an hour on: the window that made it wait is over
        "UPDATE throttle_counters SET window_started_at = window_started_at - interval '1 hour',"
        " wait_until = wait_until - interval '1 hour' WHERE scope = 'submit_address' AND subject = $1",
        flooder,
    )
    assert (await submit(client, flooder)).status_code == 201


async def test_wrong_lookup_tokens_back_off_per_address_then_even_the_right_one_waits(client, pool) -> None:
    address = new_address()
    token = (await submit(client, address)).json()["token"]
    lookup = lambda t: client.post("/complaints/lookup", json={"token": t}, headers=from_address(address))  # noqa: E731

    wrong = [await lookup(f"guess-{n}-abcdefghijklmnopqrstuvwxyz") for n in range(40)]
    right = await lookup(token)

    free = DEFAULTS.lookup_address_free
    assert [a.status_code for a in wrong] == [404] * (free + 1) + [429] * (39 - free)
    assert_throttled(right, "lookups-throttled")
    assert (
        await client.post("/complaints/lookup", json={"token": token}, headers=from_address(new_address()))
    ).status_code == 200
    (blocked,) = await entries_for(pool, "throttle", f"lookup_address:{address}")
    assert blocked.action == "throttling.blocked"


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MONITORING_OPERATOR, Role.VISION_NODE, Role.LEGAL_REVIEWER])
async def test_refusals_are_for_supervisors_the_complaint_office_and_admins(
    client, make_user, department, role
) -> None:
    caller = await make_user(role, department)
    assert (await client.get("/throttling/refusals", headers=caller.headers)).status_code == 403


async def test_refusals_are_listed_by_address_and_minute_within_the_asked_time(client, make_user, department) -> None:
    office, address = await make_user(Role.COMPLAINT_OFFICER, department), new_address()
    for _ in range(DEFAULTS.complaint_submits + 3):
        await submit(client, address)
    now = dt.datetime.now(dt.UTC)

    recent = await client.get("/throttling/refusals", headers=office.headers)
    old = await client.get(
        "/throttling/refusals", params={"until": (now - dt.timedelta(hours=1)).isoformat()}, headers=office.headers
    )

    mine = [r for r in recent.json() if r["address"] == address]
    assert {r["scope"] for r in mine} == {"submit_address"}
    assert sum(r["refused"] for r in mine) == 3  # one row per minute: one, or two if a minute ended meanwhile
    assert not [r for r in old.json() if r["address"] == address]
