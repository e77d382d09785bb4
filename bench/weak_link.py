"""Sync over a weak mobile link (issue 19, section 2): a handheld empties its queue and pulls its tasks.

Run: ``bash bench/run weak-link`` (or ``uv run python -m bench.weak_link``). Embedded PostgreSQL and
S3 and ``enforce serve`` start on this machine; the device reaches the API through ``bench/link.py``,
an emulated link, in two profiles: 1 Mbit/s each way with a 300 ms round trip and every connection
cut now and then (``BENCH_CUT_EVERY_S``, default every 5 s on average, seeded), and a 3G-like 3 Mbit/s with 150 ms.

In each profile, for each way of coding bodies (none, gzip, zstd), a new device (its own department
and inspectors, ``BENCH_TASKS`` tasks assigned to it) holds a queue of ``BENCH_QUEUE`` records, each
declaring two evidence items. Timed: pushing the queue in pushes of ``BENCH_BATCH`` (a push the link
cut is sent again, unchanged, as a device does), then pulling until ``has_more`` is false
(``BENCH_PULL_LIMIT`` per page; the pull brings the records just pushed back too: delivery is
at least once). Printed per run: seconds to land the queue and to pull, HTTP bytes each way,
round trips (connections opened, each a TCP handshake, plus requests sent), the retries the cuts
caused, and the count of stored records and evidence items, which must be exactly the queue's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import os
import signal
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
import msgspec
from backports import zstd

from api.runtime import resolved
from api.settings import Settings
from bench import intake
from bench.link import Link, Profile, Traffic
from storage import tasks
from storage.db import create_pool
from storage.embedded import free_port
from storage.migrate import apply_migrations

QUEUE = int(os.environ.get("BENCH_QUEUE", "1000"))
BATCH = int(os.environ.get("BENCH_BATCH", "250"))
PULL_LIMIT = int(os.environ.get("BENCH_PULL_LIMIT", "200"))
TASKS = int(os.environ.get("BENCH_TASKS", "20"))
CUT_EVERY_S = float(os.environ.get("BENCH_CUT_EVERY_S", "5"))
RETRY_PAUSE_S = 0.5  # a device waits a moment for the radio before sending again
TRIES = 30  # a request cut this often in a row: the link is too poor for it, and the run says so
GOAL_S = 5.0  # the queue lands within this on the 1 Mbit/s profile
PROFILES = (
    Profile("1 Mbit/s, 300 ms, cuts", rate_bps=1e6, rtt_s=0.300, cut_every_s=CUT_EVERY_S),
    Profile("3G: 3 Mbit/s, 150 ms", rate_bps=3e6, rtt_s=0.150),
)
COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "identity": lambda body: body,
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
    "zstd": lambda body: zstd.compress(body, level=3),
}


class Run(msgspec.Struct):
    """One device emptying its queue over one link profile with one coding."""

    profile: str
    coding: str
    push_s: float
    pull_s: float
    traffic: Traffic
    requests: int
    retries: int
    records: int  # stored afterwards, for this device's department
    evidence: int


class Device:
    """A handheld's sync client: pushes and pulls, sending again what a cut interrupted."""

    def __init__(self, client: httpx.AsyncClient, coding: str) -> None:
        self.client, self.coding = client, coding
        self.requests = self.retries = 0

    async def send(self, method: str, path: str, body: bytes | None = None) -> msgspec.Raw:
        headers = {"Accept-Encoding": self.coding}
        if body is not None:
            headers |= {"Content-Type": "application/json", "Content-Encoding": self.coding}
            body = COMPRESS[self.coding](body)
        for _ in range(TRIES):
            self.requests += 1
            try:
                answer = await self.client.request(method, path, content=body, headers=headers)
            except httpx.TransportError:
                self.retries += 1
                await asyncio.sleep(RETRY_PAUSE_S)
                continue
            answer.raise_for_status()
            return msgspec.Raw(_inflated(answer))
        raise RuntimeError(f"{method} {path} cut {TRIES} times in a row: use smaller pushes or pulls on this link")

    async def push(self, operations: list[dict]) -> None:
        body = msgspec.json.encode({"operations": operations})
        results = msgspec.json.decode(await self.send("POST", "/sync/push", body))["results"]
        statuses = {r["status"] for r in results}
        assert len(results) == len(operations) and statuses <= {"created", "replayed"}, results[:3]

    async def pull(self, token: str | None) -> tuple[str, int]:
        """Pages until ``has_more`` is false; returns the new token and the tasks pulled."""
        pulled = 0
        while True:
            query = f"/sync/pull?limit={PULL_LIMIT}" + (f"&token={token}" if token else "")
            page = msgspec.json.decode(await self.send("GET", query))
            token, pulled = page["sync_token"], pulled + len(page["tasks"])
            if not page["has_more"]:
                return token, pulled


def _inflated(answer: httpx.Response) -> bytes:
    """httpx inflates gzip itself; zstd (which it reads only with another package) is inflated here."""
    if answer.headers.get("content-encoding") == "zstd":
        return zstd.decompress(answer.content)
    return answer.content


def queue(officers: list[dict]) -> list[dict]:
    """``QUEUE`` record creates as a device queues them, two evidence items each."""
    operations = []
    for n in range(QUEUE):
        content = intake.content(officers, n)
        content["evidence"] += intake.content(officers, QUEUE + n)["evidence"]
        operations.append({"op": "create_record", "record": {"id": intake.uuid7(), "content": content}})
    return operations


