"""What alert streams cost PostgreSQL (issue 12, security 1): connections with N streams open.

Run: ``uv run python -m bench.alert_streams`` (embedded PostgreSQL and S3 in a temporary folder,
the app behind real uvicorn). It opens ``BENCH_STREAMS`` (100) ``GET /alerts/stream`` from one
inspector's token, counts PostgreSQL's connections before and with them open (all of them, and
those that LISTEN), then sends 60 concurrent ``GET /records`` with the same token and counts the
answers by status. The per-user cap is raised to the stream count for the run. The same file runs
unchanged against older code, for the figure before a change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import threading
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
import msgspec
import uvicorn

from api.app import create_app
from api.runtime import resolved
from api.settings import Settings
from bench.intake import make_inspectors
from storage.db import create_pool
from storage.embedded import free_port

STREAMS = int(os.environ.get("BENCH_STREAMS", "100"))
READS = 60


async def census(pool: asyncpg.Pool) -> tuple[int, int]:
    """(all connections to the database, those whose last statement was a LISTEN)."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT count(*) AS every, count(*) FILTER (WHERE query LIKE 'LISTEN %') AS listening"
            " FROM pg_stat_activity WHERE datname = current_database()"
        )
    return row["every"], row["listening"]


async def measure(url: str, pool: asyncpg.Pool, headers: dict[str, str]) -> None:
    before = await census(pool)
    limits = httpx.Limits(max_connections=STREAMS + READS + 10)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30, limits=limits))
        opening = [
            stack.enter_async_context(http.stream("GET", "/alerts/stream", headers=headers)) for _ in range(STREAMS)
        ]
        opened = await asyncio.gather(*opening, return_exceptions=True)
        await asyncio.sleep(1)  # every stream past its first read
        during = await census(pool)
        reads = await asyncio.gather(
            *(http.get("/records", headers=headers) for _ in range(READS)), return_exceptions=True
        )
    streams = Counter(getattr(a, "status_code", type(a).__name__) for a in opened)
    answers = Counter(getattr(a, "status_code", type(a).__name__) for a in reads)
    print(f"streams opened: {dict(streams)}")
    print(f"PostgreSQL connections: before {before[0]} ({before[1]} listening), "
          f"with {STREAMS} streams open {during[0]} ({during[1]} listening)")  # fmt: skip
    print(f"{READS} concurrent GET /records: {dict(answers)}")


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, resolved(Settings(data_dir=Path(tmp))) as ready:
        serving = msgspec.structs.replace(ready.serving, streams_per_user=STREAMS, streams_per_process=STREAMS * 2)
        app = create_app(msgspec.structs.replace(ready, serving=serving))
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", timeout_graceful_shutdown=2))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            threading.Event().wait(0.05)
        asyncio.run(run(f"http://127.0.0.1:{port}", ready))
        server.should_exit = True
        thread.join(10)


async def run(url: str, settings: Settings) -> None:
    assert settings.database.url is not None
    pool = await create_pool(settings.database.url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            _officers, token = await make_inspectors(conn, settings.auth.jwt_secret)
        await measure(url, pool, {"Authorization": f"Bearer {token}"})
    finally:
        await pool.close()


if __name__ == "__main__":
    main()
