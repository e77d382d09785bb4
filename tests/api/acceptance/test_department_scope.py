"""Acceptance: an inspector (or any non-admin) of department A gets 403/404 on every route for B's data.

The walk reads every route from the app. For a route with a path parameter it calls, as a user of
department A holding a role the route's guard admits, with department B's object in the path and a
valid body, and expects 403 or 404 (never 422: that would mean the scope check was not reached).
For a list route it checks that none of B's ids appear in A's answer. A new route fails this test
until it is added to BODIES (and its path parameter to the ids below), so nothing escapes the walk.
Administrators are cross-department by design and are not walked.
"""

from __future__ import annotations

import re

import pytest

from mobile_contract.auth import Role
from tests.api.cases.support import pinned_today  # noqa: F401 - autouse: B's notice states working-day periods
from tests.api.world import BODIES, LIST_QUERIES, World, build_world, fill, ids_for, walked_routes

ADMIN_ONLY = {
    "PATCH /departments/{department_id:uuid}",
    "PATCH /users/{user_id:uuid}",
    "PUT /devices/{device_id:str}/binding",
    "POST /devices/{device_id:str}/revoke",
    "POST /throttling/accounts/{username:str}/lift",
    "POST /throttling/addresses/{address:str}/lift",
    "GET /calendar/versions/{version:int}",  # the working calendar is national, not a department's
}
# Public by law (一公开, 行政执法公示, the complaint channel): reviewed, so a new public route fails this test.
PUBLIC = {
    "GET /public/decisions/{publication_id:uuid}",
    "GET /public/decisions/{publication_id:uuid}/images/{n:int}",  # published photos, faces and plates blurred
    "GET /draws/{draw_id:uuid}/published",
    "GET /draws/{draw_id:uuid}/results",
    "GET /verify/{code:str}",  # 文书核验: number, organ, date and the PDF's hash, no personal data
    "POST /verify/{code:str}",
    "GET /shared/{token:str}",  # 案卷共享: the recipient's link; the token is the key, every use audited
    "GET /shared/{token:str}/package",
}


@pytest.fixture
async def world(client, make_department, make_user, put_evidence) -> World:
    return await build_world(client, make_department, make_user, put_evidence)


async def test_department_a_gets_403_or_404_for_b_data_on_every_route(client, app, world: World) -> None:
    walked, unreachable, public = [], [], set()
    for method, path, roles in walked_routes(app):
        if "{" not in path:
            continue
        if not roles:
            public.add(f"{method} {path}")
            continue
        non_admin = sorted(roles - {Role.ADMIN})
        if not non_admin:
            unreachable.append(f"{method} {path}")  # admin only: cross-department by design
            continue
        make_body = BODIES.get((method, path), lambda w, i: None) if method == "GET" else BODIES[(method, path)]
        target = next(iter(re.findall(r"\{(\w+):", path)))
        body = make_body(world, ids_for(path, world.b_ids)[target])
        caller = world.a[non_admin[0]]
        answer = await client.request(method, fill(path, world.b_ids), json=body, headers=caller.headers)
        assert answer.status_code in (403, 404), (
            f"{method} {path} as {non_admin[0]}: {answer.status_code} {answer.text[:300]}"
        )
        walked.append(f"{method} {path}")
    print(f"walked {len(walked)} routes as department A; admin-only {len(unreachable)}; public {len(public)}")
    assert len(walked) >= 15, walked
    assert set(unreachable) <= ADMIN_ONLY
    assert public == PUBLIC, "a route with a path parameter became public: review it and add it to PUBLIC"


async def test_list_routes_never_show_department_b_ids(client, app, world: World) -> None:
    for method, path, roles in walked_routes(app):
        if method != "GET" or "{" in path or not (roles - {Role.ADMIN}):
            continue
        for role in sorted(roles - {Role.ADMIN}):
            answer = await client.get(path, params=LIST_QUERIES.get(path, {}), headers=world.a[role].headers)
            assert answer.status_code == 200, f"{path} as {role}: {answer.text[:200]}"
            leaked = [k for k, v in world.b_ids.items() if len(v) > 8 and v in answer.text]
            assert not leaked, f"GET {path} as {role} shows department B's {leaked}"
