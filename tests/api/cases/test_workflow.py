"""The procedure through the API: guarded steps, explained refusals, documents, history and audit."""

import datetime as dt

from api.calendar.workdays import add_days
from api.cases import clock
from mobile_contract.auth import Role
from tests.api.cases.support import PINNED_TODAY, case_content, open_case, penalty, take, to_notified, waive
from tests.api.problem_text import unreadable
from tests.factories import package_calendar, uuid7


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
    workflow = (await client.get(f"/cases/{case_id}/workflow", headers=head.headers)).json()
    decide = next(s for s in workflow["next_steps"] if s["action"] == "decide")
    assert decide["roles"] == ["supervisor"]
    assert [b["code"] for b in decide["blocked_by"]] == codes, "the block is shown before anyone tries"
    running = {d["rule"]: d["status"] for d in workflow["deadlines"]}
    assert running == {"decide_90": "running", "statement": "running", "hearing_request_5": "running"}


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
    assert forbidden["detail"].startswith("立案须由") and "监管负责人" in forbidden["detail"]
    wrong = await take(client, head, case_id, {"action": "decide", "penalty": penalty()}, status=409)
    assert wrong["code"] == "stage-not-allowed"
    assert "待立案" in wrong["detail"] and "不能作出处罚决定" in wrong["detail"]


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
    assert unreadable(clash.json()) == [] and "不予立案" in clash.json()["detail"]


async def test_only_the_time_limit_for_deciding_can_be_extended(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id, hearing_rights=True)
    extend = {"action": "extend_deadline", "rule": "hearing_request_5", "days": 5, "reason": "当事人申请"}
    refused = await take(client, head, case_id, extend, status=409)
    assert refused["code"] == "deadline-not-extendable"
    assert unreadable(refused) == [], "the rules by their Chinese names, not their keys"
    assert "“告知后五日内要求听证”" in refused["detail"] and "“立案之日起九十日内作出处罚决定”" in refused["detail"]


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


async def test_supervisors_see_due_soon_limits_of_their_department_only(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    await take(client, head, case_id, {"action": "file"})
    seize = {"action": "apply_measure", "measure_id": str(uuid7()), "kind": "seize", "objects": "挖掘机一台", "days": 2}
    await take(client, inspector, case_id, seize)
    soon = (await client.get("/deadlines?within_days=2", headers=head.headers)).json()
    assert [(d["case_id"], d["rule"], d["status"], d["days_left"]) for d in soon] == [
        (case_id, "measure_30", "due_soon", 2)
    ]
    later = {
        (d["case_id"], d["rule"]) for d in (await client.get("/deadlines?within_days=90", headers=head.headers)).json()
    }
    assert later == {(case_id, "measure_30"), (case_id, "decide_90")}
    assert (await client.get("/deadlines", headers=inspector.headers)).status_code == 403


async def test_seizure_is_extended_once_and_must_end_before_closing(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    measure = str(uuid7())
    seize = {"action": "apply_measure", "measure_id": measure, "kind": "seize", "objects": "装载机一台"}
    await take(client, inspector, case_id, seize)
    await take(client, head, case_id, {"action": "file"})
    extend = {"action": "extend_measure", "measure_id": measure, "days": 30, "reason": "需技术鉴定"}
    state = (await take(client, head, case_id, extend))["state"]
    assert state["measures"][0]["extended_days"] == 30
    again = await take(client, head, case_id, extend, status=409)
    assert again["code"] == "measure-extension-used"
    revoke = {"action": "revoke_filing", "reason": "证据不足"}
    assert (await take(client, head, case_id, revoke, status=409))["code"] == "measures-open"
    release = {"action": "release_measure", "measure_id": measure, "outcome": "released", "reason": "解除扣押"}
    await take(client, inspector, case_id, release)
    assert (await take(client, head, case_id, revoke))["state"]["stage"] == "filing_revoked"


async def test_suspension_pauses_the_decision_deadline_and_resume_returns(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    suspended = await take(client, head, case_id, {"action": "suspend", "reason": "等待司法鉴定机构意见"})
    decide_90 = next(d for d in suspended["deadlines"] if d["rule"] == "decide_90")
    assert (suspended["state"]["stage"], decide_90["status"]) == ("suspended", "paused")
    resumed = await take(client, head, case_id, {"action": "resume", "reason": "鉴定意见已到"})
    assert resumed["state"]["stage"] == "notified"
    assert next(d for d in resumed["deadlines"] if d["rule"] == "decide_90")["status"] == "running"


async def test_hearing_is_notified_in_time_by_someone_who_did_not_investigate(
    client, make_user, department, inspector, partner, head
) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id, hearing_rights=True)
    await take(client, inspector, case_id, {"action": "request_hearing"})
    host = await make_user(Role.SUPERVISOR, department)
    earliest = add_days(package_calendar(), PINNED_TODAY, 7, working=True)[0]
    schedule = {"action": "schedule_hearing", "place": "第一听证室", "host_user_id": str(host.principal.user_id)}
    early = await take(
        client, inspector, case_id, schedule | {"hearing_on": str(earliest - dt.timedelta(days=1))}, status=409
    )
    assert early["code"] == "hearing-notice-too-late"
    biased = schedule | {"hearing_on": str(earliest), "host_user_id": str(partner.principal.user_id)}
    assert (await take(client, inspector, case_id, biased, status=409))["code"] == "hearing-host-is-investigator"
    await take(client, inspector, case_id, schedule | {"hearing_on": str(earliest)})
    premature = await take(
        client, inspector, case_id, {"action": "conclude_hearing", "summary": "听证结束"}, status=409
    )
    assert premature["code"] == "hearing-not-held"


async def test_a_notice_whose_periods_leave_the_holiday_data_is_refused(
    client, monkeypatch, inspector, partner, head
) -> None:
    case_id = await open_case(client, inspector, partner)
    await take(client, head, case_id, {"action": "file"})
    years = (await client.get("/calendar", headers=head.headers)).json()["years"]
    last = max(years)
    monkeypatch.setattr(clock, "today", lambda: dt.date(last, 12, 28))
    notify = {"action": "notify", "penalty": penalty(), "hearing_rights": False}
    refused = await take(client, inspector, case_id, notify, status=409)
    assert refused["code"] == "calendar-unavailable" and str(last + 1) in refused["detail"]
    assert f"国务院办公厅关于{last + 1}年部分节假日安排的通知" in refused["detail"], "says what to load"


async def decided(client, inspector, partner, head, **penalty_changes) -> str:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id, penalty=penalty(**penalty_changes))
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "decide", "penalty": penalty(**penalty_changes)})
    return case_id


