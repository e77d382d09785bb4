"""Intake: the simple two-phase path against the look-ahead pipeline it replaced (issue 19), one run.

Run: ``bash bench/run intake-compare`` (or ``uv run python -m bench.intake_compare``). The old code is
checked out from git into a temporary worktree (``BENCH_OLD_COMMIT``, default the last commit with the
look-ahead) with this tree's ``bench/`` copied over it, so both run the same benchmark code; nothing
of the old path is kept in this tree. Both run against one embedded PostgreSQL in this run, in
interleaved pairs (the order alternating), so the machine's drift falls on both:

1. **without HTTP**: ``BENCH_TIMED`` pushes of ``BENCH_BATCH`` records through ``api.sync.service.push``
   on one connection, in a process started in each tree: records/s, and the CPU of that process
   (the API's share) and of PostgreSQL per record;
2. **through HTTP**: ``enforce serve`` started from each tree, one device pushing ``BENCH_BATCHES``
   pushes of ``BENCH_BATCH`` back to back: records/s and CPU per record;
3. **open loop** (this tree only): requests due at a fixed rate from 50 connections, latency counted
   from when each was due; the rate rises by a fixed step until a step's p99 reaches 50 ms, for the
   floor ``GET /users/me`` and for single ``POST /records`` taking turns at each rate. Printed: the
   highest rate with p99 < 50 ms for each, and their ratio.

The load average is printed before and after: the machine is shared, so read ratios within the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import msgspec

from api.runtime import resolved
from api.settings import Settings
from bench import intake, loadgen
from storage.db import create_pool
from storage.embedded import free_port
from storage.migrate import apply_migrations

OLD_COMMIT = os.environ.get("BENCH_OLD_COMMIT", "a82da95")  # the last commit of the look-ahead intake
PAIRS = int(os.environ.get("BENCH_PAIRS", "3"))
P99_LIMIT_S = 0.050
STEP = 1.2  # each open-loop rate is this much above the last
STEP_SECONDS = float(os.environ.get("BENCH_STEP_S", "3"))  # each rate held this long
FIRST_RATE = float(os.environ.get("BENCH_FIRST_RATE", "20"))  # requests/s of the ladder's first step
STEP_REQUESTS = 300  # at least this many requests a step, so its p99 is the third-worst, not one outlier
HERE = Path(__file__).resolve().parent.parent


class Figures(msgspec.Struct):
    """One measurement of one tree: records/s and CPU per record (ms) of the API process and PostgreSQL."""

    rate: float
    api_cpu_ms: float
    db_cpu_ms: float


def old_tree(into: Path) -> Path:
    """The old commit checked out into ``into``, with this tree's benchmark code laid over it."""
    tree = into / "old"
    subprocess.run(["git", "-C", str(HERE), "worktree", "add", "--detach", "-q", str(tree), OLD_COMMIT], check=True)
    shutil.copytree(HERE / "bench", tree / "bench", dirs_exist_ok=True)
    return tree


def drop_tree(tree: Path) -> None:
    subprocess.run(["git", "-C", str(HERE), "worktree", "remove", "--force", str(tree)], check=False)


def in_process(tree: Path, ready: Settings) -> Figures:
    """The push path without HTTP, in a process whose ``api`` is the one in ``tree``."""
    env = os.environ | {"BENCH_DSN": ready.database.url or "", "BENCH_SECRET": ready.auth.jwt_secret}
    done = subprocess.run(
        [sys.executable, "-m", "bench.intake_compare", "worker"], cwd=tree, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer.pop("api") == str(tree / "api" / "__init__.py"), "the worker ran another tree's code"
    return Figures(**answer)


async def worker() -> None:
    """Warm-up pushes, then timed ones, on one connection; prints the figures as one JSON line."""
    import api
    from bench import intake_plan

    pool = await create_pool(os.environ["BENCH_DSN"], min_size=1, max_size=1)
    async with pool.acquire() as conn:
        officers, _ = await intake.make_inspectors(conn, os.environ["BENCH_SECRET"])
        _, timing = await intake_plan.warm_timed_pushes(conn, officers)
    await pool.close()
    figures = {"rate": 1e6 / timing.wall, "api_cpu_ms": timing.api_cpu / 1000, "db_cpu_ms": timing.db_cpu / 1000}
    print(json.dumps(figures | {"api": api.__file__}))


async def through_http(tree: Path, ready: Settings, officers: list[dict], token: str) -> Figures:
    """One device emptying its queue through ``enforce serve`` started from ``tree``."""
    port = free_port()
    server = intake.start_api(ready, port, tree=tree)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            await intake.wait_ready(client)
        meter = intake.Meter(server.pid)
        rate = await intake.batch_intake_rate(port, officers, token, devices=1)
        return Figures(rate, *meter.per_item_ms(intake.BATCH_SIZE * intake.BATCHES))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)


class Step(msgspec.Struct):
    rate: float
    p50_ms: float
    p99_ms: float


async def open_loop_step(port: int, requests: list[bytes], rate: float, check: loadgen.Check) -> Step:
    latencies = await loadgen.open_loop("127.0.0.1", port, requests, intake.CONCURRENCY, rate, check)
    p50, p99 = intake.quantiles_ms(latencies)
    return Step(rate, p50, p99)


