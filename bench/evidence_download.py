"""Evidence download benchmark: bytes through the API (audited per download) against S3 directly.

Run: ``uv run python -m bench.evidence_download``. Embedded PostgreSQL and S3, the API as a uvicorn
process on loopback, one item of ``BENCH_DOWNLOAD_MIB`` MiB (default 64). Figures, best of
``BENCH_DOWNLOAD_RUNS`` (default 3) each, in the same run:

1. the limit: a GET of the object from S3 with a presigned URL (what a client did before);
2. ``GET /evidence/{id}/download`` through the API: MiB/s, its ratio to (1), and time to the first byte.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import time
from pathlib import Path

import httpx

from api.app import build_store
from api.runtime import resolved
from api.settings import Settings
from bench.intake import LOG, make_inspectors, start_api, uuid7, wait_ready
from bench.intake import content as inspection
from storage.db import create_pool
from storage.embedded import free_port
from storage.migrate import apply_migrations

MIB = 1024 * 1024
SIZE = int(os.environ.get("BENCH_DOWNLOAD_MIB", "64")) * MIB
RUNS = int(os.environ.get("BENCH_DOWNLOAD_RUNS", "3"))


async def timed_get(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first byte, seconds to the last) of one streamed GET; the bytes are checked."""
    started, first, digest = time.perf_counter(), None, hashlib.sha256()
    async with http.stream("GET", url, headers=headers) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes(MIB):
            first = first or time.perf_counter()
            digest.update(chunk)
    assert first is not None
    return first - started, time.perf_counter() - started


async def stored_item(api: httpx.AsyncClient, officers: list[dict], data: bytes) -> str:
    """Declare, upload and finalise one item as a handheld does; returns its id."""
    record = {"id": uuid7(), "content": inspection(officers, 0)}
    item = record["content"]["evidence"][0] | {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    record["content"]["evidence"] = [item]
    (await api.post("/records", json=record)).raise_for_status()
    ticket = (await api.post(f"/evidence/{item['id']}/upload", json={})).json()
    (await api.put(ticket["put"]["url"], content=data, headers=ticket["put"]["headers"])).raise_for_status()
    assert (await api.post(f"/evidence/{item['id']}/finalize")).json()["status"] == "verified"
    return item["id"]


async def run(ready: Settings) -> None:
    assert ready.database.url
    apply_migrations(ready.database.url)
    pool = await create_pool(ready.database.url, min_size=1, max_size=2)
    async with pool.acquire() as conn:
        officers, token = await make_inspectors(conn, ready.auth.jwt_secret)
    port = free_port()
    server = start_api(ready, port)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=300) as api:
            await wait_ready(api)
            id = await stored_item(api, officers, os.urandom(SIZE))
            key, version = await pool.fetchrow("SELECT object_key, version_id FROM evidence_items WHERE id = $1", id)
            url = build_store(ready).presign_get(key, version_id=version, ttl_s=600).url
            async with httpx.AsyncClient(timeout=300) as plain:
                direct = [await timed_get(plain, url, {}) for _ in range(RUNS)]
            through = [await timed_get(api, f"/evidence/{id}/download", {}) for _ in range(RUNS)]
    finally:
        server.terminate()
        server.wait()
        await pool.close()
    report(min(t for _, t in direct), min(t for _, t in through), min(f for f, _ in through))


def report(direct_s: float, through_s: float, first_byte_s: float) -> None:
    mib = SIZE / MIB
    print(f"item {mib:.0f} MiB, best of {RUNS}")
    print(f"{'S3 directly (presigned GET): the limit':<48} {mib / direct_s:8.1f} MiB/s")
    print(f"{'through the API, audited per download':<48} {mib / through_s:8.1f} MiB/s")
    print(f"{'API / limit':<48} {direct_s / through_s:8.1%}")
    print(f"{'API: first byte after':<48} {first_byte_s * 1000:8.1f} ms")


def main() -> None:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, resolved(Settings(data_dir=Path(tmp))) as ready:
        asyncio.run(run(ready))


if __name__ == "__main__":
    main()