async def test_a_decision_not_yet_served_cannot_be_suspended_and_says_why(client, inspector, partner, head) -> None:
    case_id = await decided(client, inspector, partner, head)
    refused = await take(client, head, case_id, {"action": "suspend", "reason": "当事人申请"}, status=409)
    assert refused["code"] == "decision-not-served" and "第六十一条" in refused["detail"]
    workflow = (await client.get(f"/cases/{case_id}/workflow", headers=head.headers)).json()
    suspend = next(s for s in workflow["next_steps"] if s["action"] == "suspend")
    assert [r["code"] for r in suspend["blocked_by"]] == ["decision-not-served"]


async def test_the_execution_of_a_served_decision_is_suspended_and_resumed_without_a_500(
    client, inspector, partner, head
) -> None:
    """中止执行 (行政强制法第三十九条): it used to raise out of the deadline engine."""
    case_id = await decided(client, inspector, partner, head)
    await take(client, inspector, case_id, {"action": "serve", "method": "in_person", "recipient": "法定代表人王某"})
    await take(client, inspector, case_id, {"action": "start_execution"})
    suspended = await take(client, head, case_id, {"action": "suspend", "reason": "当事人确有经济困难，暂无履行能力"})
    assert suspended["state"]["stage"] == "suspended"
    statuses = {d["rule"]: d["status"] for d in suspended["deadlines"]}
    assert statuses["decide_90"] == statuses["serve_7"] == "met"
    resumed = await take(client, head, case_id, {"action": "resume", "reason": "当事人已具备履行能力"})
    assert resumed["state"]["stage"] == "executing"


async def test_a_warning_served_has_no_execution_to_suspend(client, inspector, partner, head) -> None:
    case_id = await decided(client, inspector, partner, head, fine_yuan=0)
    await take(client, inspector, case_id, {"action": "serve", "method": "in_person", "recipient": "法定代表人王某"})
    refused = await take(client, head, case_id, {"action": "suspend", "reason": "当事人申请"}, status=409)
    assert refused["code"] == "nothing-to-suspend"
