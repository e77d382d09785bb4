"""Issuing numbered documents (文书号) as part of a procedure step, in the step's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Sequence

import msgspec

from api.cases import clock
from api.cases.clock import CHINA
from api.documents.render import TITLES, Rendered, party_rows, penalty_text, to_html, zh_date
from mobile_contract.case_state import WorkflowState
from mobile_contract.documents import DocumentKind, DocumentRead
from mobile_contract.parties import Officer
from mobile_contract.records import CaseContent
from mobile_contract.workflow import NoPenaltyGround, ServiceMethod
from storage import numbered_documents
from storage.db import Connection

ABBREVIATIONS = {
    DocumentKind.FILING_APPROVAL: "立",
    DocumentKind.NOTICE: "告",
    DocumentKind.DECISION: "罚",
    DocumentKind.NO_PENALTY_DECISION: "不罚",
    DocumentKind.SERVICE_RECEIPT: "送",
}
NO_PENALTY_ZH = {
    NoPenaltyGround.FIRST_VIOLATION: "初次违法且危害后果轻微并及时改正（行政处罚法第三十三条第一款）",
    NoPenaltyGround.MINOR_CORRECTED: "违法行为轻微并及时改正，没有造成危害后果（行政处罚法第三十三条第一款）",
    NoPenaltyGround.NO_FAULT: "有证据足以证明没有主观过错（行政处罚法第三十三条第二款）",
    NoPenaltyGround.FACTS_NOT_ESTABLISHED: "违法事实不能成立（行政处罚法第五十七条第一款第三项）",
    NoPenaltyGround.TIME_BARRED: "违法行为超过追责时效（行政处罚法第三十六条）",
}
SERVICE_ZH = {
    ServiceMethod.IN_PERSON: "直接送达",
    ServiceMethod.LEFT_AT_RESIDENCE: "留置送达",
    ServiceMethod.POST: "邮寄送达",
    ServiceMethod.ELECTRONIC: "电子送达",
    ServiceMethod.ANNOUNCEMENT: "公告送达",
}
REMEDIES = "如不服本决定，可以在收到本决定书之日起六十日内申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
PAYMENT = "当事人应当自收到本决定书之日起十五日内缴纳罚款（行政处罚法第六十七条）；逾期不缴纳的，每日按罚款数额的百分之三加处罚款。"  # noqa: E501


class CaseFile(msgspec.Struct, frozen=True, kw_only=True):
    """What documents say about the case: its content and the officers on its records."""

    id: uuid.UUID
    department_id: uuid.UUID
    created_by: uuid.UUID
    content: CaseContent
    officers: list[Officer]


def _officers(case: CaseFile) -> tuple[str, str]:
    return "执法人员及执法证号", "；".join(f"{o.name}（{o.certificate_no}）" for o in case.officers)


def _filing(case: CaseFile, state: WorkflowState) -> Rendered:
    c = case.content
    rows = [("案件名称", c.title), ("案件来源", c.source), ("监管事项编码", c.item_code), *party_rows(c.party)]
    rows += [("发现地点", c.place.address), ("发现时间", zh_date(c.found_at.astimezone(CHINA).date()))]
    rows += [("案情摘要", c.summary or "—"), _officers(case)]
    return _rendered(DocumentKind.FILING_APPROVAL, rows, ["经审查，符合立案条件（行政处罚法第五十四条），同意立案。"])


def _notice(case: CaseFile, state: WorkflowState) -> Rendered:
    notice = state.notice
    assert notice is not None
    p = notice.penalty
    rows = [*party_rows(case.content.party), ("违法事实", p.facts), ("处罚依据", p.legal_basis)]
    rows += [
        ("拟作出的行政处罚", penalty_text(p)),
        ("陈述、申辩期限", f"{zh_date(notice.statement_due)}前"),
        _officers(case),
    ]
    paragraphs = ["根据《中华人民共和国行政处罚法》第四十四条、第四十五条，你（单位）有权进行陈述和申辩。"]
    if notice.hearing_rights and notice.hearing_due:
        paragraphs.append(
            f"根据第六十三条、第六十四条，你（单位）有权要求听证，应当在{zh_date(notice.hearing_due)}前提出。"
        )
    return _rendered(DocumentKind.NOTICE, rows, paragraphs)


def _decision(case: CaseFile, state: WorkflowState) -> Rendered:
    decision = state.decision
    assert decision is not None and decision.penalty is not None
    p = decision.penalty
    rows = [*party_rows(case.content.party), ("违法事实", p.facts), ("处罚依据", p.legal_basis)]
    rows += [("处罚决定", penalty_text(p)), _officers(case)]
    return _rendered(DocumentKind.DECISION, rows, [PAYMENT, REMEDIES])


def _no_penalty(case: CaseFile, state: WorkflowState) -> Rendered:
    decision = state.decision
    assert decision is not None and decision.no_penalty_ground is not None
    rows = [*party_rows(case.content.party), ("不予处罚理由", NO_PENALTY_ZH[decision.no_penalty_ground])]
    rows += [("说明", decision.reason), _officers(case)]
    return _rendered(DocumentKind.NO_PENALTY_DECISION, rows, [REMEDIES])


def _receipt(case: CaseFile, state: WorkflowState) -> Rendered:
    service, decision = state.service, state.decision
    assert service is not None and decision is not None
    rows = [("送达文书", decision.document_no), ("受送达人", service.recipient)]
    rows += [("送达方式", SERVICE_ZH[service.method]), ("送达日期", zh_date(service.served_on)), _officers(case)]
    return _rendered(DocumentKind.SERVICE_RECEIPT, rows)


def _rendered(kind: DocumentKind, rows: list[tuple[str, str]], paragraphs: Sequence[str] = ()) -> Rendered:
    """Content only; organ, number and date are filled in by ``issue``."""
    return Rendered(title="", organ="", number="", issued_on=dt.date.min, rows=rows, paragraphs=list(paragraphs))


BUILDERS: dict[DocumentKind, Callable[[CaseFile, WorkflowState], Rendered]] = {
    DocumentKind.FILING_APPROVAL: _filing,
    DocumentKind.NOTICE: _notice,
    DocumentKind.DECISION: _decision,
    DocumentKind.NO_PENALTY_DECISION: _no_penalty,
    DocumentKind.SERVICE_RECEIPT: _receipt,
}


async def issue(
    conn: Connection, *, case: CaseFile, kind: DocumentKind, state: WorkflowState, event_id: uuid.UUID
) -> DocumentRead:
    """Number, render and store one document for ``case`` as it stands in ``state``."""
    issued_at = dt.datetime.now(dt.UTC)
    issued_on = clock.today()
    dept = await numbered_documents.department(conn, id=case.department_id)
    serial = await numbered_documents.next_serial(
        conn, department_id=case.department_id, year=issued_on.year, kind=kind.value
    )
    number = f"{dept['code']}{ABBREVIATIONS[kind]}〔{issued_on.year}〕{serial}号"
    body = msgspec.structs.replace(
        BUILDERS[kind](case, state), title=TITLES[kind], organ=dept["name"], number=number, issued_on=issued_on
    )
    html = to_html(body)
    read = DocumentRead(
        id=uuid.uuid4(), case_id=case.id, kind=kind, number=number, year=issued_on.year, serial=serial,
        issued_at=issued_at, html_sha256=hashlib.sha256(html.encode()).hexdigest(),
    )  # fmt: skip
    row = msgspec.structs.asdict(read) | {"department_id": case.department_id, "event_id": event_id}
    await numbered_documents.insert(
        conn, row=row | {"kind": kind.value, "data": msgspec.json.encode(body), "html": html}
    )
    return read
