"""Acceptance of issue 12: the outside security examination, re-run on every gate.

1. **Every route with every role of two departments.** The routes come from the app itself, so a
   new route is walked without anyone adding it. Department B owns a small world with one object
   of each kind (``tests/api/world.py``); every role of B and every role of A calls every route,
   with B's objects in the path and a valid body. The rule each answer is held to:
   - never a 5xx;
   - a role the route's guard does not name gets 403;
   - a non-admin of department A never reads or changes B's object (403/404) and never sees one
     of B's ids in a list;
   - and, so that those refusals mean something, every read of an object is answered 2xx to at
     least one role of B;
   - every refusal's ``detail`` names things as people know them (``tests/api/problem_text.py``).
   Reads go first, then A's writes, then B's own (which may change the world). The gate's walk
   leaves out calls the guard is known to answer alike (B's roles a route does not admit: A's
   same roles are refused there); the ``slow`` variant makes every call.
2. **Forged tokens** — wrong signature, ``alg: none``, expired, unknown role, missing or malformed
   claims (``tests/api/auth/forgeries.py``) — get 401 on every protected route (a console page
   sends the browser to its sign-in page instead).
3. **Flooding**, sent all at once as an attacker's script would: sign-in, complaint intake and
   complaint lookup are throttled.

The data and infrastructure examinations have their own regression tests (duplicate ids in one
push: tests/api/sync; CSV injection: tests/api/test_csv_export.py and the exports; the embedded
filer: tests/storage; alert streams: tests/api/alerts).
"""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import msgspec
import pytest
from litestar import Litestar

from api.console.page import SIGN_IN_PATH
from mobile_contract.auth import Role
from tests.api.auth.forgeries import forgeries
from tests.api.cases.support import pinned_today  # noqa: F401 - autouse: B's notice states working-day periods
from tests.api.complaints.test_routes import submission
from tests.api.problem_text import unreadable
from tests.api.throttling.support import from_address, new_address
from tests.api.world import BODIES, LIST_QUERIES, World, build_world, fill, walked_routes
from tests.conftest import TEST_PASSWORD, Caller

STREAMS = {"/alerts/stream"}  # never ends when allowed: walked only by the roles it refuses
Route = tuple[str, str, frozenset[Role]]


class Call(msgspec.Struct, frozen=True):
    method: str
    path: str
    roles: frozenset[Role]
    side: str  # "A" (another department) or "B" (the owner)
    role: Role

    @property
    def name(self) -> str:
        return f"{self.method} {self.path} as {self.side}'s {self.role.value}"


@pytest.fixture
async def world(client, make_department, make_user, put_evidence) -> World:
    return await build_world(client, make_department, make_user, put_evidence)


def phases(app: Litestar) -> list[list[Route]]:
    """Reads, then writes (A's, then B's own: they may change the world)."""
    routes = walked_routes(app) + [(m, p, r) for m, p, r in _streams(app)]
    reads = [r for r in routes if r[0] == "GET"]
    writes = [r for r in routes if r[0] != "GET"]
    return [reads, writes]


def _streams(app: Litestar) -> list[Route]:
    found = []
    for route in app.routes:
        if route.path in STREAMS:
            for handler in route.route_handlers:  # type: ignore[attr-defined]
                roles = frozenset(r for g in handler.resolve_guards() for r in getattr(g, "roles", ()))
                found += [(m, route.path, roles) for m in sorted(handler.http_methods - {"OPTIONS", "HEAD"})]
    return found


async def send(client, world: World, call: Call, caller: Caller) -> httpx.Response:
    body = BODIES.get((call.method, call.path), lambda w, i: {})
    target = next(iter(re.findall(r"\{(\w+):", call.path)), None)
    content = body(world, world.b_ids.get(target or "", "")) if call.method != "GET" else None
    query = LIST_QUERIES.get(call.path, {}) if call.method == "GET" else {}
    path = fill(call.path, world.b_ids)
    return await client.request(
        call.method, path, json=content, params=query, headers=caller.headers, follow_redirects=False
    )


def judged(call: Call, answer: httpx.Response, world: World) -> list[str]:
    """What is wrong with ``answer`` under the route's rule (empty: nothing)."""
    seen = f"{call.name}: {answer.status_code} {answer.text[:200]}"
    if answer.status_code >= 500:
        return [f"server error — {seen}"]
    if call.roles and call.role not in call.roles:
        return [] if answer.status_code == 403 else [f"a role the guard does not name was let in — {seen}"]
    if not call.roles or call.side == "B" or call.role is Role.ADMIN:
        return []
    if "{" in call.path:
        return [] if answer.status_code in (403, 404) else [f"department A reached B's object — {seen}"]
    if call.method != "GET":
        return []  # creating something of one's own: any answer but a server error
    leaked = [key for key, value in world.b_ids.items() if len(value) > 8 and value in answer.text]
    problems = [f"department A sees B's {leaked} — {seen}"] if leaked else []
    return problems + ([] if answer.status_code == 200 else [f"a list refused a role it admits — {seen}"])


def worded(call: Call, answer: httpx.Response) -> list[str]:
    """A refusal names things as people know them: no UUID, no internal key in its ``detail``."""
    if not answer.headers.get("content-type", "").startswith("application/problem+json"):
        return []
    return [f"{call.name}: {wrong}" for wrong in unreadable(answer.json())]