async def assign_tasks(conn: asyncpg.Connection, officers: list[dict]) -> uuid.UUID:
    """``TASKS`` tasks for the first inspector, assigned while the device was offline; their department."""
    assignee = uuid.UUID(officers[0]["user_id"])
    department = await conn.fetchval("SELECT department_id FROM users WHERE id = $1", assignee)
    for n in range(TASKS):
        await tasks.create(
            conn, id=uuid.UUID(intake.uuid7()), department_id=department, assignee_id=assignee, source="supervisor",
            title=f"复查某某石料有限公司{n}越界开采整改情况", item_code=None,
            due_on=dt.date(2026, 12, 31), detail={}, created_by=None,
        )  # fmt: skip
    return department


async def one_run(pool: asyncpg.Pool, port: int, secret: str, profile: Profile, coding: str) -> Run:
    """A new device (its own department and inspectors) synced, then offline with a queue and new tasks."""
    async with pool.acquire() as conn:
        officers, token = await intake.make_inspectors(conn, secret)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=auth, timeout=60) as direct:
        sync_token, _ = await Device(direct, "identity").pull(None)
    async with pool.acquire() as conn:
        department = await assign_tasks(conn, officers)
    operations = queue(officers)
    async with Link(port, profile) as link:
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{link.port}", headers=auth, timeout=120)
        async with client:
            device = Device(client, coding)
            started = time.perf_counter()
            for at in range(0, QUEUE, BATCH):
                await device.push(operations[at : at + BATCH])
            landed = time.perf_counter()
            _, pulled = await device.pull(sync_token)
            done = time.perf_counter()
    assert pulled == TASKS, f"pulled {pulled} tasks of {TASKS}"
    async with pool.acquire() as conn:
        records, evidence = await stored(conn, department)
    return Run(
        profile.name, coding, landed - started, done - landed, link.traffic, device.requests, device.retries,
        records, evidence,
    )  # fmt: skip


async def stored(conn: asyncpg.Connection, department: uuid.UUID) -> tuple[int, int]:
    row = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM records WHERE department_id = $1) AS records,"
        " (SELECT count(*) FROM evidence_items WHERE department_id = $1) AS evidence",
        department,
    )
    return row["records"], row["evidence"]


async def run(ready: Settings) -> list[Run]:
    assert ready.database.url
    apply_migrations(ready.database.url)
    port = free_port()
    server = intake.start_api(ready, port)
    pool = await create_pool(ready.database.url, min_size=1, max_size=2)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            await intake.wait_ready(client)
        runs = []
        for profile in PROFILES:
            for coding in COMPRESS:
                runs.append(await one_run(pool, port, ready.auth.jwt_secret, profile, coding))
                report_run(runs[-1])
        return runs
    finally:
        await pool.close()
        server.send_signal(signal.SIGINT)
        server.wait(30)


def report_run(run: Run) -> None:
    t = run.traffic
    exact = "exactly once" if (run.records, run.evidence) == (QUEUE, 2 * QUEUE) else "NOT EXACTLY ONCE"
    print(
        f"  {run.profile:<24} {run.coding:<8} queue landed {run.push_s:6.2f} s, pull {run.pull_s:6.2f} s;"
        f" up {t.up_bytes / 1000:7.1f} kB, down {t.down_bytes / 1000:7.1f} kB; round trips"
        f" {t.connections + run.requests} ({t.connections} connections, {run.requests} requests);"
        f" cuts {t.cut_connections}, retries {run.retries}; stored {run.records} records,"
        f" {run.evidence} evidence items: {exact}",
        flush=True,
    )


def report(runs: list[Run], load_before: tuple[float, ...], load_after: tuple[float, ...]) -> None:
    print(
        f"\n{QUEUE} records ({2 * QUEUE} evidence declarations), pushes of {BATCH}, pulls of {PULL_LIMIT};"
        f" load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min)"
    )
    for profile in PROFILES:
        plain = next(r for r in runs if r.profile == profile.name and r.coding == "identity")
        for r in runs:
            if r.profile == profile.name and r is not plain:
                up = plain.traffic.up_bytes / r.traffic.up_bytes
                down = plain.traffic.down_bytes / r.traffic.down_bytes
                print(
                    f"  {profile.name}, {r.coding} vs none: bytes up ÷{up:.1f}, down ÷{down:.1f};"
                    f" queue landed {r.push_s:.2f} s vs {plain.push_s:.2f} s,"
                    f" pull {r.pull_s:.2f} s vs {plain.pull_s:.2f} s"
                )
    slow = [r for r in runs if r.profile == PROFILES[0].name and r.coding != "identity"]
    best = min(slow, key=lambda r: r.push_s)
    print(f"goal: the queue lands in ≤ {GOAL_S:.0f} s on {PROFILES[0].name}: {best.push_s:.2f} s ({best.coding})")


def main() -> None:
    intake.LOG.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, resolved(Settings(data_dir=Path(tmp) / "data")) as ready:
        runs = asyncio.run(run(ready))
    report(runs, load_before, os.getloadavg())
    Path("bench/out/weak-link.json").write_text(msgspec.json.format(msgspec.json.encode(runs)).decode())


if __name__ == "__main__":
    main()
