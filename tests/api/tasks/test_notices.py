"""Reminders on the handheld through pull: a legal review sent back, a time limit about to run out."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.testing import AsyncTestClient

from api.cases import clock
from mobile_contract.auth import Role
from tests.api.cases.support import open_case, take
from tests.api.review.test_routes import case_with_evidence, conclusion
from tests.conftest import Caller

pytestmark = pytest.mark.integration


async def pulled(client: AsyncTestClient, inspector: Caller, source: str) -> list[dict]:
    answer = await client.get("/sync/pull", headers=inspector.headers)
    assert answer.status_code == 200, answer.text
    return [t for t in answer.json()["tasks"] if t["source"] == source]


async def test_a_returned_review_reaches_each_officer_of_the_case(
    client, make_user, department, inspector, partner, head
):
    reviewer = await make_user(Role.LEGAL_REVIEWER, department)
    case_id, _ = await case_with_evidence(client, inspector, partner, head)
    await client.get(f"/reviews/{case_id}", headers=reviewer.headers)
    returned = conclusion("return", "缺少现场测量报告")
    answer = await client.post(f"/reviews/{case_id}/conclusion", json=returned, headers=reviewer.headers)
    assert answer.status_code == 201, answer.text

    for officer in (inspector, partner):
        (task,) = await pulled(client, officer, "review_returned")
        assert task["detail"] == {
            "case_id": case_id,
            "case_title": "某某石料有限公司越界开采案",
            "reasons": "缺少现场测量报告",
        }
        assert task["title"].startswith("法制审核退回补充调查") and task["status"] == "open"


async def test_a_limit_due_soon_is_reminded_once_and_withdrawn_when_met(
    client, monkeypatch: pytest.MonkeyPatch, inspector, partner, head, pinned_today: dt.date
) -> None:
    case_id = await open_case(client, inspector, partner)
    await take(client, head, case_id, {"action": "file"})  # 立案: ninety days to decide (第六十条)
    assert await pulled(client, inspector, "deadline") == [], "nothing is due for ninety days"

    due = pinned_today + dt.timedelta(days=90)
    monkeypatch.setattr(clock, "today", lambda: due - dt.timedelta(days=2))
    (reminder,) = await pulled(client, inspector, "deadline")
    assert reminder["due_on"] == due.isoformat() and reminder["detail"]["rule"] == "decide_90"
    assert "九十日内作出处罚决定" in reminder["title"] and reminder["status"] == "open"
    assert [t["id"] for t in await pulled(client, inspector, "deadline")] == [reminder["id"]], "one reminder"

    await take(
        client,
        head,
        case_id,
        {"action": "transfer", "target": "judiciary", "organ": "某县公安局", "reason": "涉嫌犯罪"},
    )
    (withdrawn,) = await pulled(client, inspector, "deadline")
    assert withdrawn["status"] == "cancelled" and withdrawn["cancel_reason"] == "该期限已办结或已变更"
