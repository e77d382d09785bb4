"""The case list's party search (当事人查询) at a department's real size: found through its index (migration 0180).

A name part or a code that matches few cases must not read every case of the department; a term that
matches many may walk them newest first (the first page fills at once), so only the selective terms
are held to the index. Everything is stored in one transaction and rolled back: the other tests'
case lists stay as they were.
"""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

import asyncpg
import pytest

from storage import cases
from tests.conftest import Caller, Department

CASES = 20_000  # a county bureau's cases over several years (bench/case_list.py stores 50 000)
WORDS = ["青山", "绿水", "金石", "宏达", "鑫源", "恒泰", "广利", "兴旺", "永安", "瑞丰"]
TRADES = ["石料", "矿业", "建材", "砂石", "运输"]
SHARED_USCC = "91360102MA00000018"  # no other test stores it: how common it is is this test's alone
PAGE = 30
SELECTIVE = [  # (term, why it is selective)
    ("无此当事人", "matches nothing"),
    ("无此", "two characters matching nothing (pg_trgm has no trigram for it)"),
    ("青山石料有限公司75", "one party in a thousand"),
    ("Z", "a character no name has"),
    (SHARED_USCC, "a USCC: exact"),
]
CHECKED = ["青山石料有限公司75", SHARED_USCC.lower(), "Z", "石料有限公司10", "山", "无此当事人"]


class Explaining:
    """A connection that answers a query with its plan (EXPLAIN) instead of its rows."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn, self.plan = conn, ""

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.plan = json.dumps(await self.conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *args))  # decoded by the pool
        return []


def party(n: int) -> tuple[str, str]:
    """The n-th case's party: one of 50 names with a number (about 400 cases each), its USCC (one in 1000 the same)."""
    name = f"{WORDS[n % 10]}{TRADES[n // 10 % 5]}有限公司{n % 1000}"
    return name, SHARED_USCC if n % 1000 == 0 else f"9135010000000{n:05d}"


async def store(conn: asyncpg.Connection, department: Department, inspector: Caller) -> None:
    parties = [party(n) for n in range(CASES)]
    await conn.execute(
        "INSERT INTO cases (id, department_id, version, content_sha256, content, created_by, version_by,"
        " created_at, updated_at, participant_ids)"
        " SELECT gen_random_uuid(), $1, 1, repeat('0', 64), jsonb_build_object('title', '越界开采案',"
        "  'party', jsonb_build_object('kind', 'legal_person', 'name', name, 'uscc', uscc)),"
        " $2::uuid, $2, now() - n * interval '1 hour', now(), ARRAY[$2::uuid]"
        " FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS p (name, uscc, n)",
        department.id,
        inspector.principal.user_id,
        [name for name, _ in parties],
        [uscc for _, uscc in parties],
    )
    await conn.execute("ANALYZE cases")


def expected(term: str) -> int:
    """How many of the first page a search finds: a part of the name (any case), or the whole USCC."""
    matching = sum(term.lower() in name.lower() or term.upper() == uscc for name, uscc in map(party, range(CASES)))
    return min(matching, PAGE)


async def searched(conn: Any, department_id: uuid.UUID, party: str) -> list[Any]:
    """The first page of the department's cases whose party matches, as the case list asks for it."""
    return await cases.search_page(
        conn,
        department_id=department_id,
        number="",
        party=party,
        stage=None,
        officer_id=None,
        registered_from=None,
        registered_before=None,
        after=None,
        limit=PAGE,
    )


async def plan_of(conn: asyncpg.Connection, department_id: uuid.UUID, party: str) -> str:
    explaining = Explaining(conn)  # answers fetch() only, as search_page needs
    await searched(explaining, department_id, party)
    return explaining.plan


@pytest.mark.slow  # 20 000 cases stored and indexed: about 5 s
async def test_a_selective_party_search_uses_the_party_index(
    pool: asyncpg.Pool, department: Department, inspector: Caller
) -> None:
    async with pool.acquire() as conn:
        stored = conn.transaction()
        await stored.start()
        try:
            await store(conn, department, inspector)
            plans = {term: await plan_of(conn, department.id, term) for term, _ in SELECTIVE}
            found = [len(await searched(conn, department.id, term)) for term in CHECKED]
        finally:
            await stored.rollback()
    missed = [f"{term} ({why})" for term, why in SELECTIVE if "cases_party_search" not in plans[term]]
    assert not missed, f"read without the party index: {missed}"
    assert found == [expected(term) for term in CHECKED], "the index narrows, the substring decides"


async def test_the_index_terms_never_leave_out_a_name_that_contains_the_term(pool: asyncpg.Pool) -> None:
    """Every (name, part of it) pair — any case, %, _, one character or many — passes the index's filter."""
    rng = random.Random(180)
    alphabet = "青山石料砂公司有限Aa%_ 1"
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(2000)]
    pairs = []
    for name in names:
        start = rng.randrange(len(name))
        part = name[start : start + rng.randint(1, 4)]
        pairs.append((name, part.upper() if rng.random() < 0.3 else part))
    async with pool.acquire() as conn:
        left_out = await conn.fetch(
            "SELECT name, part FROM unnest($1::text[], $2::text[]) AS p (name, part)"
            " WHERE strpos(lower(name), lower(part)) > 0"
            " AND NOT party_search_terms(jsonb_build_object('name', name)) @> party_name_grams(part)",
            [n for n, _ in pairs],
            [p for _, p in pairs],
        )
    assert [tuple(r) for r in left_out] == []
