"""The issued PDF's signature checked by pyHanko's validator; the public verification page."""

import io

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from api.documents.pdf import press
from tests.api.cases.support import open_case, penalty, take, to_notified, waive


@pytest.fixture
async def decision(client, inspector, partner, head) -> dict:
    """The decision of a decided case, with its sealed PDF under ``pdf``."""
    case_id = await open_case(client, inspector, partner, party={
        "kind": "natural_person", "name": "张三丰", "id_number": "11010519491231002X", "phone": "13812345678",
    })  # fmt: skip
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "decide", "penalty": penalty()})
    documents = (await client.get(f"/cases/{case_id}/documents", headers=head.headers)).json()
    [document] = [d for d in documents if d["kind"] == "decision"]
    answer = await client.get(f"/documents/{document['id']}/pdf", headers=head.headers)
    assert answer.status_code == 200, answer.text
    return document | {"pdf": answer.content}


def validation_context() -> ValidationContext:
    """Trusting the installation's root certificate, as a reader would after importing root.crt."""
    root = press.current().identities.root_certificate().public_bytes(serialization.Encoding.DER)
    return ValidationContext(trust_roots=[asn1_x509.Certificate.load(root)])


async def signature_holds(pdf: bytes) -> bool:
    try:
        [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
        status = await async_validate_pdf_signature(signature, validation_context())
    except Exception:  # a byte that breaks the PDF's structure is a failed check too
        return False
    return status.bottom_line


async def test_issued_pdf_is_signed_by_the_departments_certificate(decision, department) -> None:
    pdf = decision["pdf"]
    [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    status = await async_validate_pdf_signature(signature, validation_context())
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert f"测试局 {department.code}" in status.signing_cert.subject.human_friendly
    assert b"/GTS_PDFA1" in pdf or b"pdfaid" in pdf  # PDF/A-2b identification (fonts embedded)


@pytest.mark.parametrize("where", [0.1, 0.3, 0.5, 0.7])
async def test_one_changed_byte_fails_validation(decision, where: float) -> None:
    pdf = bytearray(decision["pdf"])
    at = int(len(pdf) * where)
    pdf[at] ^= 0x01
    assert await signature_holds(bytes(decision["pdf"]))
    assert not await signature_holds(bytes(pdf))


async def test_verification_page_confirms_the_issued_pdf_without_personal_data(client, decision) -> None:
    page = await client.get(f"/verify/{decision['verification_code']}")  # no token: a public page
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for shown in (decision["number"], decision["pdf_sha256"], "行政处罚决定书", "测试局", "2026年11月20日"):
        assert shown in page.text
    for personal in ("张三丰", "三丰", "11010519491231002X", "13812345678"):
        assert personal not in page.text
    files = {"file": ("决定书.pdf", decision["pdf"], "application/pdf")}
    confirmed = await client.post(f"/verify/{decision['verification_code']}", files=files)
    assert confirmed.status_code == 200 and "一致：" in confirmed.text and "不一致" not in confirmed.text


async def test_verification_page_refuses_an_altered_pdf_or_hash(client, decision) -> None:
    code = decision["verification_code"]
    altered = bytearray(decision["pdf"])
    altered[len(altered) // 2] ^= 0x01
    refused = await client.post(f"/verify/{code}", files={"file": ("x.pdf", bytes(altered), "application/pdf")})
    assert refused.status_code == 409 and "不一致" in refused.text
    wrong_hash = decision["pdf_sha256"][:-1] + ("0" if decision["pdf_sha256"][-1] != "0" else "1")
    refused = await client.post(f"/verify/{code}", files={"sha256": (None, wrong_hash)})
    assert refused.status_code == 409 and "不一致" in refused.text
    right_hash = await client.post(f"/verify/{code.lower()}", files={"sha256": (None, decision["pdf_sha256"])})
    assert right_hash.status_code == 200 and "一致：" in right_hash.text
    malformed = await client.post(f"/verify/{code}", files={"sha256": (None, "not-a-hash")})
    assert malformed.status_code == 422
    assert (await client.get("/verify/ZZZZZ-ZZZZZ")).status_code == 404
