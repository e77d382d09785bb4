"""The superuser's way round the append-only triggers, for tampering tests."""

from collections.abc import AsyncIterator

import asyncpg
import pytest


@pytest.fixture
async def behind_the_back(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute("SET LOCAL session_replication_role = replica")
            yield conn
        finally:
            await tx.rollback()
