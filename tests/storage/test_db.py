"""``storage.db.overlapped``: Python work while a statement runs, and a clean connection when that work fails."""

import time

import asyncpg
import pytest

from storage.db import overlapped


async def test_work_runs_while_the_statement_is_with_the_database(pool: asyncpg.Pool) -> None:
    sleep = "SELECT pg_sleep($1)::text"
    async with pool.acquire() as conn:
        await conn.fetchval(sleep, 0)  # prepared: a new statement's first use sends only its Parse at first
        started = time.perf_counter()
        (slept, work) = await overlapped(conn.fetchval(sleep, 0.2), lambda: time.sleep(0.2) or 7)
        elapsed = time.perf_counter() - started
    assert (slept, work) == ("", 7)
    assert elapsed < 0.35  # one after the other would take 0.4 s


async def test_failed_work_leaves_the_connection_idle_for_the_rollback(pool: asyncpg.Pool) -> None:
    def fail() -> None:
        raise ValueError("bad batch")

    async with pool.acquire() as conn:
        with pytest.raises(ValueError, match="bad batch"):
            async with conn.transaction():
                await conn.execute("CREATE TEMPORARY TABLE overlapped_probe (n int)")
                await overlapped(conn.execute("INSERT INTO overlapped_probe SELECT pg_sleep(0.05)::text::int"), fail)
        assert await conn.fetchval("SELECT to_regclass('pg_temp.overlapped_probe') IS NULL")