async def highest_rates(port: int, officers: list[dict], token: str) -> dict[str, list[Step]]:
    """Each rate of the ladder for the floor and for single submissions in turn, until each fails once."""
    headers = intake.auth_headers(token)

    def floor(count: int) -> list[bytes]:
        return [loadgen.request("GET", "/users/me", headers)] * count

    def records(count: int) -> list[bytes]:
        bodies = (
            msgspec.json.encode({"id": intake.uuid7(), "content": intake.content(officers, n)}) for n in range(count)
        )
        return [loadgen.request("POST", "/records", headers, body) for body in bodies]

    kinds: dict[str, tuple[Callable[[int], list[bytes]], loadgen.Check]] = {
        "floor": (floor, intake.expect(200)),
        "records": (records, intake.expect(201)),
    }
    for make, check in kinds.values():  # prepared statements, caches, a settled heap: not the first requests
        await loadgen.closed_loop("127.0.0.1", port, make(300), intake.CONCURRENCY, check)
    ladder: dict[str, list[Step]] = {name: [] for name in kinds}
    rate = FIRST_RATE
    while kinds:
        for name, (make, check) in list(kinds.items()):
            step = await open_loop_step(port, make(max(STEP_REQUESTS, int(rate * STEP_SECONDS))), rate, check)
            ladder[name].append(step)
            print(
                f"  open loop {name:<8} {rate:7.0f}/s: p50 {step.p50_ms:6.1f} ms, p99 {step.p99_ms:7.1f} ms", flush=True
            )
            if step.p99_ms >= P99_LIMIT_S * 1000:
                del kinds[name]
        rate *= STEP
    return ladder


def best(steps: list[Step]) -> float:
    """The highest rate before the first step whose p99 reached the limit (0 if the first did)."""
    passed = [s.rate for s in steps if s.p99_ms < P99_LIMIT_S * 1000]
    return passed[-1] if passed else 0.0


async def settle(dsn: str) -> None:
    """Vacuum and checkpoint after the bulk pairs, so the ladder does not time autovacuum and a checkpoint."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM ANALYZE")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def run(ready: Settings, old: Path) -> dict[str, object]:
    assert ready.database.url
    apply_migrations(ready.database.url)
    # only this run's PostgreSQL counts (the socket folder is its data folder), here and in the workers
    os.environ["BENCH_PG_DIR"] = parse_qs(urlsplit(ready.database.url).query)["host"][0]
    pool = await create_pool(ready.database.url, min_size=1, max_size=2)
    async with pool.acquire() as conn:
        officers, token = await intake.make_inspectors(conn, ready.auth.jwt_secret)
    await pool.close()
    trees = {"old": old, "new": HERE}
    results: dict[str, dict[str, list[Figures]]] = {
        "in_process": {"old": [], "new": []},
        "http": {"old": [], "new": []},
    }
    for pair in range(PAIRS):
        for name in ("old", "new") if pair % 2 == 0 else ("new", "old"):
            results["in_process"][name].append(await asyncio.to_thread(in_process, trees[name], ready))
            results["http"][name].append(await through_http(trees[name], ready, officers, token))
            print(
                f"  pair {pair + 1} {name}: {results['in_process'][name][-1]} / {results['http'][name][-1]}", flush=True
            )
    await settle(ready.database.url)
    port = free_port()
    server = intake.start_api(ready, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            await intake.wait_ready(client)
        ladder = await highest_rates(port, officers, token)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    return {"pairs": results, "ladder": ladder}


def report(figures: dict[str, object], load_before: tuple[float, ...], load_after: tuple[float, ...]) -> None:
    pairs: dict[str, dict[str, list[Figures]]] = figures["pairs"]  # type: ignore[assignment]
    print(
        f"\nold = {OLD_COMMIT} (look-ahead pipeline), new = this tree (two phases); load average before"
        f" {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min, 2 cores)"
    )
    for path, label in (("in_process", "without HTTP"), ("http", "through HTTP")):
        old, new = pairs[path]["old"], pairs[path]["new"]
        print(f"{label}: {intake.BATCH_SIZE} records per push, records/s and CPU per record (API / PostgreSQL, ms)")
        for i, (o, n) in enumerate(zip(old, new, strict=True)):
            print(
                f"  pair {i + 1}: old {o.rate:7.0f} ({o.api_cpu_ms:.3f} / {o.db_cpu_ms:.3f})"
                f"  new {n.rate:7.0f} ({n.api_cpu_ms:.3f} / {n.db_cpu_ms:.3f})  new ÷ old {n.rate / o.rate:.3f}"
            )
        ratios = [n.rate / o.rate for o, n in zip(old, new, strict=True)]
        print(
            f"  new ÷ old records/s: median {statistics.median(ratios):.3f}, range {min(ratios):.3f} – "
            f"{max(ratios):.3f} (goal: the simple path costs no more than 10 %, ≥ 0.90)"
        )
    ladder: dict[str, list[Step]] = figures["ladder"]  # type: ignore[assignment]
    floor, records = best(ladder["floor"]), best(ladder["records"])
    print(f"open loop, {intake.CONCURRENCY} connections, highest rate with p99 < 50 ms (steps ×{STEP}):")
    print(
        f"  floor GET /users/me {floor:.0f}/s; single POST /records {records:.0f}/s;"
        f" ratio {records / floor if floor else float('nan'):.2f}"
    )


def main() -> None:
    if sys.argv[1:] == ["worker"]:
        asyncio.run(worker())
        return
    intake.LOG.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        old = old_tree(Path(tmp))
        try:
            with resolved(Settings(data_dir=Path(tmp) / "data")) as ready:
                figures = asyncio.run(run(ready, old))
        finally:
            drop_tree(old)
    report(figures, load_before, os.getloadavg())
    out = Path("bench/out/intake-compare.json")
    out.write_text(json.dumps(msgspec.to_builtins(figures), indent=2))


if __name__ == "__main__":
    main()
