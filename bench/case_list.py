"""Case list benchmark (issue 13, item 7): ``GET /cases`` with many cases stored.

Run: ``bash bench/run cases`` (or ``uv run python -m bench.case_list``). Everything runs on this
machine in one run: embedded PostgreSQL, the API as a separate uvicorn process on loopback, the
load generator here. ``CASES`` cases are stored in each of two departments (written directly, with
a filing number, a filing document, a record naming two of the department's inspectors and a stage
for most of them: how they came is not timed). A supervisor of the first department then asks, open
loop at ``RATE`` requests/s (latency counted from when each request was due):

- the limit: ``GET /cases/{id}``, reading one case by its key;
- the first page of the list, a page deep in it (keyset cursor), and searches by party, document
  number, stage, officer and registration date — each both matching (a page fills early) and
  matching nothing (the whole department is looked at: the worst case of a keyset search).

Printed: p50 and p99 of each, and p99 ÷ the limit's p99.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import httpx
import msgspec

from api.paging import encode_cursor
from api.settings import Settings
from bench import loadgen
from bench.console import PASSWORD_HASH, make_user, percentile
from bench.installation import fresh_installation
from bench.intake import start_api, wait_ready
from mobile_contract.auth import Role
from storage import users
from storage.embedded import free_port

CASES = int(os.environ.get("BENCH_CASES", "50000"))  # per department; two departments
RATE = float(os.environ.get("BENCH_RATE", "10"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))  # per query
WARM_UP = 6  # requests per query before timing: PostgreSQL plans a prepared statement generically from the 6th
INSPECTORS = 20  # per department
PARTIES = 2000  # distinct party names per department
# Most cases are past filing; one in a hundred waits for legal review (a rare stage to look for).
STAGES = ["investigating", "notified", "reviewed", "decided", "served", "executing", "closed", "not_penalised"]


async def department(conn: asyncpg.Connection, secret: str, code: str) -> tuple[uuid.UUID, dict, list[uuid.UUID]]:
    """A department, its supervisor's headers and its inspectors' ids."""
    department_id = uuid.uuid4()
    await users.create_department(conn, id=department_id, code=code, name=f"基准测试局 {code}", region_code="360102")
    _, head = await make_user(conn, secret, department_id, Role.SUPERVISOR, 0)
    inspectors = [uuid.uuid4() for _ in range(INSPECTORS)]
    for n, user_id in enumerate(inspectors):
        await users.create_user(
            conn,
            id=user_id,
            username=f"inspector-{code}-{n}",
            display_name=f"执法人员 {n}",
            password_hash=PASSWORD_HASH,
            role=Role.INSPECTOR.value,
            department_id=department_id,
            region_code="360102",
            certificate_no=f"C{code}{n:03}",
        )
    return department_id, head, inspectors


async def store_cases(conn: asyncpg.Connection, department_id: uuid.UUID, code: str, inspectors: list) -> None:
    """``CASES`` cases over three years, newest last; most filed, with a filing document and a record."""
    await conn.execute(
        "INSERT INTO cases (id, department_id, version, content_sha256, content, created_by, version_by,"
        " created_at, updated_at, participant_ids)"
        " SELECT gen_random_uuid(), $1, 1, repeat('0', 64), jsonb_build_object("
        "  'title', '石料厂越界开采案 ' || n, 'item_code', '36010100100001', 'region_code', '360102',"
        "  'party', jsonb_build_object('kind', 'legal_person', 'name', '青山石料有限公司' || (n % $3),"
        "    'uscc', '91350100M000100Y43'),"
        "  'found_at', to_char(t, 'YYYY-MM-DD\"T\"HH24:MI:SSOF:00'),"
        "  'place', jsonb_build_object('address', '某县某镇'),"
        "  'summary', '巡查发现越界开采'),"
        " ($4::uuid[])[1 + n % $5], ($4::uuid[])[1 + n % $5], t, t,"
        " ARRAY[($4::uuid[])[1 + n % $5], ($4::uuid[])[1 + (n + 1) % $5]]"
        " FROM generate_series(1, $2) AS n,"
        " LATERAL (SELECT now() - (($2 - n) * interval '1 hour') * 26280 / $2) AS at(t)",  # three years
        department_id,
        CASES,
        PARTIES,
        inspectors,
        len(inspectors),
    )
    await conn.execute(
        "INSERT INTO records (id, kind, case_id, department_id, item_code, region_code, occurred_at, version,"
        " content_sha256, content, created_by, version_by, created_at, participant_ids)"
        " SELECT gen_random_uuid(), 'inspection', c.id, c.department_id, '36010100100001', '360102', c.created_at, 1,"
        " repeat('0', 64), jsonb_build_object('officers', (SELECT jsonb_agg(jsonb_build_object('user_id', u.id,"
        "   'name', u.display_name, 'certificate_no', u.certificate_no)) FROM users u"
        "   WHERE u.id = ANY (c.participant_ids))), c.created_by, c.created_by, c.created_at, c.participant_ids"
        " FROM cases c WHERE c.department_id = $1",
        department_id,
    )
    await conn.execute(
        "WITH numbered AS (SELECT id, created_at, row_number() OVER (ORDER BY created_at, id) AS n"
        "  FROM cases WHERE department_id = $1)"
        " INSERT INTO case_workflow (case_id, department_id, stage, state, head_hash)"
        " SELECT id, $1, CASE WHEN n % 100 = 1 THEN 'legal_review' ELSE ($3::text[])[1 + n % $4] END,"
        "  jsonb_build_object('filing_document_no',"
        "    $2 || '立〔' || extract(year FROM created_at) || '〕' || n || '号'),"
        "  repeat('0', 64)"
        " FROM numbered WHERE n % 5 <> 0",  # one in five still waits to be filed
        department_id,
        code,
        STAGES,
        len(STAGES),
    )
    await conn.execute(
        "INSERT INTO case_documents (id, case_id, department_id, kind, year, serial, number, event_id, issued_at,"
        " data, html, html_sha256)"
        " SELECT gen_random_uuid(), w.case_id, w.department_id, 'filing_approval', 2026,"
        "  row_number() OVER (ORDER BY w.case_id), w.state ->> 'filing_document_no', gen_random_uuid(), now(),"
        "  '{}'::jsonb, '', repeat('0', 64)"
        " FROM case_workflow w WHERE w.department_id = $1",
        department_id,
    )


class Query(msgspec.Struct):
    label: str
    path: str


async def queries(pool: asyncpg.Pool, department_id: uuid.UUID, code: str, inspectors: list) -> list[Query]:
    """The limit and the list's queries, with values that match and values that match nothing."""
    newest = await pool.fetchval(
        "SELECT id FROM cases WHERE department_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1", department_id
    )
    middle = await pool.fetchrow(
        "SELECT created_at, id FROM cases WHERE department_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1",
        department_id,
        CASES // 2,
    )
    number = await pool.fetchval(
        "SELECT state ->> 'filing_document_no' FROM case_workflow WHERE department_id = $1 ORDER BY case_id LIMIT 1",
        department_id,
    )
    listed = [
        ("first page, no condition", {}),
        (f"page {CASES // 2 // 50 + 1} (cursor half-way)", {"cursor": encode_cursor(*middle)}),
        ("party: part of a name, matching", {"party": "青山石料有限公司17"}),
        ("party: matching nothing", {"party": "绿水砂石"}),
        ("number: one filing number", {"number": number}),
        ("number: matching nothing", {"number": f"{code}罚〔2026〕"}),
        ("stage: legal review (1 %)", {"stage": "legal_review"}),
        ("stage: not filed (none stored)", {"stage": "not_filed"}),
        ("officer: one of 20", {"officer_id": str(inspectors[3])}),
        ("registered in one week, a year ago", {"registered_from": "2025-12-01", "registered_to": "2025-12-07"}),
    ]
    return [Query("limit: GET /cases/{id}", f"/cases/{newest}")] + [
        Query(label, "/cases" + (f"?{urlencode(params)}" if params else "")) for label, params in listed
    ]


