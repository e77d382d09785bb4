"""Where the time of a batch push goes, without HTTP (issue 2, acceptance 6): the push path, and plans.

Run: ``uv run python -m bench.intake_plan`` (embedded PostgreSQL, no HTTP). It pushes a few
warm-up batches of ``BENCH_BATCH`` records through ``api.sync.service.push`` on one connection,
then, with the heap settled as in a serving process (``api.asgi.settle_heap``), times
``BENCH_TIMED`` pushes. Per record: wall time, and the CPU of this process (the API's share) and of
PostgreSQL; their sum against the wall time says how much of the two runs at once. Then one more
push with ``auto_explain`` reporting to this session, and it prints per statement: its time, and
inside it the time of the row source (``unnest`` and casts, with the JSON parse of each record's
content) and of each foreign-key check, all per record. Beside them: a raw COPY of the same rows
into ``records`` (the benchmark's limit), per row. The sum over statements is PostgreSQL's share
of a pushed record, which no work on the API side can make smaller.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import asyncpg
import msgspec

from api.asgi import settle_heap
from api.auth.principal import Principal
from api.runtime import resolved
from api.settings import Settings
from api.sync import service
from bench.intake import COPY_COLUMNS, content, copy_rows, cpu_seconds, make_inspectors, postgres_pids, uuid7
from mobile_contract.auth import Role
from storage.db import create_pool
from storage.migrate import apply_migrations

BATCH = int(os.environ.get("BENCH_BATCH", "500"))
WARM_UP = 3
TIMED = int(os.environ.get("BENCH_TIMED", "20"))
EXPLAIN = (
    "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;"
    " SET auto_explain.log_triggers = on; SET auto_explain.log_timing = on; SET auto_explain.log_level = notice"
)
TRIGGER = re.compile(r"Trigger for constraint (\S+): time=([\d.]+) calls=(\d+)")
SCAN = re.compile(r"->  (?:Function Scan on \S+|Subquery Scan).*actual time=[\d.]+\.\.([\d.]+)")
DURATION = re.compile(r"duration: ([\d.]+) ms")


def operations(officers: list[dict]) -> list[msgspec.Raw]:
    return [
        msgspec.Raw(
            msgspec.json.encode({"op": "create_record", "record": {"id": uuid7(), "content": content(officers, n)}})
        )
        for n in range(BATCH)
    ]


def statement_name(plan: str) -> str:
    """'records + evidence_items', 'audit_log' … from the plan's Insert nodes."""
    tables = list(dict.fromkeys(re.findall(r"Insert on (\w+)", plan)))
    return " + ".join(tables) if tables else plan.splitlines()[1].strip()[:40]


def per_record(plans: list[str]) -> dict[str, dict[str, float]]:
    """For each kind of INSERT statement, summed over the push's statements of that kind: total, row
    source and each foreign-key check, in µs per record."""
    figures: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for plan in plans:
        duration = DURATION.search(plan)
        if "Insert on" not in plan or duration is None:
            continue
        name = statement_name(plan)
        figures[name]["statement"] += float(duration.group(1)) * 1000 / BATCH
        if scan := SCAN.search(plan):
            figures[name]["rows in (unnest, casts, JSON parse)"] += float(scan.group(1)) * 1000 / BATCH
        for constraint, ms, _calls in TRIGGER.findall(plan):
            figures[name][f"check {constraint}"] += float(ms) * 1000 / BATCH
    return figures


async def copy_us_per_row(conn: asyncpg.Connection, officers: list[dict]) -> float:
    rows = await copy_rows(conn, officers, BATCH * 4)
    async with conn.transaction():
        started = time.perf_counter()
        await conn.copy_records_to_table("records", records=rows, columns=COPY_COLUMNS)
        return (time.perf_counter() - started) / len(rows) * 1e6


async def run(url: str, secret: str) -> None:
    apply_migrations(url)
    pool = await create_pool(url, min_size=1, max_size=1)
    async with pool.acquire() as conn:
        officers, _ = await make_inspectors(conn, secret)
        principal, timing = await warm_timed_pushes(conn, officers)
        plans: list[str] = []
        await conn.execute(EXPLAIN)
        conn.add_log_listener(lambda _conn, message: plans.append(message.message))
        async with conn.transaction():
            await service.push(conn, principal, operations(officers))
        await conn.execute("RESET ALL")
        copy = await copy_us_per_row(conn, officers)
    await pool.close()
    report_timing(timing, copy)
    report(per_record(plans), copy)


class Timing(msgspec.Struct):
    """One connection's pushes, per record: wall time and the CPU of each side, in µs."""

    wall: float
    api_cpu: float
    db_cpu: float


async def warm_timed_pushes(conn: asyncpg.Connection, officers: list[dict]) -> tuple[Principal, Timing]:
    """Warm-up pushes, the heap settled as in a serving process after start-up, then the timed pushes."""
    user = uuid.UUID(officers[0]["user_id"])
    department = await conn.fetchval("SELECT department_id FROM users WHERE id = $1", user)
    principal = Principal(
        user_id=user,
        username="bench",
        role=Role.INSPECTOR,
        department_id=department,
        region_code="360102",
        device_id="DEV-BENCH-0001",
    )
    for _ in range(WARM_UP):
        async with conn.transaction():
            await service.push(conn, principal, operations(officers))
    settle_heap()
    return principal, await timed_pushes(conn, principal, officers)


async def timed_pushes(conn: asyncpg.Connection, principal: Principal, officers: list[dict]) -> Timing:
    pushes = [operations(officers) for _ in range(TIMED)]
    records = BATCH * len(pushes)
    db_cpu = cpu_seconds(postgres_pids())
    api_cpu, started = time.process_time(), time.perf_counter()
    for push in pushes:
        async with conn.transaction():
            await service.push(conn, principal, push)
    wall = time.perf_counter() - started
    api_cpu, db_cpu = time.process_time() - api_cpu, cpu_seconds(postgres_pids()) - db_cpu
    return Timing(*(seconds / records * 1e6 for seconds in (wall, api_cpu, db_cpu)))


def report_timing(timing: Timing, copy: float) -> None:
    print(f"{TIMED} pushes of {BATCH} records on one connection, no HTTP: per record, µs")
    print(f"  wall {timing.wall:.1f} ({1e6 / timing.wall:.0f} records/s; raw COPY {copy:.1f})")
    print(f"  CPU: API {timing.api_cpu:.1f}, PostgreSQL {timing.db_cpu:.1f}", end="")
    print(f"  (sum ÷ wall = {(timing.api_cpu + timing.db_cpu) / timing.wall:.2f}: above 1, the two overlap)")


def report(figures: dict[str, dict[str, float]], copy: float) -> None:
    total = sum(f["statement"] for f in figures.values())
    print(f"one push of {BATCH} records: PostgreSQL time per record, µs")
    for name, parts in figures.items():
        print(f"  INSERT into {name:<30} {parts['statement']:6.1f}")
        for part, value in parts.items():
            if part != "statement":
                print(f"      {part:<58} {value:6.1f}")
    print(f"  all INSERTs{'':<31} {total:6.1f}")
    print(f"raw COPY into records, per row{'':<14} {copy:6.1f}  (INSERTs ÷ COPY = {total / copy:.1f}×)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, resolved(Settings(data_dir=Path(tmp))) as ready:
        assert ready.database.url
        asyncio.run(run(ready.database.url, ready.auth.jwt_secret))


if __name__ == "__main__":
    main()
