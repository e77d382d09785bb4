"""Every numbered document as a sealed PDF: statutory content read back from the PDF, a preview per
kind written to docs/img/documents/, the signature checked by pyHanko's validator."""

import io
import re
from pathlib import Path

import msgspec
import pytest
from pypdf import PdfReader

from api.documents.pdf import press
from api.documents.render import Rendered
from tests.api.cases.support import open_case, penalty, take, to_notified, waive
from tests.api.evidence.conftest import Declared, payload, upload_single
from tests.conftest import DOCUMENT_SETTINGS
from tests.factories import VALID_USCC, evidence_item
from tests.pictures import write_picture

PREVIEWS = Path(__file__).parents[3] / "docs" / "img" / "documents"


FOOTER = re.compile(r"核验码[0-9A-Z]{5}-[0-9A-Z]{5}—\d+—|—\d+—核验码[0-9A-Z]{5}-[0-9A-Z]{5}")


def text_of(pdf: bytes) -> str:
    """The PDF's text as pypdf extracts it, whitespace and page footers removed, pages joined."""
    pages = (re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(FOOTER.sub("", page) for page in pages)


async def documents_of(client, caller, case_id: str) -> dict[str, dict]:
    answer = await client.get(f"/cases/{case_id}/documents", headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return {d["kind"]: d for d in answer.json()}


async def pdf_of(client, caller, document: dict) -> bytes:
    answer = await client.get(f"/documents/{document['id']}/pdf", headers=caller.headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return answer.content


# What differs from run to run (department codes, test users, codes) is replaced by fixed sample
# values, so a preview changes only when a document's layout or wording does.
SAMPLES = [
    (re.compile(r"测试局 D[0-9a-f]{10}"), "某区自然资源局"),
    (re.compile(r"D[0-9a-f]{10}(?=[立告罚不送])"), "ZRZY-360102"),
    (re.compile(r"(?:测试 )?inspector-[0-9a-f]{8}"), ["王执法", "李执法"]),
    (re.compile(r"C[0-9a-f]{10}"), ["36010020260001", "36010020260002"]),
    (re.compile(r"[0-9A-Z]{5}-[0-9A-Z]{5}"), "7K3QD-M9X2B"),
]


async def preview(pool, document_id: str, name: str) -> None:
    """The first page as Typst rasterises the stored content (sample names and numbers), for the README."""
    async with pool.acquire() as conn:
        data = await conn.fetchval("SELECT data FROM case_documents WHERE id = $1", document_id)
    text = msgspec.json.encode(data).decode()
    for pattern, sample in SAMPLES:
        if isinstance(sample, list):  # distinct people keep distinct sample names, in order of appearance
            seen = list(dict.fromkeys(pattern.findall(text)))
            text = pattern.sub(lambda m, seen=seen, sample=sample: sample[seen.index(m[0]) % len(sample)], text)
        else:
            text = pattern.sub(sample, text)
    write_picture(PREVIEWS / f"{name}.png", press.current().preview(msgspec.json.decode(text, type=Rendered))[0])


@pytest.fixture
async def served_case(client, inspector, partner, head) -> str:
    """Filed, notified, decided with a fine and served in person; one verified photo on file."""
    item, data = evidence_item(payload(4000))
    item["description"] = "采石场东侧越界开采作业面"
    case_id = await open_case(client, inspector, partner, evidence=[item])
    record_id = (await client.get(f"/records?case_id={case_id}", headers=inspector.headers)).json()["items"][0]["id"]
    await upload_single(client, inspector, Declared(id=item["id"], record_id=record_id, data=data))
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "decide", "penalty": penalty_with_fine()})
    serve = {"action": "serve", "method": "in_person", "recipient": "法定代表人王某", "place": "当事人办公室"}
    await take(client, inspector, case_id, serve)
    return case_id


def penalty_with_fine() -> dict:
    return penalty(fine_yuan=50_000)


COMMON = ["某某石料有限公司", VALID_USCC, "2026年11月20日"]


async def test_decision_states_what_article_59_requires(client, inspector, head, served_case, pool) -> None:
    documents = await documents_of(client, head, served_case)
    decision = documents["decision"]
    text = text_of(await pdf_of(client, head, decision))
    settings = DOCUMENT_SETTINGS
    for expected in [
        *COMMON, "行政处罚决定书", decision["number"], "测试局", "越界开采建筑石料约2000立方米",  # party, facts
        "以上事实有下列证据证明", "现场检查（勘验）笔录", "照片", "采石场东侧越界开采作业面",  # evidence list
        "《矿产资源法》第四十条", "罚款人民币50,000.00元",  # basis, kind and amount
        "十五日内", settings["payment_bank"], settings["payment_account_name"],  # how, by when, where to pay
        settings["payment_account_no"].replace(" ", ""), "百分之三加处罚款",
        "六十日内", settings["review_body"], "申请行政复议", "六个月内", settings["court"], "提起行政诉讼",
        "行政处罚告知书", documents["notice"]["number"], "放弃陈述、申辩", decision["verification_code"],
    ]:  # fmt: skip
        assert expected in text, expected
    await preview(pool, decision["id"], "decision")


async def test_notice_filing_and_receipt_render_with_their_content(client, head, served_case, pool) -> None:
    documents = await documents_of(client, head, served_case)
    expected = {
        "filing_approval": ["立案审批表", "案件来源", "负责人审批意见", "同意立案", "承办人签名", "负责人签名"],
        "notice": ["行政处罚告知书", "第四十四条", "第四十五条", "陈述和申辩", "2026年11月25日前", "某区某路1号"],
        "service_receipt": ["送达回证", "法定代表人王某", "当事人办公室", "■直接送达", "□留置送达", "□邮寄送达",
                            "□公告送达", "□电子送达", "受送达人签名或盖章", "年月日", documents["decision"]["number"]],
    }  # fmt: skip
    for kind, phrases in expected.items():
        text = text_of(await pdf_of(client, head, documents[kind]))
        for phrase in [*phrases, documents[kind]["number"], "测试局"]:
            assert phrase in text, (kind, phrase)
        await preview(pool, documents[kind]["id"], kind)


async def test_no_penalty_decision_names_the_ground_and_remedies(client, inspector, partner, head, pool) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "not_penalise", "ground": "first_violation", "reason": "首次违法"})
    document = (await documents_of(client, head, case_id))["no_penalty_decision"]
    text = text_of(await pdf_of(client, head, document))
    for phrase in [*COMMON, "不予行政处罚决定书", "第三十三条第一款", "某区人民政府", "某区人民法院", "六个月内"]:
        assert phrase in text, phrase
    await preview(pool, document["id"], "no_penalty_decision")


