"""Token revocation check (issue 12, security 10): what checking every access token costs.

Run: ``bash bench/run revocation`` (or ``uv run python -m bench.revocation``). Everything in one
run on this machine: embedded PostgreSQL and S3, and three API processes on loopback serving
``GET /users/me`` (token check + one query) with the same token:

- ``none``: the revocation check switched off (the limit: what the API cost before);
- ``cached``: the shipped check, from memory kept current by NOTIFY (``api.auth.revocation``);
- ``query``: the same check asking the database on every request (what a process does while its
  listener is down, and what the cache saves).

Requests arrive open loop at one fixed rate for all three (half what ``none`` serves back to back,
measured first), in interleaved rounds; latency counts from when each request was due. Printed per
variant: p50 and p99 latency and the API process's CPU per request, and their ratios to ``none``.
Then how long a revocation committed in one process takes to reach another's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import msgspec
from litestar import Litestar

from api import asgi
from api.auth.passwords import hash_password
from api.auth.revocation import Revocations, kept_current
from api.auth.tokens import decode_access_token
from api.runtime import resolved
from api.settings import Settings, load_settings, settings_environment
from bench import loadgen
from bench.intake import Meter, expect, quantiles_ms
from storage import users
from storage.db import create_pool
from storage.embedded import free_port
from storage.migrate import apply_migrations

REQUESTS = int(os.environ.get("BENCH_REVOCATION_REQUESTS", "3000"))  # per variant and round
ROUNDS = int(os.environ.get("BENCH_REVOCATION_ROUNDS", "3"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
NOTIFICATIONS = int(os.environ.get("BENCH_REVOCATION_NOTIFICATIONS", "200"))
VARIANTS = ("none", "cached", "query")
PASSWORD = "bench revocation passphrase"
LOG = Path("bench/out/revocation-api.log")


class NoCheck:
    """The ``none`` variant: every token that decodes is accepted, as before issue 12."""

    async def check(self, _principal: object, _pool: object) -> None:
        return None


def _variant_app(swap: object | None) -> Litestar:
    """The serving app exactly as ``api.asgi`` builds it, its revocation check replaced by ``swap`` (None: kept)."""
    app = asgi.create()

    def use_variant(app: Litestar) -> None:  # after the lifespan has installed the real one
        if swap is not None:
            app.state.revocations = swap

    app.on_startup.append(use_variant)
    return app


def without_check() -> Litestar:
    return _variant_app(NoCheck())


def with_cached_check() -> Litestar:
    return _variant_app(None)


def with_query_per_request() -> Litestar:
    return _variant_app(Revocations(token_ttl_s=load_settings().auth.access_ttl_s))  # never listens: never trusted


FACTORIES = {"none": "without_check", "cached": "with_cached_check", "query": "with_query_per_request"}


class Figures(msgspec.Struct):
    check_us: dict[str, float]  # one check in-process: from memory, and by query
    rate: float  # requests/s offered to every variant
    saturated: float  # requests/s of `none`, back to back
    p50_ms: dict[str, float]
    p99_ms: dict[str, float]
    cpu_us: dict[str, float]  # API CPU per request
    notify_ms: list[float]  # commit in one process → applied in another


def start(ready: Settings, variant: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | settings_environment(ready)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"bench.revocation:{FACTORIES[variant]}",
        "--port",
        str(port),
    ]
    LOG.parent.mkdir(parents=True, exist_ok=True)
    command += ["--log-level", "warning"]
    return subprocess.Popen(command, env=env, stdout=LOG.open("ab"), stderr=subprocess.STDOUT)


async def started(port: int, limit_s: float = 180) -> None:
    """Wait for ``/health`` (three servers starting at once on a busy machine take a while)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(int(limit_s * 10)):
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/health")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the API on port {port} did not start; see {LOG}")


