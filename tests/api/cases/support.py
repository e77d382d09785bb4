"""Building cases and driving their procedure through the HTTP API, as clients do."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.testing import AsyncTestClient

from api.cases import clock
from tests.conftest import Caller
from tests.factories import VALID_USCC, inspection, uuid7

# The procedure's date, pinned inside the installed holiday data (2004–2026), so that notices, which
# state working-day periods, do not start failing when the suite runs in the last weeks of 2026.
PINNED_TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: PINNED_TODAY)
    return PINNED_TODAY


def case_content(**changes: object) -> dict:
    content = {
        "title": "某某石料有限公司越界开采案",
        "item_code": "36010100100001",
        "party": {"kind": "legal_person", "name": "某某石料有限公司", "uscc": VALID_USCC},
        "region_code": "360102",
        "found_at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC).isoformat(),
        "place": {"address": "某县某镇采石场"},
        "summary": "巡查发现越界开采",
    }
    return content | changes


def penalty(fine_yuan: int = 50_000, **changes: object) -> dict:
    body = {
        "violation_code": "KC-001",
        "circumstance": "ordinary",
        "facts": "越界开采建筑石料约 2000 立方米",
        "legal_basis": "《矿产资源法》第四十条",
        "kinds": ["fine"] if fine_yuan else ["warning"],
        "fine_fen": fine_yuan * 100,
    }
    return body | changes


async def open_case(client: AsyncTestClient, *officers: Caller, evidence: list[dict] | None = None, **content) -> str:
    """A case with one inspection record by ``officers`` (the first one submits)."""
    case_id = str(uuid7())
    answer = await client.post(
        "/cases", json={"id": case_id, "content": case_content(**content)}, headers=officers[0].headers
    )
    assert answer.status_code == 201, answer.text
    record = {"id": str(uuid7()), "content": inspection(*officers, evidence=evidence) | {"case_id": case_id}}
    answer = await client.post("/records", json=record, headers=officers[0].headers)
    assert answer.status_code == 201, answer.text
    return case_id


async def take(client: AsyncTestClient, caller: Caller, case_id: str, step: dict, *, status: int = 201) -> dict:
    """Ask for one step; asserts the status and returns the answer body."""
    answer = await client.post(
        f"/cases/{case_id}/workflow/steps", json={"id": str(uuid7()), "step": step}, headers=caller.headers
    )
    assert answer.status_code == status, answer.text
    return answer.json()


async def to_notified(client, head: Caller, inspector: Caller, case_id: str, **notify) -> dict:
    await take(client, head, case_id, {"action": "file"})
    return await take(
        client, inspector, case_id, {"action": "notify", "penalty": penalty(), "hearing_rights": False} | notify
    )


async def waive(client, inspector: Caller, case_id: str, *, hearing: bool = False) -> dict:
    step = {"action": "record_statement", "summary": "当事人表示放弃陈述申辩", "waives_statement": True}
    return await take(client, inspector, case_id, step | {"waives_hearing": hearing})
