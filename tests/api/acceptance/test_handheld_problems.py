"""Every problem a handheld can receive, one bad value of each kind per endpoint, read as an inspector reads it.

Each answer must be an RFC 9457 document whose ``detail`` is Chinese; an input problem names the
exact field (``content.party.uscc``, not ``content.party``), says what is wrong in Chinese and, for
a choice, lists the allowed values; no text shows a regular expression, a Python repr, an English
role name or a UUID.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from tests.api.cases.support import case_content, open_case, pinned_today, take  # noqa: F401 - the pinned date
from tests.factories import evidence_item, record_create, uuid7

pytestmark = pytest.mark.integration

CJK = re.compile(r"[\u4e00-\u9fff]")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
REGEX = re.compile(r"regex|\^|\\d|\[0-9|\$'|\{\d+\}")
REPR = re.compile(r"<\w+(\.\w+)*: |\w+\.\w+: '|Enum\b|object at 0x")
ROLE_WORDS = re.compile(r"\b(" + "|".join(r.value for r in Role) + r")\b")
INSPECTION_TYPES = ["routine", "random", "special", "complaint", "alert"]


def actionable(answer: Any, status: int, *, field: str | None = None, listing: list[str] = ()) -> dict:
    """The answer is a problem an inspector can act on; returns it."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    problem = answer.json()
    assert CJK.search(problem["detail"]), problem
    texts = [problem["detail"], *(e["message"] for e in problem.get("errors", []))]
    for text in texts:
        assert not REGEX.search(text), f"a regular expression shows: {text}"
        assert not REPR.search(text), f"a Python repr shows: {text}"
        assert not ROLE_WORDS.search(text), f"an English role name shows: {text}"
        assert not UUID.search(text), f"a UUID shows: {text}"
    if field is not None:
        fields = {e["field"]: e["message"] for e in problem.get("errors", [])}
        assert field in fields, f"{field} not named: {problem}"
        assert CJK.search(fields[field]), f"{field}: not Chinese: {fields[field]}"
        for value in listing:
            assert value in fields[field], f"{field}: {value} not listed: {fields[field]}"
    return problem


