"""Legal review: the queue, a dossier that re-checks every stored object, conclusions, and recusal."""

import msgspec
import pytest

from api.auth.tokens import issue_access_token
from mobile_contract.auth import Role
from tests.api.cases.support import open_case, penalty, take, waive
from tests.api.evidence.conftest import Declared, payload, upload_single
from tests.api.evidence.corrupt import flip_byte
from tests.conftest import Caller
from tests.factories import evidence_item, uuid7


@pytest.fixture
async def reviewer(make_user, department):
    return await make_user(Role.LEGAL_REVIEWER, department)


async def case_with_evidence(client, inspector, partner, head) -> tuple[str, Declared]:
    """A notified case, one verified photo, statements waived, submitted to review."""
    item, data = evidence_item(payload(4096))
    case_id = await open_case(client, inspector, partner, evidence=[item])
    record_id = (await client.get(f"/records?case_id={case_id}", headers=inspector.headers)).json()["items"][0]["id"]
    declared = Declared(id=item["id"], record_id=record_id, data=data)
    await upload_single(client, inspector, declared)
    await take(client, head, case_id, {"action": "file"})
    grounds = {"action": "set_review_grounds", "grounds": ["complex"], "reason": "涉及多个法律关系"}
    await take(client, inspector, case_id, grounds)
    await take(client, inspector, case_id, {"action": "notify", "penalty": penalty(), "hearing_rights": False})
    await waive(client, inspector, case_id)
    await take(client, inspector, case_id, {"action": "submit_review"})
    return case_id, declared


def conclusion(outcome: str, reasons: str = "事实清楚，证据确凿，程序合法") -> dict:
    return {"event_id": str(uuid7()), "outcome": outcome, "reasons": reasons}


async def test_open_rechecks_evidence_and_pass_allows_the_decision(client, pool, inspector, partner, head, reviewer):
    case_id, _ = await case_with_evidence(client, inspector, partner, head)
    queue = (await client.get("/reviews", headers=reviewer.headers)).json()
    assert [(q["case_id"], q["own_case"]) for q in queue] == [(case_id, False)]
    early = await client.post(f"/reviews/{case_id}/conclusion", json=conclusion("pass"), headers=reviewer.headers)
    assert early.status_code == 409 and early.json()["code"] == "review-not-opened"

    dossier = (await client.get(f"/reviews/{case_id}", headers=reviewer.headers)).json()
    [checked] = dossier["evidence"]
    assert (checked["outcome"], dossier["failed"]) == ("ok", [])
    assert [c["action"] for c in checked["custody"]][-1] == "evidence.verify"
    assert [e["action"] for e in dossier["history"]][-1] == "submit_review"
    views = await pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'review.open' AND entity_id = $1", case_id
    )
    assert views == 1

    passed = await client.post(f"/reviews/{case_id}/conclusion", json=conclusion("pass"), headers=reviewer.headers)
    assert passed.status_code == 201 and passed.json()["state"]["stage"] == "reviewed"
    decided = await take(client, head, case_id, {"action": "decide", "penalty": penalty()})
    assert decided["state"]["stage"] == "decided"


async def test_returned_case_goes_back_to_investigation(client, inspector, partner, head, reviewer):
    case_id, _ = await case_with_evidence(client, inspector, partner, head)
    await client.get(f"/reviews/{case_id}", headers=reviewer.headers)
    answer = await client.post(
        f"/reviews/{case_id}/conclusion", json=conclusion("return", "缺少现场测量报告"), headers=reviewer.headers
    )
    state = answer.json()["state"]
    assert (state["stage"], state["notice"], state["review"]["returns"]) == ("investigating", None, 1)
    refused = await take(client, head, case_id, {"action": "decide", "penalty": penalty()}, status=409)
    assert refused["code"] == "stage-not-allowed"


async def test_a_reviewer_who_took_part_cannot_review(client, pool, settings, inspector, partner, head):
    case_id, _ = await case_with_evidence(client, inspector, partner, head)
    # The partner is later made a legal reviewer: they investigated this case, so they must recuse.
    await pool.execute("UPDATE users SET role = 'legal_reviewer', certificate_no = NULL WHERE id = $1",
                       partner.principal.user_id)  # fmt: skip
    # The role change raised the user's token version (migration 0050): a token from before is refused.
    principal = msgspec.structs.replace(partner.principal, role=Role.LEGAL_REVIEWER, device_id="DEV-R", token_version=1)
    token = issue_access_token(principal, secret=settings.auth.jwt_secret, ttl_s=600)
    former = Caller(principal=principal, headers={"Authorization": f"Bearer {token}"})
    queue = (await client.get("/reviews", headers=former.headers)).json()
    assert [q["own_case"] for q in queue if q["case_id"] == case_id] == [True]
    answer = await client.get(f"/reviews/{case_id}", headers=former.headers)
    assert answer.status_code == 403 and answer.json()["code"] == "own-case"


async def test_review_of_another_department_is_404(client, make_department, make_user, inspector, partner, head):
    case_id, _ = await case_with_evidence(client, inspector, partner, head)
    outsider = await make_user(Role.LEGAL_REVIEWER, await make_department())
    assert (await client.get(f"/reviews/{case_id}", headers=outsider.headers)).status_code == 404
    queue = (await client.get("/reviews", headers=outsider.headers)).json()
    assert case_id not in {q["case_id"] for q in queue}


async def test_an_object_changed_in_storage_fails_at_review_and_blocks_the_decision(
    client, settings, inspector, partner, head, reviewer
):
    case_id, item = await case_with_evidence(client, inspector, partner, head)
    flip_byte(settings.data_dir.resolve() / "s3", item.data[:41], len(item.data), 2000, keep_store_crc_valid=True)
    dossier = (await client.get(f"/reviews/{case_id}", headers=reviewer.headers)).json()
    [checked] = dossier["evidence"]
    assert (checked["outcome"], dossier["failed"]) == ("mismatch", [item.id])
    assert checked["actual_sha256"] != checked["declaration"]["sha256"]
    refused = await client.post(f"/reviews/{case_id}/conclusion", json=conclusion("pass"), headers=reviewer.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "evidence-integrity-failed"
    # Returned for re-investigation and brought back, the case still cannot be decided on that evidence.
    await client.post(
        f"/reviews/{case_id}/conclusion", json=conclusion("return", "证据被改动"), headers=reviewer.headers
    )
    await take(client, inspector, case_id, {"action": "notify", "penalty": penalty(), "hearing_rights": False})
    await waive(client, inspector, case_id)
    blocked = await take(client, head, case_id, {"action": "decide", "penalty": penalty()}, status=409)
    assert "evidence-integrity-failed" in [r["code"] for r in blocked["extra"]["refusals"]]
