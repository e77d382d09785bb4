"""Console benchmark (issue 13, acceptance 3): live wall streams under load, and the wall's first paint.

Run: ``bash bench/run console`` (or ``uv run python -m bench.console``). Everything runs on this
machine in one run: embedded PostgreSQL and S3, the API as a separate uvicorn process on loopback,
the stream readers and the load here, and Debian's Chromium. Figures printed:

1. fan-out: ``STREAMS`` wall streams (``GET /alerts/stream``) open while a vision node delivers
   alerts at ``RATE``/s, open loop (each ``PUT /alerts/{id}`` sent when due, whatever the answers
   before it). Per alert, the time from its PUT returning to its event reaching *every* stream:
   p50 and p99 (goal p99 ≤ 1 s); the limit measured in the same run is the same with one stream.
2. PostgreSQL connections in use (pg_stat_activity) before the streams, with them open, and under
   load: the goal is one listening connection per API process and the pool unchanged.
3. the wall's first contentful paint in Chromium (Performance API) with ``STORED`` alerts in the
   department, median of ``PAINTS`` loads; goal ≤ 1 s on loopback; the limit is the sign-in page's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import time
import uuid

import asyncpg
import httpx
import msgspec
from playwright.async_api import Page, async_playwright

from api.auth.passwords import hash_password
from api.auth.principal import Principal
from api.auth.tokens import issue_access_token
from api.settings import Settings
from bench.installation import fresh_installation
from bench.intake import start_api, wait_ready
from mobile_contract.auth import Role
from storage import users
from storage.embedded import free_port
from tests.console.chromium import launch

STREAMS = int(os.environ.get("BENCH_STREAMS", "100"))
RATE = float(os.environ.get("BENCH_RATE", "10"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
STORED = int(os.environ.get("BENCH_STORED", "10000"))
PAINTS = int(os.environ.get("BENCH_PAINTS", "7"))
PASSWORD = "bench password 1"  # a throw-away account in a throw-away database
PASSWORD_HASH = hash_password(PASSWORD)


class Crew(msgspec.Struct):
    department_id: uuid.UUID
    operator: str  # username of the first operator (signs in to the browser)
    screens: list[dict[str, str]]  # one operator's headers per wall screen group (the API caps streams per user)
    node_headers: dict[str, str]
    site_id: str = ""

    @property
    def operator_headers(self) -> dict[str, str]:
        return self.screens[0]


async def make_user(
    conn: asyncpg.Connection, secret: str, department: uuid.UUID, role: Role, n: int
) -> tuple[str, dict]:
    user_id, name = uuid.uuid4(), f"{role.value}-{department.hex[:6]}-{n}"
    await users.create_user(
        conn,
        id=user_id,
        username=name,
        display_name=f"值班员 {n}",
        password_hash=PASSWORD_HASH,
        role=role.value,
        department_id=department,
        region_code="360102",
        certificate_no=None,
    )
    principal = Principal(
        user_id=user_id,
        username=name,
        role=role,
        department_id=department,
        region_code="360102",
        sign_in_id=uuid.uuid4(),
    )
    return name, {"Authorization": f"Bearer {issue_access_token(principal, secret=secret, ttl_s=3600)}"}


async def make_crew(conn: asyncpg.Connection, secret: str) -> Crew:
    """A department with enough operators for STREAMS screens (4 streams each, the API's default cap)."""
    department = uuid.uuid4()
    await users.create_department(
        conn, id=department, code=f"B{department.hex[:8]}", name="基准测试局", region_code="360102"
    )
    operators = [
        await make_user(conn, secret, department, Role.MONITORING_OPERATOR, n) for n in range(-(-STREAMS // 4))
    ]
    _, node = await make_user(conn, secret, department, Role.VISION_NODE, 0)
    return Crew(department, operators[0][0], [headers for _, headers in operators], node)


def site_config() -> dict:
    camera = {
        "id": "cam-1",
        "name": "北坡",
        "url": "rtsp://127.0.0.1/cam-1",
        "zones": [{"kind": "forbidden", "name": "禁采区", "polygon": [[0.1, 0.1], [0.6, 0.1], [0.6, 0.6]]}],
    }
    return {
        "id": f"bench-{uuid.uuid4().hex[:8]}",
        "name": "基准塘口",
        "kind": "quarry",
        "region_code": "360102",
        "cameras": [camera],
    }


def alert(site_id: str, n: int) -> dict:
    started = dt.datetime.now(dt.UTC)
    return {
        "id": str(uuid.uuid4()),
        "revision": 1,
        "site_id": site_id,
        "camera_id": "cam-1",
        "kind": "forbidden_zone",
        "severity": "critical" if n % 10 == 0 else "warning",
        "started_at": started.isoformat(),
        "last_seen_at": started.isoformat(),
        "summary": f"基准预警 {n}",
        "detail": {"tracks": [{"id": n, "class": "excavator", "score": 0.9, "box": [0.2, 0.2, 0.3, 0.3]}]},
    }


# --- 1 and 2: fan-out --------------------------------------------------------------------------


async def read_stream(
    http: httpx.AsyncClient, headers: dict, arrivals: dict[str, float], opened: asyncio.Event
) -> None:
    """Note when each alert's event arrives; ``opened`` once the stream answered."""
    async with http.stream("GET", "/alerts/stream", headers=headers) as response:
        response.raise_for_status()
        opened.set()
        async for line in response.aiter_lines():
            if line.startswith("data: {"):
                alert_id = msgspec.json.decode(line[6:])["alert"]["id"]
                arrivals.setdefault(alert_id, time.perf_counter())


async def deliver_open_loop(http: httpx.AsyncClient, crew: Crew, count: int) -> tuple[dict[str, float], list[float]]:
    """Send ``count`` alerts at RATE/s, each when due; returns when each PUT returned and its lateness."""
    returned: dict[str, float] = {}
    waits: list[float] = []
    start = time.perf_counter()

    async def one(n: int) -> None:
        due = start + n / RATE
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        body = alert(crew.site_id, n)
        answer = await http.put(f"/alerts/{body['id']}", json=body, headers=crew.node_headers)
        answer.raise_for_status()
        returned[body["id"]] = time.perf_counter()
        waits.append(returned[body["id"]] - due)

    await asyncio.gather(*(one(n) for n in range(count)))
    return returned, waits


async def fan_out(base: str, crew: Crew, streams: int, count: int, pool: asyncpg.Pool) -> dict:
    limits = httpx.Limits(max_connections=streams + 50)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        before = await connections(pool)
        arrivals = [dict() for _ in range(streams)]
        opened = [asyncio.Event() for _ in range(streams)]
        readers = [
            asyncio.create_task(read_stream(http, crew.screens[n // 4], got, ready))
            for n, (got, ready) in enumerate(zip(arrivals, opened, strict=True))
        ]
        await asyncio.wait([asyncio.create_task(o.wait()) for o in opened], timeout=30)
        failed = sum(1 for r in readers if r.done() and r.exception() is not None)
        idle = await connections(pool)
        sampler = asyncio.create_task(peak_connections(pool))
        returned, waits = await deliver_open_loop(http, crew, count)
        await asyncio.sleep(3)  # the last events on their way
        sampler.cancel()
        peak = await sampler
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    live = [a for a in arrivals if a]
    every = [max(a.get(i, float("inf")) for a in live) - t for i, t in returned.items()]
    reached_all = sum(1 for i in returned if all(i in a for a in arrivals))
    return {
        "streams": len(live),
        "failed": failed,
        "every": every,
        "waits": waits,
        "reached_all": reached_all,
        "before": before,
        "idle": idle,
        "peak": peak,
    }


async def connections(pool: asyncpg.Pool) -> dict[str, int]:
    """Client connections of the API (everything but this benchmark's own), and how many are listening."""
    rows = await pool.fetch(
        "SELECT query LIKE 'LISTEN%' AS listening, count(*) AS n FROM pg_stat_activity"
        " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name <> 'bench'"
        " GROUP BY 1"
    )
    counts = {("listening" if r["listening"] else "other"): r["n"] for r in rows}
    return {"total": sum(counts.values()), **counts}


async def peak_connections(pool: asyncpg.Pool) -> dict[str, int]:
    peak: dict[str, int] = {"total": 0}
    try:
        while True:
            now = await connections(pool)
            if now["total"] > peak["total"]:
                peak = now
            await asyncio.sleep(0.5)
    except asyncio.CancelledError:
        return peak


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- 3: first paint of the wall ----------------------------------------------------------------


async def store_alerts(pool: asyncpg.Pool, crew: Crew, count: int) -> None:
    """``count`` alerts in the department, written directly (the wall reads them; how they came is not timed)."""
    await pool.execute(
        "INSERT INTO alerts (id, department_id, site_id, camera_id, revision, kind, severity, started_at,"
        " last_seen_at, summary, detail, created_at, updated_at)"
        " SELECT gen_random_uuid(), $1, $2, 'cam-1', 1, 'forbidden_zone', 'warning', now() - n * interval '1 minute',"
        " now() - n * interval '1 minute', '基准预警 ' || n, '{}'::jsonb, now() - n * interval '1 minute', now()"
        " FROM generate_series(1, $3) AS n",
        crew.department_id,
        crew.site_id,
        count,
    )


async def first_paint(page: Page, path: str) -> float:
    """Seconds from navigation start to the first contentful paint (the entry may come just after load)."""
    await page.goto(path)
    for _ in range(100):
        entries = await page.evaluate(
            "() => performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)"
        )
        if entries:
            return entries[0] / 1000
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no first contentful paint on {path}")


async def paints(base: str, crew: Crew) -> tuple[list[float], list[float], int]:
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        context = await browser.new_context(base_url=base, viewport={"width": 1920, "height": 1080})
        page = await context.new_page()
        sign_in = [await first_paint(page, "/") for _ in range(PAINTS)]
        await page.fill("input[name=username]", crew.operator)
        await page.fill("input[name=password]", PASSWORD)
        async with page.expect_navigation():
            await page.click("form.sign-in-form button[type=submit]")
        wall = [await first_paint(page, "/console/alerts") for _ in range(PAINTS)]
        cards = await page.locator(".card").count()
        await browser.close()
    return sign_in, wall, cards


# --- the run -----------------------------------------------------------------------------------


async def run(ready: Settings) -> None:
    assert ready.database.url is not None
    pool = await asyncpg.create_pool(
        ready.database.url, min_size=1, max_size=4, server_settings={"application_name": "bench"}
    )
    async with pool.acquire() as conn:
        crew = await make_crew(conn, ready.auth.jwt_secret)
    port = free_port()
    api = start_api(ready, port)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            await wait_ready(http)
            site = await http.post("/sites", json=site_config(), headers=crew.operator_headers)
            site.raise_for_status()
            crew.site_id = site.json()["id"]
        count = int(RATE * SECONDS)
        one = await fan_out(base, crew, 1, count, pool)
        many = await fan_out(base, crew, STREAMS, count, pool)
        report_fan_out(one, many, count)
        await store_alerts(pool, crew, STORED)
        sign_in, wall, cards = await paints(base, crew)
        report_paints(sign_in, wall, cards)
    finally:
        api.terminate()
        api.wait(30)
        await pool.close()


def report_fan_out(one: dict, many: dict, count: int) -> None:
    print(f"\nfan-out: {count} alerts at {RATE:g}/s open loop; time from PUT returning to the event on every stream")
    for label, figures in (("1 stream (limit)", one), (f"{STREAMS} streams", many)):
        every, waits = figures["every"], figures["waits"]
        lost = sum(1 for v in every if v == float("inf"))
        print(f"  {label:18} alerts that reached every one of the streams opened: {figures['reached_all']} of {count}")
        print(
            f"  {label:18} streams with events {figures['streams']:3} (refused {figures['failed']}), lost there {lost}:"
            f" p50 {percentile(every, 0.5) * 1000:7.1f} ms  p99 {percentile(every, 0.99) * 1000:7.1f} ms"
            f"   (PUT late p99 {percentile(waits, 0.99) * 1000:.1f} ms)"
        )
    ratio = percentile(many["every"], 0.99) / max(percentile(one["every"], 0.99), 1e-9)
    print(f"  p99 {STREAMS} streams ÷ 1 stream: {ratio:.1f}×   goal p99 ≤ 1000 ms")
    print("PostgreSQL client connections of the API (listening / other):")
    for label, key in (("before streams", "before"), (f"{STREAMS} streams open", "idle"), ("peak under load", "peak")):
        c = many[key] or {}
        print(
            f"  {label:20} total {c.get('total', 0):3}"
            f"  listening {c.get('listening', 0):3}  other {c.get('other', 0):3}"
        )


def report_paints(sign_in: list[float], wall: list[float], cards: int) -> None:
    print(f"\nfirst contentful paint in Chromium, median of {PAINTS} loads (1920×1080, loopback):")
    print(f"  sign-in page (limit)         {statistics.median(sign_in) * 1000:7.1f} ms")
    print(
        f"  alert wall, {STORED} stored   {statistics.median(wall) * 1000:7.1f} ms  ({cards} cards on the first page)"
        f"  = {statistics.median(wall) / statistics.median(sign_in):.2f}× the sign-in page   goal ≤ 1000 ms"
    )


def main() -> None:
    with fresh_installation("bench-console-") as ready:
        asyncio.run(run(ready))


if __name__ == "__main__":
    main()
