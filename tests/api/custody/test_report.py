"""Chain-of-custody reports: names and certificate numbers, one row per audit entry, in the package too."""

import csv
import io
import json
import re
import zipfile

import pytest
from pypdf import PdfReader

from mobile_contract.auth import Role
from tests.api.cases.support import open_case, take, to_notified, waive
from tests.api.evidence.conftest import Declared, payload, upload_single
from tests.factories import evidence_item

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
async def reviewer(make_user, department):
    return await make_user(Role.LEGAL_REVIEWER, department)


@pytest.fixture
async def handled_case(client, inspector, partner, head, reviewer) -> dict:
    """A decided case whose two photos were uploaded, viewed, downloaded, put on hold and released."""
    items = [evidence_item(payload(3000)), evidence_item(payload(2000))]
    case_id = await open_case(client, inspector, partner, evidence=[i for i, _ in items])
    record_id = (await client.get(f"/records?case_id={case_id}", headers=inspector.headers)).json()["items"][0]["id"]
    for item, data in items:
        await upload_single(client, inspector, Declared(id=item["id"], record_id=record_id, data=data))
    first = items[0][0]["id"]
    assert (await client.get(f"/evidence/{first}", headers=reviewer.headers)).status_code == 200
    assert (await client.get(f"/evidence/{first}/download", headers=head.headers)).status_code == 200
    for enabled in (True, False):
        hold = {"enabled": enabled, "reason": "移送法院前保全"}
        assert (await client.post(f"/evidence/{first}/legal-hold", json=hold, headers=head.headers)).status_code == 200
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "not_penalise", "ground": "first_violation", "reason": "首次违法"})
    return {"case_id": case_id, "record_id": record_id, "items": [i["id"] for i, _ in items]}


async def audit_entries(pool, case: dict, up_to: int) -> list:
    async with pool.acquire() as conn:
        return await conn.fetch(
            "SELECT seq, action, actor_id FROM audit_log WHERE seq <= $3 AND ((entity_type = 'evidence'"
            " AND entity_id = ANY($1::text[])) OR (entity_type = 'record' AND entity_id = $2"
            " AND action IN ('record.create', 'record.update'))) ORDER BY seq",
            case["items"], case["record_id"], up_to,
        )  # fmt: skip


async def users_by_id(pool, ids) -> dict:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT id, display_name, certificate_no FROM users WHERE id = ANY($1)", list(ids))
    return {r["id"]: r for r in rows}


async def test_package_custody_report_matches_the_audit_log_one_to_one(client, head, handled_case, pool) -> None:
    answer = await client.get(f"/cases/{handled_case['case_id']}/package", headers=head.headers)
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        root = archive.namelist()[0].split("/")[0]
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{root}/custody/custody.csv").decode("utf-8-sig"))))
        pdf = archive.read(f"{root}/custody/custody.pdf")
        head_seq = json.loads(archive.read(f"{root}/anchors.json"))["audit_head"]["seq"]
    entries = await audit_entries(pool, handled_case, head_seq)
    audited = [r for r in rows if r["序号"]]
    assert [int(r["序号"]) for r in audited] == [e["seq"] for e in entries]  # one to one, in chain order
    people = await users_by_id(pool, {e["actor_id"] for e in entries})
    for row, entry in zip(audited, entries, strict=True):
        person = people[entry["actor_id"]]
        assert row["操作人"] == person["display_name"]
        assert row["执法证号"] == (person["certificate_no"] or "—")
    events = {r["事件"] for r in rows}
    assert {
        "采集（设备记录）",
        "登记（随记录提交）",
        "上传完成并核验",
        "查看",
        "下载",
        "设置法律保全",
        "解除法律保全",
    } <= events
    assert {r["角色"] for r in audited} >= {"执法人员", "监管负责人", "法制审核人员"}
    assert all(r["时间（北京时间）"].startswith("2026-") for r in rows)
    people_columns = " ".join(r["操作人"] + r["执法证号"] for r in rows)
    assert not UUID.search(people_columns)  # names, not UUIDs
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "证据保管链报告" in text and people[entries[0]["actor_id"]]["certificate_no"] in text


async def test_on_demand_report_is_audited_and_appears_in_the_next(client, inspector, handled_case) -> None:
    item = handled_case["items"][1]
    first = await client.get(f"/evidence/{item}/custody?format=csv", headers=inspector.headers)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")
    again = await client.get(f"/evidence/{item}/custody?format=csv", headers=inspector.headers)
    rows = list(csv.DictReader(io.StringIO(again.text.lstrip("\ufeff"))))
    assert rows[-1]["事件"] == "生成保管链报告" and rows[-1]["操作人"] == inspector_name(inspector)
    pdf = await client.get(f"/cases/{handled_case['case_id']}/custody", headers=inspector.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def inspector_name(caller) -> str:
    return f"测试 {caller.principal.username}"


async def test_another_departments_report_is_not_found(client, make_department, make_user, handled_case) -> None:
    outsider = await make_user(Role.SUPERVISOR, await make_department())
    answer = await client.get(f"/cases/{handled_case['case_id']}/custody", headers=outsider.headers)
    assert answer.status_code == 404
