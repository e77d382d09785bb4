"""Batch push answers per item; pull returns changes since a token without losing late commits."""

import datetime as dt
import json
import uuid

import pytest

from api.audit.service import verify_chain
from api.sync.service import decode_token
from mobile_contract.auth import Role
from storage import sync as sync_sql
from tests.factories import VALID_USCC, evidence_item, inspection, officer, record_create, uuid7


@pytest.fixture
async def partner(make_user, department):
    return await make_user(Role.INSPECTOR, department)


def case_create() -> dict:
    return {
        "id": str(uuid7()),
        "content": {
            "title": "疑似越界开采",
            "item_code": "36010100100001",
            "party": {"kind": "legal_person", "name": "某某石料有限公司", "uscc": VALID_USCC},
            "region_code": "360102",
            "found_at": dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC).isoformat(),
            "place": {"address": "某县某镇塘口"},
        },
    }


async def test_push_answers_each_item_and_a_bad_one_blocks_nothing(client, pool, inspector, partner) -> None:
    case = case_create()
    record = record_create(inspector, partner)
    record["content"]["case_id"] = case["id"]
    broken = record_create(inspector, partner)
    broken["content"]["officers"] = []
    operations = [
        {"op": "create_record", "record": record},  # refers to the case created in the same push
        {"op": "create_case", "case": case},
        {"op": "create_record", "record": broken},
        {"op": "teleport"},
        {"op": ["create_record"]},  # not a string: still answered alone
        {"op": "create_record", "record": record},  # the device queued it twice
    ]
    answer = await client.post("/sync/push", json={"operations": operations}, headers=inspector.headers)
    assert answer.status_code == 200
    statuses = [r["status"] for r in answer.json()["results"]]
    assert statuses == ["created", "created", "rejected", "rejected", "rejected", "created"]
    assert [r.get("version") for r in answer.json()["results"]] == [1, 1, None, None, None, 1]
    assert answer.json()["results"][2]["problem"]["errors"][0]["field"].startswith("record.content.officers")
    assert await pool.fetchval("SELECT count(*) FROM records WHERE id = $1", uuid.UUID(record["id"])) == 1

    again = await client.post("/sync/push", json={"operations": operations[:2]}, headers=inspector.headers)
    assert [r["status"] for r in again.json()["results"]] == ["replayed", "replayed"]


async def test_push_edits_are_checked_against_their_base_version(client, inspector, partner) -> None:
    record = record_create(inspector, partner)
    await client.post("/records", json=record, headers=inspector.headers)
    edit = {"base_version": 1, "content": inspection(inspector, partner, result="整改完成")}
    operations = [{"op": "update_record", "id": record["id"], "update": edit}] * 2
    results = (await client.post("/sync/push", json={"operations": operations}, headers=inspector.headers)).json()[
        "results"
    ]
    assert [(r["status"], r["version"]) for r in results] == [("updated", 2), ("replayed", 2)]
    other = {"base_version": 1, "content": inspection(inspector, partner, result="另一版本")}
    stale = (
        await client.post(
            "/sync/push",
            json={"operations": [{"op": "update_record", "id": record["id"], "update": other}]},
            headers=inspector.headers,
        )
    ).json()
    assert stale["results"][0]["problem"]["code"] == "stale-version"


async def test_pull_returns_assigned_tasks_and_own_records_once_per_token(
    client, make_user, department, inspector, partner
) -> None:
    supervisor = await make_user(Role.SUPERVISOR, department)
    task = {"id": str(uuid7()), "assignee_id": str(inspector.principal.user_id), "title": "复查某某塘口"}
    assert (await client.post("/tasks", json=task, headers=supervisor.headers)).status_code == 201
    record = record_create(inspector, partner)
    await client.post("/records", json=record, headers=inspector.headers)

    first = (await client.get("/sync/pull", headers=inspector.headers)).json()
    assert [t["id"] for t in first["tasks"]] == [task["id"]]
    assert [r["id"] for r in first["records"]] == [record["id"]]
    assert not first["has_more"]

    later = record_create(inspector, partner)
    await client.post("/records", json=later, headers=inspector.headers)
    second = (await client.get("/sync/pull", params={"token": first["sync_token"]}, headers=inspector.headers)).json()
    assert later["id"] in [r["id"] for r in second["records"]]
    assert task["id"] not in [t["id"] for t in second["tasks"]]