async def test_blank_receipt_prints_before_service(client, inspector, partner, head) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    notice = (await documents_of(client, head, case_id))["notice"]
    answer = await client.get(f"/documents/{notice['id']}/receipt-form", headers=inspector.headers)
    assert answer.status_code == 200, answer.text
    text = text_of(answer.content)
    for phrase in ["送达回证", "行政处罚告知书", notice["number"], "某某石料有限公司", "□直接送达", "□留置送达",
                   "受送达人签名或盖章", "送达人签名", "年月日", notice["verification_code"]]:  # fmt: skip
        assert phrase in text, phrase
    assert "■" not in text  # nothing ticked before service
    filing = (await documents_of(client, head, case_id))["filing_approval"]
    refused = await client.get(f"/documents/{filing['id']}/receipt-form", headers=inspector.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "not-a-served-document"


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"method": "left_at_residence"}, "留置送达须写明拒收事由"),
        ({"method": "post"}, "邮寄送达须填写邮件单号"),
        ({"method": "electronic", "electronic_address": "a@example.cn"}, "电子送达须经当事人同意"),
        ({"method": "announcement"}, "公告送达须写明公告载体"),
    ],
)
async def test_service_record_must_say_how_it_was_done(client, inspector, partner, head, step, message) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "decide", "penalty": penalty_with_fine()})
    answer = await take(client, inspector, case_id, {"action": "serve", "recipient": "王某"} | step, status=422)
    assert message in str(answer)


async def test_decision_is_refused_until_the_department_states_review_body_and_payment(
    client, inspector, partner, head, department, pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM department_document_settings WHERE department_id = $1", department.id)
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    refused = await take(client, head, case_id, {"action": "decide", "penalty": penalty_with_fine()}, status=409)
    assert refused["code"] == "document-settings-missing"
    assert {e["field"] for e in refused["errors"]} >= {"review_body", "court", "payment_account_no"}
    bad = DOCUMENT_SETTINGS | {"court": "某区法院", "payment_account_no": "12-34"}
    answer = await client.put(f"/departments/{department.id}/document-settings", json=bad, headers=head.headers)
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"court", "payment_account_no"}
    answer = await client.put(
        f"/departments/{department.id}/document-settings", json=DOCUMENT_SETTINGS, headers=head.headers
    )
    assert answer.status_code == 200, answer.text
    await take(client, head, case_id, {"action": "decide", "penalty": penalty_with_fine()})