def expect_ok(answer: loadgen.Answer) -> None:
    if answer.status != 200:
        raise RuntimeError(f"{answer.status}: {answer.body[:300]!r}")


async def measure(port: int, head: dict, query: Query) -> tuple[list[float], int]:
    """Latencies of ``REQUESTS`` requests at ``RATE``/s, open loop; and how many cases the page held."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for _ in range(WARM_UP):  # the API's prepared statements and PostgreSQL's plan cache, as in service
            body = (await http.get(query.path, headers=head)).json()
    raw = loadgen.request("GET", query.path, head)
    latencies = await loadgen.open_loop("127.0.0.1", port, [raw] * REQUESTS, 8, RATE, expect_ok)
    return latencies, len(body.get("items", [body]))


async def run(ready: Settings) -> None:
    assert ready.database.url is not None
    pool = await asyncpg.create_pool(ready.database.url, min_size=1, max_size=2)
    secret = ready.auth.jwt_secret
    async with pool.acquire() as conn:
        mine = await department(conn, secret, "B0000001")
        theirs = await department(conn, secret, "B0000002")
        started = time.perf_counter()
        for (department_id, _, inspectors), code in ((mine, "B0000001"), (theirs, "B0000002")):
            await store_cases(conn, department_id, code, inspectors)
        await conn.execute("ANALYZE")
        print(f"stored {2 * CASES} cases in two departments in {time.perf_counter() - started:.0f} s")
        found = await queries(pool, mine[0], "B0000001", mine[2])
    port = free_port()
    api = start_api(ready, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(5):  # a loaded machine may take longer than one wait_ready (20 s) to start it
                with contextlib.suppress(RuntimeError):
                    await wait_ready(http)
                    break
        report([(q, *await measure(port, mine[1], q)) for q in found])
    finally:
        api.terminate()
        api.wait(30)
        await pool.close()


def report(results: list[tuple[Query, list[float], int]]) -> None:
    print(f"\nGET /cases, {CASES} cases in the department ({2 * CASES} stored), {RATE:g} requests/s open loop,")
    print(f"{REQUESTS} requests each, latency from when each was due (load average {os.getloadavg()[0]:.1f}):")
    limit = percentile(results[0][1], 0.99)
    for query, latencies, items in results:
        p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
        print(
            f"  {query.label:42} {items:3} cases  p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
            f"  = {p99 / limit:5.1f}× the limit"
        )


def main() -> None:
    Path("bench/out").mkdir(exist_ok=True)  # the API's log (bench.intake.start_api)
    with fresh_installation("bench-cases-") as ready:
        asyncio.run(run(ready))


if __name__ == "__main__":
    main()
