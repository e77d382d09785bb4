"""Helpers for tests that sign in through the API and register handhelds directly in the database."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
from litestar.testing import AsyncTestClient

from storage import audit, devices
from tests.conftest import TEST_PASSWORD, Caller


async def sign_in(
    client: AsyncTestClient, username: str, *, device_id: str | None = None, password: str = TEST_PASSWORD
) -> httpx.Response:
    body = {"username": username, "password": password} | ({"device_id": device_id} if device_id else {})
    return await client.post("/auth/login", json=body)


async def register_device(pool: asyncpg.Pool, owner: Caller) -> str:
    device_id = f"IMEI-{uuid.uuid4().hex[:12]}"
    async with pool.acquire() as conn:
        await devices.register_device(
            conn,
            id=device_id,
            user_id=owner.principal.user_id,
            department_id=owner.principal.department_id,
            label="测试终端",
        )
    return device_id


async def entries_for(pool: asyncpg.Pool, entity_type: str, entity_id: object) -> list[audit.StoredAuditEntry]:
    async with pool.acquire() as conn:
        return await audit.list_for_entity(conn, entity_type=entity_type, entity_id=str(entity_id))