def callers_for(side: str, callers: dict[Role, Caller], roles: frozenset[Role], *, full: bool) -> dict[Role, Caller]:
    """Who calls a route. In full, everyone. Otherwise A's every role (B's objects are foreign to all of
    them) and only B's roles the route admits (the guard refuses B's others just as it refuses A's);
    a public route is called once per department."""
    if full or (side == "A" and roles):
        return callers
    if not roles:
        return dict(list(callers.items())[:1])
    return {role: caller for role, caller in callers.items() if role in roles}


async def walk(client, app: Litestar, world: World, *, full: bool) -> tuple[list[str], set[str], int]:
    """Every route as A and B; (violations, object reads B was never answered 2xx, calls made)."""
    violations, unanswered, calls = [], set(), 0
    for routes in phases(app):
        for side, everyone in (("A", world.a), ("B", world.b)):
            for method, path, roles in routes:
                answered = False
                for role, caller in callers_for(side, everyone, roles, full=full).items():
                    if path in STREAMS and role in roles:
                        continue
                    call = Call(method, path, roles, side, role)
                    answer = await send(client, world, call, caller)
                    calls += 1
                    violations += judged(call, answer, world) + worded(call, answer)
                    answered |= 200 <= answer.status_code < 400  # a console page may redirect to the evidence
                if side == "B" and method == "GET" and "{" in path and roles and not answered:
                    unanswered.add(f"{method} {path}")
    return violations, unanswered, calls


async def examined(client, app: Litestar, world: World, *, full: bool) -> int:
    started, cpu = time.monotonic(), time.process_time()
    violations, unanswered, calls = await walk(client, app, world, full=full)
    print(
        f"examination: {calls} calls in {time.monotonic() - started:.1f} s, {time.process_time() - cpu:.1f} s CPU here"
    )
    assert not violations, "\n".join(violations)
    assert not unanswered, f"no role of B could read these objects, so A's refusals prove nothing: {unanswered}"
    return calls


async def test_every_route_with_every_role_of_two_departments(client, app, world: World) -> None:
    assert await examined(client, app, world, full=False) > 1000


@pytest.mark.slow
async def test_every_route_with_every_role_of_two_departments_in_full(client, app, world: World) -> None:
    """Every caller on every route, including the calls the fast walk knows the guard answers alike."""
    assert await examined(client, app, world, full=True) > 2000


def protected(app: Litestar) -> list[Route]:
    return [(m, p, r) for m, p, r in walked_routes(app) if r]


def refused(answer: httpx.Response) -> bool:
    """401; a console page sends a browser to sign in instead (303 to the sign-in page)."""
    to_sign_in = answer.status_code == 303 and answer.headers["location"].startswith(f"{SIGN_IN_PATH}?next=")
    return answer.status_code == 401 or to_sign_in


async def forged_answers(client, app: Litestar, world: World, settings, routes: list[Route]) -> list[str]:
    wrong, made = [], forgeries(settings.auth.jwt_secret)
    victim = world.b[Role.ADMIN]
    for name, forge in made.items():
        headers = {"Authorization": f"Bearer {forge(victim)}"}
        for method, path, _ in routes:
            url = fill(path, world.b_ids)
            answer = await client.request(method, url, headers=headers, json={}, follow_redirects=False)
            if not refused(answer):
                wrong.append(f"{name}: {method} {path} answered {answer.status_code} {answer.text[:120]}")
    return wrong


async def test_forged_tokens_are_refused_on_every_protected_route(client, app, world, settings) -> None:
    routes = protected(app)
    started = time.monotonic()
    wrong = await forged_answers(client, app, world, settings, routes)
    print(f"forged tokens: {len(routes) * len(forgeries(''))} calls in {time.monotonic() - started:.1f} s")
    assert not wrong, "\n".join(wrong)


async def test_a_flood_sent_at_once_is_throttled(client, pool, make_user, department) -> None:
    """The examination's probes, sent concurrently: 40 wrong passwords with the right one among the
    last, 40 complaints, 40 lookups with made-up tokens."""
    victim = await make_user(Role.SUPERVISOR, department, device_id=None)
    attacker, before = new_address(), await pool.fetchval("SELECT count(*) FROM complaints")
    sign_in = lambda password: client.post(  # noqa: E731
        "/auth/login",
        json={"username": victim.principal.username, "password": password},
        headers=from_address(attacker),
    )
    wrong = await asyncio.gather(*(sign_in(f"guess number {n:04d}") for n in range(40)))
    right = await sign_in(TEST_PASSWORD)
    complaint = submission(named=False)
    complaints = await asyncio.gather(*(
        client.post("/complaints/submit", json=complaint, headers=from_address(attacker)) for _ in range(40)
    ))  # fmt: skip
    lookups = await asyncio.gather(*(
        client.post("/complaints/lookup", json={"token": f"made-up-{n:04d}-token"}, headers=from_address(attacker))
        for n in range(40)
    ))  # fmt: skip

    assert sum(a.status_code == 429 for a in wrong) >= 25 and right.status_code == 429
    assert await pool.fetchval("SELECT count(*) FROM complaints") - before <= 5
    assert sum(a.status_code == 429 for a in complaints) >= 35
    assert sum(a.status_code == 429 for a in lookups) >= 25
    assert all(a.status_code < 500 for a in (*wrong, *complaints, *lookups))
