"""The procedure through the API: guarded steps, explained refusals, documents, history and audit."""

import pytest

from mobile_contract.auth import Role
from tests.api.cases.support import case_content, open_case, penalty, take, to_notified, waive
from tests.factories import uuid7


@pytest.fixture
async def partner(make_user, department):
    return await make_user(Role.INSPECTOR, department)


@pytest.fixture
async def head(make_user, department):
    return await make_user(Role.SUPERVISOR, department)


async def test_full_procedure_reaches_closed_with_numbered_documents(client, pool, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    filed = await take(client, head, case_id, {"action": "file"})
    assert filed["state"]["stage"] == "investigating"
    assert filed["state"]["filing_document_no"].endswith("号")
    await take(client, inspector, case_id, {"action": "notify", "penalty": penalty(), "hearing_rights": False})
    await waive(client, inspector, case_id)
    decided = await take(client, head, case_id, {"action": "decide", "penalty": penalty()})
    assert decided["state"]["decision"]["document_no"]
    await take(client, inspector, case_id, {"action": "serve", "method": "in_person", "recipient": "法定代表人王某"})
    await take(client, inspector, case_id, {"action": "start_execution"})
    closed = await take(client, inspector, case_id, {"action": "close", "result": "罚款已缴清"})
    assert closed["state"]["stage"] == "closed"
    kinds = await pool.fetch("SELECT kind FROM case_documents WHERE case_id = $1 ORDER BY issued_at", case_id)
    assert [k["kind"] for k in kinds] == ["filing_approval", "notice", "decision", "service_receipt"]


async def test_decision_before_statement_period_is_refused_with_reasons(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id, hearing_rights=True)
    refused = await take(client, head, case_id, {"action": "decide", "penalty": penalty()}, status=409)
    codes = [r["code"] for r in refused["extra"]["refusals"]]
    assert codes == ["statement-period-running", "hearing-request-period-running"]
    assert "陈述、申辩期限" in refused["detail"]


async def test_heavier_penalty_after_statements_is_refused(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    refused = await take(client, head, case_id, {"action": "decide", "penalty": penalty(60_000)}, status=409)
    assert refused["code"] == "heavier-than-notified"
    lighter = await take(client, head, case_id, {"action": "decide", "penalty": penalty(40_000)})
    assert lighter["state"]["stage"] == "decided"


async def test_notice_needs_an_investigation_record(client, inspector, head) -> None:
    case_id = str(uuid7())
    await client.post("/cases", json={"id": case_id, "content": case_content()}, headers=inspector.headers)
    await take(client, head, case_id, {"action": "file"})
    refused = await take(
        client, inspector, case_id, {"action": "notify", "penalty": penalty(), "hearing_rights": False}, status=409
    )
    assert refused["code"] == "investigation-without-record"


async def test_review_flag_blocks_decision_until_passed(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    await take(client, head, case_id, {"action": "file"})
    grounds = {"action": "set_review_grounds", "grounds": ["public_interest"], "reason": "涉及饮用水源保护区"}
    await take(client, inspector, case_id, grounds)
    await take(client, inspector, case_id, {"action": "notify", "penalty": penalty(), "hearing_rights": False})
    await waive(client, inspector, case_id)
    refused = await take(client, head, case_id, {"action": "decide", "penalty": penalty()}, status=409)
    assert refused["code"] == "legal-review-required"


async def test_wrong_role_is_403_and_wrong_stage_is_409(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    forbidden = await take(client, inspector, case_id, {"action": "file"}, status=403)
    assert forbidden["code"] == "role-not-allowed"
    wrong = await take(client, head, case_id, {"action": "decide", "penalty": penalty()}, status=409)
    assert wrong["code"] == "stage-not-allowed"
    assert "待立案" in wrong["detail"]


async def test_retried_step_is_replayed_and_reused_id_conflicts(client, pool, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    body = {"id": str(uuid7()), "step": {"action": "file"}}
    first = await client.post(f"/cases/{case_id}/workflow/steps", json=body, headers=head.headers)
    again = await client.post(f"/cases/{case_id}/workflow/steps", json=body, headers=head.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert await pool.fetchval("SELECT count(*) FROM case_events WHERE case_id = $1", case_id) == 1
    body["step"] = {"action": "refuse_filing", "reason": "不属于本机关管辖"}
    clash = await client.post(f"/cases/{case_id}/workflow/steps", json=body, headers=head.headers)
    assert clash.status_code == 409 and clash.json()["code"] == "id-conflict"


async def test_history_is_one_hash_chain_and_every_step_is_audited(client, pool, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    history = (await client.get(f"/cases/{case_id}/history", headers=head.headers)).json()
    assert [e["action"] for e in history] == ["file", "notify"]
    assert history[1]["prev_hash"] == history[0]["event_hash"]
    assert history[1]["actor_id"] == str(inspector.principal.user_id)
    assert history[1]["device_id"] == inspector.principal.device_id
    audited = await pool.fetch(
        "SELECT action, after_hash FROM audit_log WHERE entity_type = 'case' AND entity_id = $1"
        " AND action LIKE 'case.%' AND action <> 'case.create' ORDER BY seq",
        case_id,
    )
    assert [(a["action"], a["after_hash"]) for a in audited] == [
        ("case.file", history[0]["event_hash"]),
        ("case.notify", history[1]["event_hash"]),
    ]


async def test_other_department_sees_404(client, make_department, make_user, inspector, partner) -> None:
    case_id = await open_case(client, inspector, partner)
    stranger = await make_user(Role.SUPERVISOR, await make_department())
    assert (await client.get(f"/cases/{case_id}/workflow", headers=stranger.headers)).status_code == 404
    await take(client, stranger, case_id, {"action": "file"}, status=404)
