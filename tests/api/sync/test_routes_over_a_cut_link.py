"""A push over a link that drops: sent again unchanged, every record is stored exactly once.

The device reaches a real uvicorn through ``bench/link.py``, the emulated link the weak-link
benchmark uses, so the connection is really cut: after the server committed and began to answer,
or while the body was still on its way.
"""

import asyncio
import json

import httpx
import pytest
from backports import zstd

from bench.link import Link, Profile
from tests.factories import evidence_item, record_create

LOOPBACK = Profile("loopback", rate_bps=1e9, rtt_s=0.0)
SLOW = Profile("100 kbit/s", rate_bps=100_000, rtt_s=0.0)  # 100 records (~60 kB) take about 5 s


def push_body(inspector, partner, count: int) -> tuple[list[str], bytes]:
    records = [record_create(inspector, partner, evidence=[evidence_item()[0] for _ in range(2)]) for _ in range(count)]
    body = json.dumps({"operations": [{"op": "create_record", "record": r} for r in records]}).encode()
    return [r["id"] for r in records], body


async def stored(pool, ids: list[str]) -> tuple[int, int]:
    row = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM records WHERE id = ANY($1::uuid[])) AS records,"
        " (SELECT count(*) FROM evidence_items WHERE record_id = ANY($1::uuid[])) AS evidence",
        ids,
    )
    return row["records"], row["evidence"]


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def device(link: Link, headers: dict[str, str]) -> httpx.AsyncClient:
    """A handheld's client that reaches the API only through ``link``."""
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{link.port}", headers=headers, timeout=30)


@pytest.mark.integration
async def test_a_push_whose_answer_is_lost_after_the_commit_is_stored_once_when_sent_again(
    live_server, pool, inspector, partner
) -> None:
    ids, body = push_body(inspector, partner, 50)
    headers = inspector.headers | {"content-type": "application/json", "content-encoding": "zstd"}

    async with Link(port_of(live_server), LOOPBACK, drop_answers=1) as link, device(link, headers) as handheld:
        with pytest.raises(httpx.TransportError):
            await handheld.post("/sync/push", content=zstd.compress(body))
        assert await stored(pool, ids) == (50, 100), "the server had committed before its answer was lost"
        answer = await handheld.post("/sync/push", content=zstd.compress(body))

    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["results"]] == ["replayed"] * 50
    assert await stored(pool, ids) == (50, 100)


@pytest.mark.integration
async def test_a_push_cut_while_its_body_is_on_the_way_stores_nothing_and_lands_when_sent_again(
    live_server, pool, inspector, partner
) -> None:
    ids, body = push_body(inspector, partner, 100)
    headers = inspector.headers | {"content-type": "application/json"}

    async with Link(port_of(live_server), SLOW) as link, device(link, headers) as handheld:
        sending = asyncio.create_task(handheld.post("/sync/push", content=body))
        await asyncio.sleep(1)  # about a fifth of the body has reached the server
        link.cut()
        with pytest.raises(httpx.TransportError):
            await sending
        assert await stored(pool, ids) == (0, 0)
        answer = await handheld.post("/sync/push", content=body)

    assert [r["status"] for r in answer.json()["results"]] == ["created"] * 100
    assert await stored(pool, ids) == (100, 200)