async def test_a_change_of_officers_brings_the_case_to_the_newly_named_inspector(
    client, make_user, department, inspector, partner
) -> None:
    """The case reaches an inspector named on one of its records, with their next pull (issue: officer change)."""
    case = case_create()
    assert (await client.post("/cases", json=case, headers=inspector.headers)).status_code == 201
    record = record_create(inspector, partner)
    record["content"]["case_id"] = case["id"]
    assert (await client.post("/records", json=record, headers=inspector.headers)).status_code == 201
    newcomer = await make_user(Role.INSPECTOR, department)
    before = (await client.get("/sync/pull", headers=newcomer.headers)).json()
    assert before["cases"] == [] and before["records"] == []
    assert case["id"] in [c["id"] for c in (await pull(client, partner))["cases"]], "named at creation"

    changed = record["content"] | {"officers": [officer(inspector), officer(newcomer)]}
    edit = {"base_version": 1, "content": changed}
    assert (await client.put(f"/records/{record['id']}", json=edit, headers=inspector.headers)).status_code == 200
    after = await pull(client, newcomer, before["sync_token"])
    assert [c["id"] for c in after["cases"]] == [case["id"]]
    assert [r["id"] for r in after["records"]] == [record["id"]]


async def pull(client, caller, token: str | None = None) -> dict:
    params = {"token": token} if token else {}
    answer = await client.get("/sync/pull", params=params, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_pull_pages_through_many_changes(client, inspector, partner) -> None:
    ids = set()
    for _ in range(5):
        body = record_create(inspector, partner)
        ids.add(body["id"])
        await client.post("/records", json=body, headers=inspector.headers)
    seen, token = set(), None
    for _ in range(10):
        page = (
            await client.get(
                "/sync/pull", params={"limit": 2, **({"token": token} if token else {})}, headers=inspector.headers
            )
        ).json()
        seen |= {r["id"] for r in page["records"]}
        token = page["sync_token"]
        if not page["has_more"]:
            break
    assert ids <= seen


async def test_a_record_committed_late_is_not_skipped(client, pool, inspector, partner) -> None:
    """A transaction that started first but commits after a pull must still reach the device."""
    slow = record_create(inspector, partner)
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await conn.execute(
            "INSERT INTO records (id, kind, department_id, item_code, region_code, occurred_at, version,"
            " content_sha256, content, created_by, version_by, participant_ids)"
            " SELECT $1, 'inspection', department_id, '36010100100001', '360102', now(), 1, repeat('0', 64),"
            " $2::jsonb, id, id, ARRAY[id] FROM users WHERE id = $3",
            uuid.UUID(slow["id"]),
            json.dumps(slow["content"]),  # a real record's content: later readers (the export) decode it
            inspector.principal.user_id,
        )
        fast = record_create(inspector, partner)
        await client.post("/records", json=fast, headers=inspector.headers)
        first = (await client.get("/sync/pull", headers=inspector.headers)).json()
        assert fast["id"] in [r["id"] for r in first["records"]]
        await tx.commit()
    found = await pool.fetch("SELECT id FROM records WHERE id = $1", uuid.UUID(slow["id"]))
    assert found
    position = decode_token(first["sync_token"])
    async with pool.acquire() as conn:
        rows = await sync_sql.changed_since(
            conn,
            user_id=inspector.principal.user_id,
            department_id=inspector.principal.department_id,
            position=position,
            limit=100,
        )
    assert uuid.UUID(slow["id"]) in {r["id"] for r in rows}


def _statuses(answer) -> list[str]:
    return [r["status"] for r in answer.json()["results"]]


async def test_a_long_push_is_written_batch_by_batch_each_item_answered_once(client, pool, inspector, partner) -> None:
    """300 record creates span several statements; refusals, a replay and a same-push case land in later batches."""
    records = [record_create(inspector, partner, evidence=[evidence_item()[0]]) for _ in range(300)]
    await client.post("/records", json=records[200], headers=inspector.headers)  # already stored: a replay
    records[130]["content"]["officers"][1]["certificate_no"] = "C0000000000"  # not this partner's certificate
    case = case_create()
    records[280]["content"]["case_id"] = case["id"]
    operations: list[dict] = [{"op": "create_record", "record": r} for r in records]
    operations[60] = {"op": "create_record", "record": {"id": "not-a-uuid"}}
    operations.append({"op": "create_case", "case": case})

    answer = await client.post("/sync/push", json={"operations": operations}, headers=inspector.headers)

    statuses = _statuses(answer)
    refused = {i for i, s in enumerate(statuses) if s == "rejected"}
    assert refused == {60, 130} and statuses[200] == "replayed" and statuses[300] == "created"
    assert statuses[:300].count("created") == 300 - 3
    assert answer.json()["results"][130]["problem"]["errors"][0]["field"] == "content.officers[1]"
    created = [uuid.UUID(records[i]["id"]) for i in range(300) if statuses[i] == "created"]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM records WHERE id = ANY($1)", created) == len(created)
        evidence = await conn.fetchval("SELECT count(*) FROM evidence_items WHERE record_id = ANY($1)", created)
        assert evidence == len(created)
        logged = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'record.create' AND entity_id = ANY($1)",
            [str(id) for id in created],
        )
        assert logged == len(created)
        assert not await conn.fetchval("SELECT count(*) FROM records WHERE id = $1", uuid.UUID(records[130]["id"]))
        assert (await verify_chain(conn)).intact


