"""A share of a case's package: works until revoked or expired, then 410; every use is audited."""

import io
import json
import zipfile

import pytest

from tests.api.cases.support import open_case
from tests.api.evidence.conftest import Declared, payload, upload_single
from tests.factories import evidence_item, uuid7


@pytest.fixture
async def case(client, inspector, partner) -> dict:
    items = [evidence_item(payload(3000)), evidence_item(payload(2000))]
    case_id = await open_case(client, inspector, partner, evidence=[i for i, _ in items])
    record_id = (await client.get(f"/records?case_id={case_id}", headers=inspector.headers)).json()["items"][0]["id"]
    for item, data in items:
        await upload_single(client, inspector, Declared(id=item["id"], record_id=record_id, data=data))
    return {"id": case_id, "items": [i["id"] for i, _ in items]}


def share_body(**changes) -> dict:
    return {"id": str(uuid7()), "recipient_name": "李检察官", "recipient_organ": "某区人民检察院", "days": 7} | changes


async def share(client, head, case_id: str, **changes) -> dict:
    body = share_body(**changes)
    answer = await client.post(f"/cases/{case_id}/shares", json=body, headers=head.headers)
    assert answer.status_code == 201, answer.text
    again = await client.post(f"/cases/{case_id}/shares", json=body, headers=head.headers)  # a retry: same link
    assert again.status_code == 201 and again.json()["url"] == answer.json()["url"]
    return answer.json()


def local(url: str) -> str:
    """The link's path, to call the app under test (the link names the configured public URL)."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def recipient_entries(pool, case: dict) -> list:
    async with pool.acquire() as conn:
        return await conn.fetch(
            "SELECT action, entity_id, detail::text AS detail FROM audit_log WHERE actor_role = 'share_recipient'"
            " AND (entity_id = $1 OR entity_id = ANY($2::text[])) ORDER BY seq",
            case["id"], case["items"],
        )  # fmt: skip


async def test_link_works_until_revoked_then_410_and_every_use_is_audited(client, head, case, pool) -> None:
    shared = await share(client, head, case["id"])
    page = await client.get(local(shared["url"]))  # no token in headers: the link is the key
    assert page.status_code == 200 and "李检察官" in page.text and "某区人民检察院" in page.text
    package = await client.get(local(shared["url"]) + "/package")
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        assert sum("/evidence/" in n for n in archive.namelist()) == 2
    entries = await recipient_entries(pool, case)
    assert [e["action"] for e in entries].count("case.share_access") == 2  # the page and the download
    assert sorted(e["entity_id"] for e in entries if e["action"] == "evidence.share_access") == sorted(case["items"])
    assert all(json.loads(e["detail"])["recipient"] == "李检察官" for e in entries)
    revoked = await client.post(
        f"/shares/{shared['id']}/revocation", json={"reason": "案件已移送"}, headers=head.headers
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await client.get(local(shared["url"]))).status_code == 410
    gone = await client.get(local(shared["url"]) + "/package")
    assert gone.status_code == 410 and gone.json()["code"] == "gone" and "撤销" in gone.json()["detail"]
    assert len(await recipient_entries(pool, case)) == len(entries)  # refused uses read nothing


async def test_expired_link_answers_410(client, head, case, pool) -> None:
    shared = await share(client, head, case["id"])
    async with pool.acquire() as conn:
        await conn.execute("UPDATE case_shares SET expires_at = now() - interval '1 second' WHERE id = $1",
                           shared["id"])  # fmt: skip
    answer = await client.get(local(shared["url"]) + "/package")
    assert answer.status_code == 410 and "过期" in answer.json()["detail"]
    assert (await client.get("/shared/not-a-token")).status_code == 404


async def test_withheld_items_are_left_out_of_the_share(client, head, case) -> None:
    withheld, kept = case["items"]
    body = {"withheld": True, "reason": "涉及举报人身份"}
    assert (await client.put(f"/evidence/{withheld}/disclosure", json=body, headers=head.headers)).status_code == 204
    shared = await share(client, head, case["id"])
    package = await client.get(local(shared["url"]) + "/package")
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        names = archive.namelist()
        manifest = [json.loads(line) for line in archive.read(f"{names[0].split('/')[0]}/manifest.jsonl").splitlines()]
    assert any(kept in n for n in names) and not any(withheld in n for n in names)
    [line] = [m for m in manifest if m.get("evidence_id") == withheld]
    assert line["path"] is None and line["withheld"] is True
