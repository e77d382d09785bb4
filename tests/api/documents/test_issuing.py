"""Document numbers (文书号): per department, year and kind; no gaps, no duplicates, under concurrency."""

import asyncio
import re
import uuid

import pytest

from mobile_contract.auth import Role
from storage import numbered_documents
from tests.api.cases.support import open_case, penalty, take, to_notified, waive

NUMBER = re.compile(r"^(?P<dept>D[0-9a-f]{10})罚〔(?P<year>\d{4})〕(?P<serial>\d+)号$")


async def test_rolled_back_numbers_are_reused_so_committed_ones_have_no_gaps(pool, department) -> None:
    async def take_one(n: int) -> int | None:
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            serial = await numbered_documents.next_serial(conn, department_id=department.id, year=2026, kind="t")
            await asyncio.sleep(0)
            if n % 3 == 0:
                await tx.rollback()  # the request failed after taking a number
                return None
            await tx.commit()
            return serial

    taken = [s for s in await asyncio.gather(*(take_one(n) for n in range(30))) if s is not None]
    assert sorted(taken) == list(range(1, 21))


@pytest.mark.slow
async def test_100_concurrent_decisions_get_100_distinct_gapless_numbers(client, pool, make_user, department):
    inspector, partner = await make_user(Role.INSPECTOR, department), await make_user(Role.INSPECTOR, department)
    head = await make_user(Role.SUPERVISOR, department)

    async def ready() -> str:
        case_id = await open_case(client, inspector, partner)
        await to_notified(client, head, inspector, case_id)
        await waive(client, inspector, case_id)
        return case_id

    case_ids = []
    for _ in range(10):  # ten at a time: the preparation is not what is measured
        case_ids += await asyncio.gather(*(ready() for _ in range(10)))
    decided = await asyncio.gather(
        *(take(client, head, c, {"action": "decide", "penalty": penalty()}) for c in case_ids)
    )
    numbers = [d["state"]["decision"]["document_no"] for d in decided]
    parsed = [NUMBER.match(n) for n in numbers]
    assert all(parsed) and {p["dept"] for p in parsed} == {department.code}
    assert sorted(int(p["serial"]) for p in parsed) == list(range(1, 101))
    stored = await pool.fetch(
        "SELECT serial FROM case_documents WHERE department_id = $1 AND kind = 'decision' ORDER BY serial",
        uuid.UUID(str(department.id)),
    )
    assert [r["serial"] for r in stored] == list(range(1, 101))
