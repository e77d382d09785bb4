"""Offline-first intake: retries never duplicate, conflicts are explicit, history is kept."""

import asyncio
import hashlib
import json

import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from tests.api.cases.support import case_content
from tests.factories import inspection, record_create, uuid7


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
    assert problem["errors"][0]["field"] == "content.party.uscc"
    assert "校验位" in problem["errors"][0]["message"]


async def test_a_record_whose_case_has_not_synced_yet_waits_for_it_then_goes_through(
    client: AsyncTestClient, inspector, partner
) -> None:
    case_id = str(uuid7())
    body = record_create(inspector, partner)
    body["content"]["case_id"] = case_id
    early = await client.post("/records", json=body, headers=inspector.headers)
    assert early.status_code == 409
    assert early.json()["code"] == "case-not-yet-synced"
    assert early.json()["extra"] == {"case_id": case_id, "retryable": True}
    assert "请先同步" in early.json()["detail"]
    case = {"id": case_id, "content": case_content()}
    assert (await client.post("/cases", json=case, headers=inspector.headers)).status_code == 201
    assert (await client.post("/records", json=body, headers=inspector.headers)).status_code == 201


async def test_a_record_with_other_problems_and_a_missing_case_is_invalid_input(client, inspector, partner) -> None:
    body = record_create(inspector, partner)
    body["content"]["case_id"] = str(uuid7())
    body["content"]["officers"][1]["certificate_no"] = "FORGED-0001"
    answer = await client.post("/records", json=body, headers=inspector.headers)
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid-input"), "fix first, then wait for the case"


async def test_an_edit_based_on_a_version_the_server_has_not_received_says_so(client, inspector, partner) -> None:
    body = record_create(inspector, partner)
    await client.post("/records", json=body, headers=inspector.headers)
    ahead = {"base_version": 3, "content": inspection(inspector, partner, result="基于设备上的第 3 版")}
    answer = await client.put(f"/records/{body['id']}", json=ahead, headers=inspector.headers)
    assert answer.status_code == 409
    problem = answer.json()
    assert problem["code"] == "version-not-yet-synced"
    assert problem["extra"] == {"current_version": 1, "base_version": 3, "retryable": True}
    assert "先同步" in problem["detail"] and "已被修改" not in problem["detail"]


async def test_an_applied_edit_retried_after_another_devices_edit_is_recognised(client, inspector, partner) -> None:
    body = record_create(inspector, partner)
    await client.post("/records", json=body, headers=inspector.headers)
    path = f"/records/{body['id']}"
    mine = {"base_version": 1, "content": inspection(inspector, partner, result="复查：已停止开采")}
    assert (await client.put(path, json=mine, headers=inspector.headers)).json()["version"] == 2
    theirs = {"base_version": 2, "content": inspection(inspector, partner, result="另一设备：已复绿")}
    assert (await client.put(path, json=theirs, headers=partner.headers)).json()["version"] == 3

    retry = await client.put(path, json=mine, headers=inspector.headers)
    assert retry.status_code == 200, retry.text
    assert retry.json()["version"] == 3 and retry.json()["content"]["result"] == "另一设备：已复绿"
    pushed = await client.post(
        "/sync/push", json={"operations": [{"op": "update_record", "id": body["id"], "update": mine}]},
        headers=inspector.headers,
    )  # fmt: skip
    assert pushed.json()["results"][0] | {"index": 0} == {
        "index": 0, "status": "replayed", "op": "update_record", "id": body["id"], "version": 2,
    }, "the version this edit made: the device keeps its base and pulls version 3"  # fmt: skip
    other = {"base_version": 1, "content": inspection(inspector, partner, result="未同步过的另一修改")}
    assert (await client.put(path, json=other, headers=inspector.headers)).json()["code"] == "stale-version"
    history = (await client.get(f"{path}/versions", headers=inspector.headers)).json()
    assert [v["version"] for v in history] == [1, 2, 3], "no duplicate version"


def client_sha256(content: dict) -> str:
    """What a handheld computes from an answer: sorted keys, no spaces, UTF-8 — arrays as they came."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


async def test_answers_carry_content_in_canonical_order_so_a_client_rehash_matches(client, inspector, partner) -> None:
    case_id = str(uuid7())
    await client.post("/cases", json={"id": case_id, "content": case_content()}, headers=inspector.headers)
    kinds = ["warning", "other", "fine", "detention", "confiscation", "business_restriction", "permit_restriction"]
    penalty = inspection(inspector, partner) | {
        "kind": "penalty", "case_id": case_id, "violation": "越界开采", "legal_basis": "《矿产资源法》第四十条",
        "penalty_kinds": kinds, "fine_fen": 5_000_000,
    }  # fmt: skip
    del penalty["inspection_type"]
    body = {"id": str(uuid7()), "content": penalty}
    created = (await client.post("/records", json=body, headers=inspector.headers)).json()
    read = (await client.get(f"/records/{body['id']}", headers=inspector.headers)).json()
    pulled = (await client.get("/sync/pull", headers=inspector.headers)).json()
    pulled = next(r for r in pulled["records"] if r["id"] == body["id"])
    for answer in (created, read, pulled):
        assert answer["content"]["penalty_kinds"] == sorted(kinds)
        assert client_sha256(answer["content"]) == answer["content_sha256"]
    shuffled = body | {"content": penalty | {"penalty_kinds": list(reversed(kinds))}}
    assert (await client.post("/records", json=shuffled, headers=inspector.headers)).status_code == 200, "a replay"
