"""GET /draws/plans: the department's sampling plans, each with its draw and how far its inspections went."""

from __future__ import annotations

import pytest

from tests.api.draws.test_routes import ITEM_MINING, office, plan_and_draw, register, unique  # noqa: F401 - fixtures
from tests.factories import record_create

pytestmark = pytest.mark.integration


async def test_plans_are_listed_with_their_draw_and_progress(client, office, unique) -> None:  # noqa: F811
    lead = await office(2)
    (target, _) = await register(client, lead, 2, first=unique)
    drawn = await plan_and_draw(client, lead, (lead, ITEM_MINING), permille=1000)
    [plan] = (await client.get("/draws/plans", headers=lead.supervisor.headers)).json()
    assert (plan["id"], plan["draw_id"]) == (drawn["plan_id"], drawn["document"]["draw_id"])
    assert (plan["targets"], plan["inspected"]) == (2, 0)
    a, b = lead.inspectors
    task = (await client.get("/sync/pull", headers=a.headers)).json()["tasks"][0]
    record = record_create(a, b, result="未发现越界开采")
    record["content"] |= {"task_id": task["id"], "inspection_type": "random"}
    record["content"]["party"]["uscc"] = target
    assert (await client.post("/records", json=record, headers=a.headers)).status_code == 201
    [plan] = (await client.get("/draws/plans", headers=lead.supervisor.headers)).json()
    assert plan["inspected"] == 1

    elsewhere = await office(2)
    assert (await client.get("/draws/plans", headers=elsewhere.supervisor.headers)).json() == []
    assert (await client.get("/draws/plans", headers=a.headers)).status_code == 403