async def signed_in_token(ready: Settings, port: int) -> str:
    """A real sign-in (with a stored sign-in, so the check has something to look up)."""
    assert ready.database.url is not None
    pool = await create_pool(ready.database.url, min_size=1, max_size=1)
    username = f"bench-{uuid.uuid4().hex[:8]}"
    async with pool.acquire() as conn:
        department = uuid.uuid4()
        code = f"B{department.hex[:8]}"
        await users.create_department(conn, id=department, code=code, name="基准", region_code="360102")
        await users.create_user(
            conn, id=uuid.uuid4(), username=username, display_name="基准", password_hash=hash_password(PASSWORD),
            role="monitoring_operator", department_id=department, region_code="360102", certificate_no=None,
        )  # fmt: skip
    await pool.close()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        answer = await client.post("/auth/login", json={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        return answer.json()["access_token"]


async def open_rounds(ports: dict[str, int], pids: dict[str, int], token: str, rate: float) -> dict[str, list]:
    """Every variant, ROUNDS times interleaved: (latencies, CPU seconds per request) per round."""
    reads = [loadgen.request("GET", "/users/me", {"Authorization": f"Bearer {token}"})] * REQUESTS
    seen: dict[str, list] = {variant: [] for variant in VARIANTS}
    for round in range(ROUNDS):
        for variant in VARIANTS[round % 3 :] + VARIANTS[: round % 3]:  # each goes first once
            meter = Meter(pids[variant])
            latencies = await loadgen.open_loop("127.0.0.1", ports[variant], reads, CLIENTS, rate, expect(200))
            seen[variant].append((latencies, meter.per_item_ms(REQUESTS)[0] * 1000))
    return seen


async def notification_delays(ready: Settings) -> list[float]:
    """Commit a sign-out in one connection; milliseconds until another process's memory has it."""
    assert ready.database.url is not None
    pool = await create_pool(ready.database.url, min_size=1, max_size=1)
    delays = []
    async with kept_current(ready.database.url, token_ttl_s=ready.auth.access_ttl_s) as other, pool.acquire() as conn:
        user = await conn.fetchval("SELECT id FROM users LIMIT 1")
        for _ in range(NOTIFICATIONS):
            family = uuid.uuid4()
            await conn.execute(
                "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at)"
                " VALUES ($1, $2, $3, $4, now() + interval '1 day')",
                uuid.uuid4(), user, family, uuid.uuid4().hex * 2,
            )  # fmt: skip
            await conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1", family)
            committed = time.time()
            for _ in range(10_000):
                if family in other.ended:
                    break
                await asyncio.sleep(0.0002)
            delays.append((other.ended[family] - committed) * 1000)
    await pool.close()
    return delays


async def check_alone(ready: Settings, token: str) -> dict[str, float]:
    """Microseconds per check in this process: from memory (10 000 ended sign-ins, 1 000 raised
    versions held, as after a busy quarter of an hour) and by one query per check."""
    assert ready.database.url is not None
    principal = decode_access_token(token, secret=ready.auth.jwt_secret)
    pool = await create_pool(ready.database.url, min_size=1, max_size=2)
    cached, queried = Revocations(token_ttl_s=900), Revocations(token_ttl_s=900)
    cached.ended = {uuid.uuid4(): time.time() for _ in range(10_000)}
    cached.versions = {uuid.uuid4(): 1 for _ in range(1_000)}
    timings = {}
    for name, revocations, times in (("cached", cached, 100_000), ("query", queried, 2_000)):
        revocations.trusted_until = time.monotonic() + 3600 if revocations is cached else 0.0
        started = time.perf_counter()
        for _ in range(times):
            await revocations.check(principal, pool)
        timings[name] = (time.perf_counter() - started) / times * 1e6
    await pool.close()
    return timings


async def run(ready: Settings) -> Figures:
    assert ready.database.url is not None
    apply_migrations(ready.database.url)
    ports = {variant: free_port() for variant in VARIANTS}
    servers = {variant: start(ready, variant, ports[variant]) for variant in VARIANTS}
    try:
        for port in ports.values():
            await started(port)
        token = await signed_in_token(ready, ports["cached"])
        alone = await check_alone(ready, token)
        warm = [loadgen.request("GET", "/users/me", {"Authorization": f"Bearer {token}"})] * REQUESTS
        for variant in VARIANTS:  # warm every server up (connections, prepared statements)
            await loadgen.closed_loop("127.0.0.1", ports[variant], warm[:500], CLIENTS, expect(200))
        saturated, _ = await loadgen.closed_loop("127.0.0.1", ports["none"], warm, CLIENTS, expect(200))
        rate = saturated / 2
        seen = await open_rounds(ports, {v: s.pid for v, s in servers.items()}, token, rate)
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=30)
    return summary(alone, seen, rate, saturated, await notification_delays(ready))


def summary(
    alone: dict[str, float], seen: dict[str, list], rate: float, saturated: float, notify_ms: list[float]
) -> Figures:
    p50, p99, cpu = {}, {}, {}
    for variant, rounds in seen.items():
        cuts = [quantiles_ms(latencies) for latencies, _ in rounds]
        p50[variant] = statistics.median(c[0] for c in cuts)
        p99[variant] = statistics.median(c[1] for c in cuts)
        cpu[variant] = statistics.median(us for _, us in rounds)
    return Figures(alone, rate, saturated, p50, p99, cpu, notify_ms)


def report(f: Figures) -> None:
    print(
        f"one check in-process: {f.check_us['cached']:.2f} µs from memory, {f.check_us['query']:.0f} µs by query"
        f" ({f.check_us['cached'] / f.cpu_us['none']:.2%} of a request's API CPU without the check)"
    )
    print(
        f"GET /users/me, open loop at {f.rate:.0f} requests/s (half of {f.saturated:.0f}/s back to back without the"
        f" check), {CLIENTS} connections, {REQUESTS} requests x {ROUNDS} interleaved rounds (medians of rounds)"
    )
    print(f"{'variant':8} {'p50 ms':>8} {'p99 ms':>8} {'API CPU µs/req':>15}   ratio to none: p50 / p99 / CPU")
    for variant in VARIANTS:
        ratios = (f.p50_ms[variant] / f.p50_ms["none"], f.p99_ms[variant] / f.p99_ms["none"],
                  f.cpu_us[variant] / f.cpu_us["none"])  # fmt: skip
        print(f"{variant:8} {f.p50_ms[variant]:8.2f} {f.p99_ms[variant]:8.2f} {f.cpu_us[variant]:15.0f}"
              f"   {ratios[0]:.2f} / {ratios[1]:.2f} / {ratios[2]:.2f}")  # fmt: skip
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    cuts = statistics.quantiles(f.notify_ms, n=100)
    print(f"revocation reaching another process ({len(f.notify_ms)} sign-outs): p50 {cuts[49]:.2f} ms,"
          f" p99 {cuts[98]:.2f} ms, max {max(f.notify_ms):.2f} ms")  # fmt: skip


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-revocation-"))
    with resolved(Settings(data_dir=data)) as ready:
        report(asyncio.run(run(ready)))
    shutil.rmtree(data)


if __name__ == "__main__":
    main()
