"""Evidence test helpers: declare items through the real records API, upload as a handheld would."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Awaitable, Callable

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from tests.conftest import Caller
from tests.factories import evidence_item, record_create

MiB = 1024 * 1024


class Declared(msgspec.Struct):
    """One declared evidence item and the bytes the device holds for it."""

    id: str
    record_id: str
    data: bytes

    @property
    def path(self) -> str:
        return f"/evidence/{self.id}"


@pytest.fixture
async def partner(make_user, department) -> Caller:
    return await make_user(Role.INSPECTOR, department)


@pytest.fixture
def declare(client: AsyncTestClient, inspector: Caller, partner: Caller) -> Callable[..., Awaitable[list[Declared]]]:
    """Create a record whose manifest declares one item per payload (the records API makes the rows)."""

    async def make(*payloads: bytes, media_type: str = "image/jpeg") -> list[Declared]:
        items = [evidence_item(p, media_type=media_type) for p in payloads]
        body = record_create(inspector, partner, evidence=[item for item, _ in items])
        answer = await client.post("/records", json=body, headers=inspector.headers)
        assert answer.status_code == 201, answer.text
        return [Declared(id=item["id"], record_id=body["id"], data=data) for item, data in items]

    return make


async def device_put(put: dict, content: bytes) -> httpx.Response:
    """What a handheld does with a signed URL from a ticket: PUT the bytes with exactly its headers."""
    async with httpx.AsyncClient() as http:
        return await http.request(put["method"], put["url"], content=content, headers=put["headers"])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def payload(size: int) -> bytes:
    """Incompressible bytes with a unique marker at the start, findable on the store's disk."""
    return b"EVIDENCE-" + uuid.uuid4().hex.encode() + os.urandom(size)


async def object_key(pool, item: Declared) -> str:
    return await pool.fetchval("SELECT object_key FROM evidence_items WHERE id = $1", uuid.UUID(item.id))


async def upload_single(client: AsyncTestClient, caller: Caller, item: Declared) -> dict:
    """Ticket, PUT, finalise: the whole small-item protocol; returns the finalise answer."""
    ticket = (await client.post(f"{item.path}/upload", json={}, headers=caller.headers)).json()
    assert (await device_put(ticket["put"], item.data)).status_code == 200
    answer = await client.post(f"{item.path}/finalize", headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()
