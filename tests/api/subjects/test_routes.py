"""Subjects: one row per USCC/ID number, per-department registers, validation at the door."""

import pytest

from mobile_contract.auth import Role
from tests.api.subjects.factories import company, new_uscc, person


@pytest.fixture
async def supervisor(make_user, department):
    return await make_user(Role.SUPERVISOR, department)


async def test_one_subject_per_uscc_shared_by_registers(client, pool, make_department, make_user, supervisor) -> None:
    body = company(uscc=new_uscc())
    first = await client.post("/subjects", json=body, headers=supervisor.headers)
    assert first.status_code == 201
    again = await client.post("/subjects", json=body, headers=supervisor.headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = await make_user(Role.SUPERVISOR, await make_department())
    joined = await client.post("/subjects", json=body, headers=other.headers)
    assert joined.status_code == 200 and joined.json()["id"] == first.json()["id"]
    stranger = await make_user(Role.SUPERVISOR, await make_department())
    path = f"/subjects/{first.json()['id']}"
    assert (await client.get(path, headers=other.headers)).status_code == 200
    assert (await client.get(path, headers=stranger.headers)).status_code == 404
    by_key = await client.get(f"/subjects/by-key/{body['party']['uscc']}", headers=other.headers)
    assert by_key.json()["id"] == first.json()["id"]
    actions = await pool.fetch("SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY seq", first.json()["id"])
    assert [a["action"] for a in actions] == ["subject.create", "subject.add_to_register"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (company(uscc="911100001000013257"), "校验位错误"),
        (company(uscc="91350100M00010OY43"), "不允许的字符"),
        (person(id_number="110105194912310021"), "身份证号码校验位错误"),
        (person(id_number="110105194902300023"), "出生日期无效"),
    ],
)
async def test_invalid_codes_are_refused(client, supervisor, body, message) -> None:
    answer = await client.post("/subjects", json=body, headers=supervisor.headers)
    assert answer.status_code == 422
    assert message in answer.text


async def test_register_lists_search_and_pages(client, supervisor) -> None:
    names = [f"列表测试{i}号石料厂" for i in range(5)]
    for name in names:
        assert (await client.post("/subjects", json=company(name=name), headers=supervisor.headers)).status_code == 201
    await client.post("/subjects", json=person("李四"), headers=supervisor.headers)
    page = (await client.get("/subjects", params={"limit": 3}, headers=supervisor.headers)).json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    rest = await client.get("/subjects", params={"limit": 3, "cursor": page["next_cursor"]}, headers=supervisor.headers)
    seen = [s["name"] for s in page["items"] + rest.json()["items"]]
    assert sorted(seen) == sorted([*names, "李四"])
    people = await client.get("/subjects", params={"kind": "natural_person"}, headers=supervisor.headers)
    assert [s["name"] for s in people.json()["items"]] == ["李四"]
    found = await client.get("/subjects", params={"search": "3号"}, headers=supervisor.headers)
    assert [s["name"] for s in found.json()["items"]] == ["列表测试3号石料厂"]


async def test_edit_is_audited_and_key_cannot_change(client, pool, supervisor) -> None:
    created = (await client.post("/subjects", json=company(), headers=supervisor.headers)).json()
    path = f"/subjects/{created['id']}"
    edited = await client.patch(path, json={"legal_representative": "王五"}, headers=supervisor.headers)
    assert edited.status_code == 200 and edited.json()["legal_representative"] == "王五"
    refused = await client.patch(path, json={"key": new_uscc()}, headers=supervisor.headers)
    assert refused.status_code == 422
    row = await pool.fetchrow(
        "SELECT before_hash, after_hash FROM audit_log WHERE entity_id = $1 AND action = 'subject.update'",
        created["id"],
    )
    assert row["before_hash"] != row["after_hash"]


async def test_inspectors_read_but_do_not_register(client, inspector, supervisor) -> None:
    assert (await client.post("/subjects", json=company(), headers=inspector.headers)).status_code == 403
    created = (await client.post("/subjects", json=company(), headers=supervisor.headers)).json()
    assert (await client.get(f"/subjects/{created['id']}", headers=inspector.headers)).status_code == 200
