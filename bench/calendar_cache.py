"""What reading the working calendar from the database costs a request (cached per process).

Run: ``uv run python -m bench.calendar_cache``. Embedded PostgreSQL, the app in this process
(ASGI, no network). Figures, in the same run:

1. a rebuild after an import: the calendar read from the database and built (the cache's miss);
2. a request's check that nothing changed (``api.calendar.service.current`` on a warm cache);
3. the limit it is compared with: ``GET /cases/{id}/workflow``, a request that counts deadlines,
   with the check's share of it.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

from litestar.testing import AsyncTestClient

from api.app import create_app
from api.auth.principal import Principal
from api.auth.tokens import issue_access_token
from api.calendar import service
from api.settings import Settings
from bench.installation import fresh_installation
from bench.intake import make_inspectors, uuid7
from mobile_contract.auth import Role
from storage import users
from storage.db import create_pool

CHECKS = 5000
REQUESTS = 300


async def timed(n: int, call) -> float:
    """Median seconds of ``n`` awaited calls."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def rebuild_and_check(url: str) -> tuple[float, float]:
    pool = await create_pool(url, min_size=1, max_size=1)
    async with pool.acquire() as conn:

        async def rebuild() -> None:
            service._CACHE.calendar = None
            await service.current(conn)

        miss = await timed(20, rebuild)
        hit = await timed(CHECKS, lambda: service.current(conn))
    await pool.close()
    return miss, hit


async def supervisor_headers(url: str, secret: str) -> tuple[dict[str, str], dict[str, str]]:
    pool = await create_pool(url, min_size=1, max_size=1)
    async with pool.acquire() as conn:
        _, inspector = await make_inspectors(conn, secret)
        row = await conn.fetchrow("SELECT department_id FROM users WHERE role = 'inspector' ORDER BY created_at DESC")
        head = uuid.uuid4()
        await users.create_user(conn, id=head, username=f"head-{head.hex[:8]}", display_name="负责人",
                                password_hash="x", role="supervisor", department_id=row["department_id"],
                                region_code="360102", certificate_no=None)  # fmt: skip
    await pool.close()
    principal = Principal(user_id=head, username="head", role=Role.SUPERVISOR, department_id=row["department_id"],
                          region_code="360102", device_id=None, sign_in_id=uuid.uuid4())  # fmt: skip
    token = issue_access_token(principal, secret=secret, ttl_s=3600)
    return {"Authorization": f"Bearer {inspector}"}, {"Authorization": f"Bearer {token}"}


async def workflow_read(ready: Settings) -> float:
    assert ready.database.url
    inspector, head = await supervisor_headers(ready.database.url, ready.auth.jwt_secret)
    async with AsyncTestClient(create_app(ready)) as client:
        party = {"kind": "legal_person", "name": "某某公司", "uscc": "91350100M000100Y43"}
        content = {"title": "基准案件", "item_code": "36010100100001", "party": party, "region_code": "360102",
                   "found_at": "2026-11-20T09:00:00+08:00", "place": {"address": "某地"}}  # fmt: skip
        case = {"id": uuid7(), "content": content}
        (await client.post("/cases", json=case, headers=inspector)).raise_for_status()
        (await client.post(f"/cases/{case['id']}/workflow/steps", json={"id": uuid7(), "step": {"action": "file"}},
                           headers=head)).raise_for_status()  # fmt: skip
        return await timed(REQUESTS, lambda: client.get(f"/cases/{case['id']}/workflow", headers=head))


def main() -> None:
    with fresh_installation("bench-calendar-") as ready:
        assert ready.database.url
        request = asyncio.run(workflow_read(ready))
        miss, hit = asyncio.run(rebuild_and_check(ready.database.url))
    print(f"{'rebuild after an import (median of 20)':<52} {miss * 1000:8.2f} ms")
    print(f"{f'check per request, warm cache (median of {CHECKS})':<52} {hit * 1e6:8.1f} µs")
    print(f"{f'GET /cases/{{id}}/workflow in process (median of {REQUESTS})':<52} {request * 1000:8.2f} ms")
    print(f"{'the check as a share of that request':<52} {hit / request:8.1%}")


if __name__ == "__main__":
    main()
