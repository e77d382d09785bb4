"""Offline-first intake: retries never duplicate, conflicts are explicit, history is kept."""

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from tests.factories import inspection, record_create


@pytest.fixture
async def partner(make_user, department):
    return await make_user(Role.INSPECTOR, department)


async def test_200_concurrent_identical_submissions_make_one_row(client, pool, inspector, partner) -> None:
    body = record_create(inspector, partner)
    answers = await asyncio.gather(*(client.post("/records", json=body, headers=inspector.headers) for _ in range(200)))
    assert {a.status_code for a in answers} <= {200, 201}
    assert sum(a.status_code == 201 for a in answers) == 1
    assert len({a.content for a in answers}) == 1, "every caller must get the same body"
    assert await pool.fetchval("SELECT count(*) FROM records WHERE id = $1", body["id"]) == 1
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE entity_id = $1", body["id"]) == 1


async def test_same_id_with_different_content_is_a_409(client: AsyncTestClient, inspector, partner) -> None:
    body = record_create(inspector, partner)
    assert (await client.post("/records", json=body, headers=inspector.headers)).status_code == 201
    body["content"]["result"] = "发现越界开采"
    answer = await client.post("/records", json=body, headers=inspector.headers)
    assert answer.status_code == 409
    assert answer.json()["code"] == "id-conflict"


async def test_stale_edit_is_a_409_and_history_keeps_both_versions(client: AsyncTestClient, inspector, partner) -> None:
    body = record_create(inspector, partner)
    await client.post("/records", json=body, headers=inspector.headers)
    path = f"/records/{body['id']}"
    edit = {"base_version": 1, "content": inspection(inspector, partner, result="复查：已停止开采")}
    first = await client.put(path, json=edit, headers=inspector.headers)
    assert first.status_code == 200 and first.json()["version"] == 2
    retry = await client.put(path, json=edit, headers=inspector.headers)
    assert retry.status_code == 200 and retry.json()["version"] == 2, "a retried edit is not stale"
    stale = {"base_version": 1, "content": inspection(inspector, partner, result="另一设备的修改")}
    answer = await client.put(path, json=stale, headers=partner.headers)
    assert answer.status_code == 409
    assert answer.json()["code"] == "stale-version"
    assert answer.json()["extra"]["current_version"] == 2
    history = (await client.get(f"{path}/versions", headers=inspector.headers)).json()
    assert [v["version"] for v in history] == [1, 2]
    assert [v["content"]["result"] for v in history] == ["现场未发现越界开采", "复查：已停止开采"]


async def test_inspection_needs_two_officers(client: AsyncTestClient, inspector) -> None:
    answer = await client.post("/records", json=record_create(inspector), headers=inspector.headers)
    assert answer.status_code == 422
    assert "两名以上执法人员" in answer.text


async def test_officer_must_be_a_real_inspector_with_that_certificate(client, inspector, partner) -> None:
    body = record_create(inspector, partner)
    body["content"]["officers"][1]["certificate_no"] = "FORGED-0001"
    answer = await client.post("/records", json=body, headers=inspector.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "content.officers[1]"


async def test_invalid_uscc_names_the_field(client: AsyncTestClient, inspector, partner) -> None:
    body = record_create(inspector, partner)
    body["content"]["party"]["uscc"] = "911100001000013257"
    answer = await client.post("/records", json=body, headers=inspector.headers)
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["errors"][0]["field"] == "content.party"
    assert "校验位" in problem["errors"][0]["message"]