async def test_evidence_id_reused_across_batches_is_refused_for_the_later_record_only(
    client, pool, inspector, partner
) -> None:
    """The lookup for a later batch cannot see what an earlier statement of the push declared: the unique key
    catches it, and the push falls back to one by one so only the offending record is refused."""
    records = [record_create(inspector, partner, evidence=[evidence_item()[0]]) for _ in range(200)]
    records[150]["content"]["evidence"] = records[10]["content"]["evidence"]
    operations = [{"op": "create_record", "record": r} for r in records]

    answer = await client.post("/sync/push", json={"operations": operations}, headers=inspector.headers)

    statuses = _statuses(answer)
    assert statuses[150] == "rejected" and statuses.count("created") == 199
    assert answer.json()["results"][150]["problem"]["errors"][0]["field"] == "content.evidence[0].id"
    ids = [uuid.UUID(r["id"]) for r in records]
    assert await pool.fetchval("SELECT count(*) FROM records WHERE id = ANY($1)", ids) == 199


@pytest.mark.parametrize("apart", [1, 150], ids=["same-batch", "later-batch"])
async def test_one_push_one_id_two_contents_refuses_the_second_as_across_pushes(
    client, pool, inspector, partner, apart
) -> None:
    """The second content under an id gets 409 id-conflict, whether it sits beside the first or batches later."""
    fillers = [{"op": "create_record", "record": record_create(inspector, partner)} for _ in range(apart - 1)]
    first = record_create(inspector, partner, result="第一份内容")
    second = {"id": first["id"], "content": inspection(inspector, partner, result="同一编号的另一份内容")}
    operations = [{"op": "create_record", "record": first}, *fillers, {"op": "create_record", "record": second}]

    results = (await client.post("/sync/push", json={"operations": operations}, headers=inspector.headers)).json()

    assert results["results"][0]["status"] == "created"
    assert results["results"][-1]["status"] == "rejected"
    assert results["results"][-1]["problem"]["code"] == "id-conflict"
    stored = await pool.fetchval("SELECT content->>'result' FROM records WHERE id = $1", uuid.UUID(first["id"]))
    assert stored == "第一份内容"
    again = await client.post("/sync/push", json={"operations": operations[-1:]}, headers=inspector.headers)
    assert again.json()["results"][0]["problem"]["code"] == "id-conflict", "as in a later push"


async def test_one_push_one_case_id_two_contents_keeps_the_first_and_refuses_the_second(
    client, pool, inspector
) -> None:
    first = case_create()
    second = {"id": first["id"], "content": first["content"] | {"title": "另一案件"}}
    operations = [{"op": "create_case", "case": first}, {"op": "create_case", "case": second}]

    results = (await client.post("/sync/push", json={"operations": operations}, headers=inspector.headers)).json()

    assert [r["status"] for r in results["results"]] == ["created", "rejected"]
    assert results["results"][1]["problem"]["code"] == "id-conflict"
    stored = await pool.fetchval("SELECT content->>'title' FROM cases WHERE id = $1", uuid.UUID(first["id"]))
    assert stored == "疑似越界开采"


async def test_chained_edits_in_one_push_each_answer_the_version_they_made(client, inspector, partner) -> None:
    record = record_create(inspector, partner)
    await client.post("/records", json=record, headers=inspector.headers)
    edits = [
        {"op": "update_record", "id": record["id"], "update": {"base_version": base, "content": inspection(
            inspector, partner, result=f"第 {base + 1} 版")}}
        for base in (1, 2)
    ]  # fmt: skip
    results = (await client.post("/sync/push", json={"operations": edits}, headers=inspector.headers)).json()
    assert [(r["status"], r["version"]) for r in results["results"]] == [("updated", 2), ("updated", 3)]


async def test_an_item_postgresql_refuses_is_answered_alone_and_the_rest_is_kept(
    client, pool, inspector, partner
) -> None:
    """A statement refused for one item (here a NUL, which jsonb cannot hold) falls back to one by one."""
    kept = record_create(inspector, partner)
    refused = record_create(inspector, partner, result="现场\u0000未发现越界开采")
    operations = [{"op": "create_record", "record": kept}, {"op": "create_record", "record": refused}]
    answer = await client.post("/sync/push", json={"operations": operations}, headers=inspector.headers)
    assert answer.status_code == 200
    first, second = answer.json()["results"]
    assert first["status"] == "created"
    assert second["status"] == "rejected"
    assert second["problem"]["status"] == 422
    assert second["problem"]["detail"] == "该条数据无法保存，请核对后重试"
    assert await pool.fetchval("SELECT count(*) FROM records WHERE id = $1", uuid.UUID(kept["id"])) == 1
    assert await pool.fetchval("SELECT count(*) FROM records WHERE id = $1", uuid.UUID(refused["id"])) == 0
