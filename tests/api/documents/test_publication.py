"""Publication (行政执法公示): masked public version, public feed, withdrawal with a reason, deadlines."""

from api.documents.masking import scrub
from mobile_contract.parties import Party
from tests.api.cases.support import open_case, penalty, take, to_notified, waive
from tests.factories import uuid7

PERSON = {
    "kind": "natural_person",
    "name": "张三丰",
    "id_number": "11010519491231002X",
    "address": "某县某镇某村 12 号",
    "phone": "13812345678",
}


async def decided_case(client, inspector, partner, head, **content) -> str:
    case_id = await open_case(client, inspector, partner, **content)
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    facts = (
        "张三丰（身份证 11010519491231002X，电话 13812345678，住某县某镇某村 12 号）在此越界开采；另一电话 13900001111"
    )
    await take(client, head, case_id, {"action": "decide", "penalty": penalty(facts=facts)})
    return case_id


async def test_public_version_masks_a_natural_persons_data(client, inspector, partner, head) -> None:
    case_id = await decided_case(client, inspector, partner, head, party=PERSON)
    publication_id = str(uuid7())
    answer = await client.post(f"/cases/{case_id}/publication", json={"id": publication_id}, headers=head.headers)
    assert answer.status_code == 201, answer.text
    public = (await client.get(f"/public/decisions/{publication_id}")).json()["decision"]
    assert (public["party_name"], public["party_code"], public["party_address"]) == (
        "张**", "110105************", "（自然人住址不予公开）",
    )  # fmt: skip
    text = str(public)
    for secret in ("三丰", "11010519491231002X", "13812345678", "某村 12 号", "13900001111"):
        assert secret not in text
    assert "138****5678" in public["facts"] and "139****1111" in public["facts"]
    assert public["document_no"].endswith("号") and public["penalty"].startswith("罚款")


async def test_organisations_are_published_as_registered(client, inspector, partner, head) -> None:
    case_id = await decided_case(client, inspector, partner, head)
    publication_id = str(uuid7())
    await client.post(f"/cases/{case_id}/publication", json={"id": publication_id}, headers=head.headers)
    feed = (await client.get("/public/decisions?region_code=360102&limit=100")).json()["items"]
    mine = next(i for i in feed if i["id"] == publication_id)
    assert mine["decision"]["party_name"] == "某某石料有限公司"
    assert mine["decision"]["party_code"] == "91350100M000100Y43"
    workflow = (await client.get(f"/cases/{case_id}/workflow", headers=head.headers)).json()
    publish_7 = next(d for d in workflow["deadlines"] if d["rule"] == "publish_7")
    assert publish_7["status"] == "met"


async def test_withdrawal_shows_only_the_reason_and_meets_the_three_day_limit(client, inspector, partner, head):
    case_id = await decided_case(client, inspector, partner, head)
    publication_id = str(uuid7())
    await client.post(f"/cases/{case_id}/publication", json={"id": publication_id}, headers=head.headers)
    await take(client, head, case_id, {"action": "annul", "reason": "行政复议决定撤销原处罚决定"})
    body = {"event_id": str(uuid7()), "reason": "原处罚决定已被行政复议机关撤销"}
    answer = await client.post(f"/publications/{publication_id}/withdrawal", json=body, headers=head.headers)
    assert answer.status_code == 200, answer.text
    public = (await client.get(f"/public/decisions/{publication_id}")).json()
    assert (public["decision"], public["withdraw_reason"]) == (None, "原处罚决定已被行政复议机关撤销")
    workflow = (await client.get(f"/cases/{case_id}/workflow", headers=head.headers)).json()
    withdraw_3 = next(d for d in workflow["deadlines"] if d["rule"] == "withdraw_3")
    assert withdraw_3["status"] == "met"
    history = (await client.get(f"/cases/{case_id}/history", headers=head.headers)).json()
    assert [e["action"] for e in history][-3:] == ["publish", "annul", "withdraw_publication"]


async def test_publishing_needs_a_penalty_decision_and_the_head(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    early = await client.post(f"/cases/{case_id}/publication", json={"id": str(uuid7())}, headers=head.headers)
    assert early.status_code == 409 and early.json()["code"] == "stage-not-allowed"
    assert (await client.get("/public/decisions")).status_code == 200, "the feed needs no sign-in"
    forbidden = await client.post(f"/cases/{case_id}/publication", json={"id": str(uuid7())}, headers=inspector.headers)
    assert forbidden.status_code == 403


def test_scrub_masks_numbers_anywhere_even_for_organisations() -> None:
    company = Party(kind="legal_person", name="某某公司", uscc="91350100M000100Y43")
    assert scrub("联系人电话 13812345678，身份证 11010519491231002X", company) == (
        "联系人电话 138****5678，身份证 110105************"
    )
