"""Shared steps of the credit and risk tests: register a subject, record facts, make penalty records."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tests.api.subjects.factories import company
from tests.conftest import Caller
from tests.factories import inspection, uuid7

LOCAL = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(LOCAL).date()


def days_ago(n: int) -> str:
    return (today() - dt.timedelta(days=n)).isoformat()


async def new_subject(client, caller: Caller, **party: str) -> dict:
    answer = await client.post("/subjects", json=company(**party), headers=caller.headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


async def record_fact(client, caller: Caller, subject_id: str, kind: str, decided_on: str, **extra: object) -> dict:
    body = {"subject_id": subject_id, "kind": kind, "decided_on": decided_on, "summary": f"{kind} 测试"} | extra
    answer = await client.post("/credit/records", json=body, headers=caller.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def penalty_record(client, inspector: Caller, partner: Caller, uscc: str, occurred_at: dt.datetime) -> str:
    """A case and a penalty record (行政处罚, by two officers) against the company with ``uscc``; returns its id."""
    party = {"kind": "legal_person", "name": "某某石料有限公司", "uscc": uscc}
    case = {
        "id": str(uuid7()),
        "content": {
            "title": "越界开采",
            "item_code": "36010100100001",
            "party": party,
            "region_code": "360102",
            "found_at": occurred_at.isoformat(),
            "place": {"address": "某县某镇采石场"},
        },
    }
    assert (await client.post("/cases", json=case, headers=inspector.headers)).status_code == 201
    content = inspection(inspector, partner) | {
        "kind": "penalty",
        "case_id": case["id"],
        "party": party,
        "occurred_at": occurred_at.isoformat(),
        "violation": "超越批准的矿区范围采矿",
        "legal_basis": "《矿产资源法》第四十条",
        "penalty_kinds": ["fine"],
        "fine_fen": 5_000_000,
        "decision_no": "赣自然资罚〔2026〕1号",
    }
    del content["inspection_type"]
    answer = await client.post("/records", json={"id": str(uuid7()), "content": content}, headers=inspector.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]
