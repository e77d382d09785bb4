"""GET /cases: the department's cases for desk users, searched by number, party, stage, officer and date."""

from __future__ import annotations

import datetime as dt

import pytest

from api.cases.clock import CHINA
from mobile_contract.auth import Role
from tests.api.cases.support import open_case, take
from tests.factories import VALID_USCC

pytestmark = pytest.mark.integration


async def listed(client, caller, **query) -> list[str]:
    answer = await client.get("/cases", params=query, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


@pytest.fixture
async def three_cases(client, inspector, partner, head) -> list[str]:
    """Three cases of the department, oldest first: one filed, one of another party, one by the partner alone."""
    filed = await open_case(client, inspector, partner, title="越界开采案")
    await take(client, head, filed, {"action": "file"})
    party = {"kind": "legal_person", "name": "某某砂石100%_公司", "uscc": "91350100M000100Y43"}
    other = await open_case(client, inspector, partner, title="无证开采案", party=party)
    alone = await open_case(client, partner, inspector, title="运输案")
    return [filed, other, alone]


async def test_the_department_sees_its_cases_newest_first_and_no_other_departments(
    client, make_user, make_department, department, inspector, three_cases
) -> None:
    reviewer = await make_user(Role.LEGAL_REVIEWER, department)
    assert (await listed(client, inspector))[:3] == three_cases[::-1]
    assert (await listed(client, reviewer))[:3] == three_cases[::-1]
    elsewhere = await make_department()
    outsider = await make_user(Role.SUPERVISOR, elsewhere)
    assert set(await listed(client, outsider)).isdisjoint(three_cases)
    refused = await client.get("/cases", params={"department_id": str(department.id)}, headers=outsider.headers)
    assert refused.status_code == 404
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    assert (await client.get("/cases", headers=operator.headers)).status_code == 403


async def test_an_admin_sees_any_department_and_can_name_one(client, admin, department, three_cases) -> None:
    assert set(three_cases) <= set(await listed(client, admin, limit=200))
    assert await listed(client, admin, department_id=str(department.id)) == three_cases[::-1]


async def test_search_by_number_party_stage_officer_and_date(client, inspector, partner, head, three_cases) -> None:
    filed, other, alone = three_cases
    number = (await client.get(f"/cases/{filed}/workflow", headers=head.headers)).json()["state"]["filing_document_no"]
    assert number
    assert await listed(client, head, number=number) == [filed]
    assert await listed(client, head, number=number[-6:]) == [filed]  # part of the number is enough
    assert await listed(client, head, party="100%_") == [other]  # the user's % and _ mean themselves
    assert await listed(client, head, party="某某砂石") == [other]
    assert await listed(client, head, party="砂") == [other]  # one character, looked up by itself
    assert await listed(client, head, party="石料") == [alone, filed]  # two: by the pair
    assert await listed(client, head, party="料石") == []  # the pair in the wrong order
    assert other in await listed(client, head, party=VALID_USCC.lower())  # the full code, any case
    assert await listed(client, head, stage="investigating") == [filed]
    assert await listed(client, head, stage="registered") == [alone, other]
    assert await listed(client, head, officer_id=str(partner.principal.user_id)) == [alone, other, filed]
    assert await listed(client, head, officer_id=str(head.principal.user_id)) == []
    today = dt.datetime.now(CHINA).date()
    assert await listed(client, head, registered_from=str(today), registered_to=str(today)) == three_cases[::-1]
    assert await listed(client, head, registered_to=str(today - dt.timedelta(days=1))) == []
    assert await listed(client, head, party="某某砂石", stage="investigating") == []  # every condition must match


async def test_pages_follow_one_another_without_repeating_or_skipping(client, head, three_cases) -> None:
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/cases", params=params, headers=head.headers)).json()
        seen += [item["id"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == three_cases[::-1]


async def test_an_item_says_what_the_list_shows(client, head, inspector, partner, three_cases) -> None:
    [item] = (await client.get("/cases", params={"party": "某某砂石"}, headers=head.headers)).json()["items"]
    shown = (item["title"], item["party_name"], item["stage"], item["filing_no"])
    assert shown == ("无证开采案", "某某砂石100%_公司", "registered", "")
    officers = [str(o.principal.user_id) for o in (inspector, partner)]
    assert [o["user_id"] for o in item["officers"]] == officers


async def test_bad_conditions_are_named(client, head) -> None:
    backwards = await client.get(
        "/cases", params={"registered_from": "2026-11-02", "registered_to": "2026-11-01"}, headers=head.headers
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "registered_to"
    assert "起始日" in backwards.json()["detail"]
    cursor = await client.get("/cases", params={"cursor": "not-a-cursor"}, headers=head.headers)
    assert cursor.status_code == 422 and "分页游标" in cursor.json()["detail"]
    stage = await client.get("/cases", params={"stage": "nonsense"}, headers=head.headers)
    assert stage.status_code == 422