def changed(body: dict, path: str, value: Any) -> dict:
    """``body`` with the value at a dotted path (``content.party.uscc``, ``content.officers``) replaced or removed."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
    if value is REMOVE:
        del node[last]
    else:
        node[last] = value
    return body


REMOVE = object()
RECORD_CASES = [  # (what is wrong, path, value, field named, values listed)
    ("pattern", "content.item_code", "36AB", "content.item_code", []),
    ("enum", "content.inspection_type", "unchanged", "content.inspection_type", INSPECTION_TYPES),
    ("check digit", "content.party.uscc", "91350100M000100Y44", "content.party.uscc", []),
    ("enum in a nested object", "content.party.kind", "company", "content.party.kind", ["legal_person"]),
    ("out of range", "content.place.gps.lat", 200, "content.place.gps.lat", []),
    ("time format", "content.occurred_at", "yesterday", "content.occurred_at", []),
    ("time without zone", "content.occurred_at", "2026-11-20T09:00:00", "content.occurred_at", []),
    ("type", "content.result", 42, "content.result", []),
    ("required", "content.result", REMOVE, "content.result", []),
    ("unknown field", "content.colour", "red", "content.colour", []),
    ("union tag", "content.kind", "fine", "content.kind", ["inspection", "penalty", "coercive_measure"]),
    ("empty list", "content.officers", [], "content.officers", []),
    ("not a uuid", "id", "record-1", "id", []),
    ("text too long", "content.party.name", "某" * 201, "content.party.name", []),
]


@pytest.mark.parametrize(("kind", "path", "value", "field", "listing"), RECORD_CASES, ids=[c[0] for c in RECORD_CASES])
async def test_a_record_with_one_bad_value(
    client: AsyncTestClient, inspector, partner, kind, path, value, field, listing
) -> None:
    body = changed(record_create(inspector, partner), path, value)
    actionable(await client.post("/records", json=body, headers=inspector.headers), 422, field=field, listing=listing)
    pushed = await client.post(
        "/sync/push", json={"operations": [{"op": "create_record", "record": body}]}, headers=inspector.headers
    )
    (item,) = pushed.json()["results"]
    problem = item["problem"]
    assert item["status"] == "rejected" and f"record.{field}" in {e["field"] for e in problem["errors"]}, problem


async def test_an_inspection_by_one_officer_is_refused_naming_the_officers(client, inspector) -> None:
    answer = await client.post("/records", json=record_create(inspector), headers=inspector.headers)
    problem = actionable(answer, 422, field="content.officers")
    assert "第四十二条" in problem["errors"][0]["message"]


async def test_a_penalty_by_one_officer_is_refused_at_submission(client, inspector, partner) -> None:
    case_id = await open_case(client, inspector, partner)
    penalty = record_create(inspector)["content"] | {
        "kind": "penalty",
        "case_id": case_id,
        "violation": "越界开采",
        "legal_basis": "《矿产资源法》第四十条",
        "penalty_kinds": ["warning"],
    }
    penalty.pop("inspection_type")
    answer = await client.post("/records", json={"id": str(uuid7()), "content": penalty}, headers=inspector.headers)
    problem = actionable(answer, 422, field="content.officers")
    assert "第四十二条" in problem["errors"][0]["message"]


async def test_evidence_declarations_name_the_item(client, inspector, partner) -> None:
    item, _ = evidence_item()
    body = record_create(inspector, partner, evidence=[item | {"sha256": "ABC"}])
    answer = await client.post("/records", json=body, headers=inspector.headers)
    actionable(answer, 422, field="content.evidence[0].sha256")


CASE_CASES = [  # (what is wrong, field, value, values listed)
    ("check digit", "party.uscc", "91350100M000100Y44", []),
    ("enum", "party.kind", "company", ["legal_person", "natural_person", "individual_business"]),
    ("pattern", "region_code", "36010", []),
    ("time format", "found_at", "today", []),
]


@pytest.mark.parametrize(("kind", "field", "value", "listing"), CASE_CASES, ids=[c[0] for c in CASE_CASES])
async def test_a_case_with_one_bad_value(client: AsyncTestClient, inspector, kind, field, value, listing) -> None:
    body = {"id": str(uuid7()), "content": case_content()}
    body = changed(body, f"content.{field}", value)
    answer = await client.post("/cases", json=body, headers=inspector.headers)
    actionable(answer, 422, field=f"content.{field}", listing=listing)


async def test_an_upload_ticket_with_a_bad_value(client: AsyncTestClient, inspector) -> None:
    item = uuid7()
    wrong_type = await client.post(f"/evidence/{item}/upload", json={"multipart": "yes"}, headers=inspector.headers)
    actionable(wrong_type, 422, field="multipart")
    no_parts = await client.post(f"/evidence/{item}/upload/parts", json={"parts": []}, headers=inspector.headers)
    actionable(no_parts, 422, field="parts")
    actionable(await client.post(f"/evidence/{item}/finalize", headers=inspector.headers), 404)


async def test_a_push_operation_of_no_known_kind_lists_the_kinds(client, inspector) -> None:
    pushed = await client.post(
        "/sync/push", json={"operations": [{"op": "delete_record", "id": str(uuid7())}]}, headers=inspector.headers
    )
    problem = pushed.json()["results"][0]["problem"]
    (error,) = problem["errors"]
    assert error["field"] == "op" and all(k in error["message"] for k in ("create_record", "complete_task")), problem


async def test_pull_parameters(client, inspector) -> None:
    actionable(await client.get("/sync/pull?token=not-a-token", headers=inspector.headers), 422)
    actionable(await client.get("/sync/pull?limit=0", headers=inspector.headers), 422, field="limit")


async def test_sign_in_never_tells_the_password_policy(client, inspector) -> None:
    for password in ("abc", "x" * 300):
        body = {"username": inspector.principal.username, "password": password}
        problem = actionable(await client.post("/auth/login", json=body), 401)
        assert problem["code"] == "bad-credentials" and not problem.get("errors"), problem
    actionable(await client.post("/auth/login", json={"password": "x"}), 422, field="username")


async def test_an_alert_filter_lists_the_states(client, inspector) -> None:
    answer = await client.get("/alerts?state=finished", headers=inspector.headers)
    actionable(answer, 422, field="state", listing=["open", "acknowledged", "dispatched", "closed"])


async def test_task_results(client, inspector) -> None:
    missing = await client.post(
        f"/tasks/{uuid7()}/complete", json={"outcome": "nothing_found"}, headers=inspector.headers
    )
    actionable(missing, 404)
    bad = await client.post(f"/tasks/{uuid7()}/complete", json={"outcome": "done"}, headers=inspector.headers)
    actionable(bad, 422, field="outcome", listing=["record_filed", "case_opened", "nothing_found"])


async def test_a_step_of_another_role_names_the_role_in_chinese(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    answer = await client.post(
        f"/cases/{case_id}/workflow/steps",
        json={"id": str(uuid7()), "step": {"action": "file"}},
        headers=inspector.headers,
    )
    problem = actionable(answer, 403)
    assert "监管负责人" in problem["detail"], problem
    stale = await client.put(f"/cases/{case_id}", json={"base_version": 7, "content": {}}, headers=inspector.headers)
    actionable(stale, 422)
    await take(client, head, case_id, {"action": "file"})


async def test_wrong_method_unknown_route_and_no_sign_in(client, inspector) -> None:
    wrong = await client.delete(f"/records/{uuid7()}", headers=inspector.headers)
    problem = actionable(wrong, 405)
    assert problem["code"] == "method-not-allowed" and "GET" in problem["detail"]
    actionable(await client.get("/no-such-route", headers=inspector.headers), 404)
    actionable(await client.get("/sync/pull"), 401)
    actionable(await client.get(f"/records/{uuid7()}", headers=inspector.headers), 404)
    actionable(await client.get("/records/not-a-uuid", headers=inspector.headers), 404)


async def test_a_performance_query_without_parameters_names_the_missing_one(client, head) -> None:
    assert actionable(await client.get("/risk/performance", headers=head.headers), 422)["errors"]
    later = await client.get("/risk/performance?period_to=2026-01-01", headers=head.headers)
    actionable(later, 422, field="period_from")
    wrong = await client.get("/risk/performance?period_from=soon&period_to=2026-02-01", headers=head.headers)
    actionable(wrong, 422, field="period_from")


def test_the_checks_catch_what_the_issue_saw() -> None:
    """The rules themselves fail on each example the issue quotes."""
    seen = [
        "Expected `str` matching regex '^\\d{14}$'",
        "legal review required … [<ReviewGround.COMPLEX: 'complex'>]",
        "此步骤须由 supervisor 执行",
        f"对象 91350100M000100Y43 在部门 {uuid.uuid4()} 仅有 0 名",
    ]
    caught = [bool(REGEX.search(t) or REPR.search(t) or ROLE_WORDS.search(t) or UUID.search(t)) for t in seen]
    assert caught == [True, True, True, True]
