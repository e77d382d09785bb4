"""What each numbered document states (文书内容), by the statute that requires it.

- 立案审批表: the case, the party, the officers and the approval (行政处罚法第五十四条).
- 行政处罚告知书: the facts, reasons, basis and proposed penalty, and the rights to state a case,
  to defend and, where it applies, to a hearing (第四十四条、第四十五条、第六十三条、第六十四条).
- 行政处罚决定书: party; facts and the evidence; basis; kind and amount; how and by when to
  perform, and where to pay; where and within what time to seek administrative review (复议机关,
  60 days) or to sue (人民法院, 6 months); the organ and the date (第五十九条、第六十七条、第七十二条).
- 不予行政处罚决定书: the ground, and the same remedies.
- 送达回证: the document served, the recipient, how it was served (第六十一条) and blank lines for
  the recipient's and the officers' signatures and dates; printable before service as a blank form.

Content only: the organ's name, the number and the date are filled in when the document is issued.
"""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from api.cases.clock import CHINA
from api.documents.render import Layout, Rendered, party_rows, penalty_text, yuan, zh_date
from mobile_contract.case_state import Service, WorkflowState
from mobile_contract.documents import DocumentKind, DocumentSettings
from mobile_contract.parties import Officer
from mobile_contract.problems import FieldError, InvalidTransition
from mobile_contract.records import CaseContent, PenaltyKind
from mobile_contract.workflow import NoPenaltyGround, ServiceMethod

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
    ServiceMethod.ANNOUNCEMENT: "公告送达",
    ServiceMethod.ELECTRONIC: "电子送达（经当事人同意）",
}
SOURCE_ZH = {"patrol": "巡查发现", "complaint": "投诉举报", "alert": "监控预警", "transfer": "移送", "referral": "移送"}
EVIDENCE_KIND_ZH = {"photo": "照片", "video": "视频", "audio": "录音", "document": "书证"}
RECORD_KIND_ZH = {"inspection": "现场检查（勘验）笔录", "penalty": "行政处罚记录", "coercive_measure": "行政强制记录"}
SETTINGS_ZH = {
    "review_body": "行政复议机关", "court": "人民法院", "payment_bank": "罚款代收银行",
    "payment_account_name": "收款户名", "payment_account_no": "收款账号",
}  # fmt: skip


class EvidenceLine(msgspec.Struct, frozen=True, kw_only=True):
    """One item of the evidence list (证据清单): a record, or an item a record declared."""

    record_kind: str
    record_on: dt.datetime
    kind: str | None
    description: str
    captured_at: dt.datetime | None


class CaseFile(msgspec.Struct, frozen=True, kw_only=True):
    """What documents say about the case: its content and the officers on its records."""

    id: uuid.UUID
    department_id: uuid.UUID
    created_by: uuid.UUID
    content: CaseContent
    officers: list[Officer]


class Context(msgspec.Struct, frozen=True, kw_only=True):
    """What documents state beyond the case: the organ's settings and the evidence on file."""

    settings: DocumentSettings | None
    evidence: list[EvidenceLine]


def _china_date(at: dt.datetime) -> str:
    return zh_date(at.astimezone(CHINA).date())


def officers_row(case: CaseFile) -> tuple[str, str]:
    return "执法人员及执法证号", "；".join(f"{o.name}（{o.certificate_no}）" for o in case.officers)


def evidence_paragraphs(context: Context) -> list[str]:
    """The evidence list, numbered: each record, then the items it declared."""
    lines = []
    for e in context.evidence:
        if e.kind is None:
            lines.append(f"{RECORD_KIND_ZH.get(e.record_kind, e.record_kind)}（{_china_date(e.record_on)}）")
        else:
            when = f"，{_china_date(e.captured_at)}采集" if e.captured_at else ""
            what = f"：{e.description}" if e.description else ""
            lines.append(f"{EVIDENCE_KIND_ZH.get(e.kind, e.kind)}{when}{what}")
    return [f"{n}. {line}" for n, line in enumerate(lines, start=1)] or ["（无）"]


def filing(case: CaseFile, state: WorkflowState, context: Context) -> Rendered:
    c = case.content
    rows = [("案件名称", c.title), ("案件来源", SOURCE_ZH.get(c.source, c.source)), ("监管事项编码", c.item_code)]
    rows += party_rows(c.party)
    rows += [("发现地点", c.place.address), ("发现时间", _china_date(c.found_at)), ("案情摘要", c.summary or "—")]
    rows += [officers_row(case), ("承办人意见", "建议立案调查")]
    rows += [("负责人审批意见", "经审查，符合立案条件（行政处罚法第五十四条），同意立案。")]
    return _content(rows, layout=Layout.FORM, signatures=["承办人签名", "负责人签名"])


def notice(case: CaseFile, state: WorkflowState, context: Context) -> Rendered:
    n = state.notice
    assert n is not None
    p = n.penalty
    paragraphs = [
        f"经查，你（单位）{p.facts}。",
        "#以上事实有下列证据证明：",
        *evidence_paragraphs(context),
        f"本机关认为，你（单位）的上述行为违反了{p.legal_basis}的规定。依据{p.legal_basis}，"
        f"本机关拟对你（单位）作出如下行政处罚：{penalty_text(p)}。",
        "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。"
        f"请于{zh_date(n.statement_due)}前向本机关提出陈述、申辩意见；逾期未提出的，视为放弃上述权利。",
    ]
    if n.hearing_rights and n.hearing_due:
        paragraphs.append(
            "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求听证，"
            f"应当在{zh_date(n.hearing_due)}前向本机关提出；逾期未提出的，视为放弃听证权利。"
        )
    paragraphs += _contact(context)
    return _content([*party_rows(case.content.party), officers_row(case)], paragraphs=paragraphs)


def _contact(context: Context) -> list[str]:
    s = context.settings
    if s is None or not (s.address or s.phone):
        return []
    return [f"本机关地址：{s.address or '—'}；联系电话：{s.phone or '—'}。"]


def decision(case: CaseFile, state: WorkflowState, context: Context) -> Rendered:
    d = state.decision
    assert d is not None and d.penalty is not None
    settings = _required_settings(context, fine=d.penalty.fine_fen > 0)
    p = d.penalty
    paragraphs = [
        f"本机关于{_on(state.filed_on)}对你（单位）{case.content.title}立案调查。经查，你（单位）{p.facts}。",
        "#以上事实有下列证据证明：",
        *evidence_paragraphs(context),
        *_procedure(state),
        f"本机关认为，你（单位）的上述行为违反了{p.legal_basis}的规定。依据{p.legal_basis}，"
        f"本机关决定对你（单位）作出如下行政处罚：{penalty_text(p)}。",
        *_performance(p.kinds, p.fine_fen, settings),
        _remedies(settings),
        "逾期不申请行政复议、不提起行政诉讼，又不履行本决定的，本机关将依法申请人民法院强制执行。",
    ]
    return _content([*party_rows(case.content.party), officers_row(case)], paragraphs=paragraphs)


def _on(day: dt.date | None) -> str:
    return zh_date(day) if day else "—"


def _procedure(state: WorkflowState) -> list[str]:
    """How the party was heard before the decision (第四十四条、第四十五条、第六十三条)."""
    n = state.notice
    if n is None:
        return []
    heard = "你（单位）放弃陈述、申辩。" if state.statement_waived_on else "本机关已听取你（单位）的陈述、申辩。"
    hearing = "并依法举行了听证。" if state.hearing and state.hearing.concluded_on else ""
    return [
        f"本机关于{zh_date(n.notified_on)}向你（单位）送达了《行政处罚告知书》（{n.document_no}），告知了拟作出"
        f"行政处罚的事实、理由、依据及你（单位）依法享有的陈述、申辩{'、要求听证' if n.hearing_rights else ''}"
        f"的权利。{heard}{hearing}"
    ]


def _performance(kinds: list[PenaltyKind], fine_fen: int, settings: DocumentSettings) -> list[str]:
    """How and by when to perform, and where to pay (第六十七条、第七十二条)."""
    if PenaltyKind.FINE not in kinds:
        return ["你（单位）应当自收到本决定书之日起履行本决定。"]
    return [
        f"你（单位）应当自收到本决定书之日起十五日内，将罚款{yuan(fine_fen)}缴至{settings.payment_bank}"
        f"（户名：{settings.payment_account_name}，账号：{settings.payment_account_no}），"
        "或者通过电子支付系统缴纳，缴款时注明本决定书文号。",
        "到期不缴纳罚款的，本机关将依据《中华人民共和国行政处罚法》第七十二条第一款第一项的规定，"
        "每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额。",
    ]


def _remedies(settings: DocumentSettings) -> str:
    return (
        f"如不服本决定，可以在收到本决定书之日起六十日内向{settings.review_body}申请行政复议，或者在六个月内"
        f"依法向{settings.court}提起行政诉讼。申请行政复议或者提起行政诉讼期间，本决定不停止执行，法律另有规定的除外。"
    )


def _required_settings(context: Context, *, fine: bool) -> DocumentSettings:
    """The organ's settings a decision must state; refuses the decision while any is missing."""
    needed = ["review_body", "court"] + (["payment_bank", "payment_account_name", "payment_account_no"] if fine else [])
    settings = context.settings
    missing = [f for f in needed if settings is None or not getattr(settings, f)]
    if missing:
        names = "、".join(SETTINGS_ZH[f] for f in missing)
        raise InvalidTransition(
            f"本单位的文书设置缺少{names}，决定书无法载明；请管理员或负责人在“文书设置”中填写后再作出决定",
            f"department document settings missing: {', '.join(missing)}",
            code="document-settings-missing",
            errors=[FieldError(f, f"请填写{SETTINGS_ZH[f]}") for f in missing],
        )
    assert settings is not None
    return settings


def no_penalty(case: CaseFile, state: WorkflowState, context: Context) -> Rendered:
    d = state.decision
    assert d is not None and d.no_penalty_ground is not None
    settings = _required_settings(context, fine=False)
    paragraphs = [
        f"本机关于{_on(state.filed_on)}对你（单位）{case.content.title}立案调查。",
        f"经查，{d.reason}。根据{NO_PENALTY_ZH[d.no_penalty_ground]}，本机关决定不予行政处罚。",
        _remedies(settings),
    ]
    return _content([*party_rows(case.content.party), officers_row(case)], paragraphs=paragraphs)


def receipt(case: CaseFile, state: WorkflowState, context: Context) -> Rendered:
    """The 送达回证 as issued after service: how it was served, lines left for the signatures."""
    s, d = state.service, state.decision
    assert s is not None and d is not None
    served = f"{_decision_title(state)}（{d.document_no}）"
    rows = [("送达文书名称及文号", served), ("受送达人", s.recipient), ("送达地点", s.place or "—")]
    rows += [("送达方式", method_boxes(s.method)), ("送达日期", zh_date(s.served_on)), *_service_notes(s)]
    rows += [officers_row(case)]
    return _content(rows, layout=Layout.FORM, signatures=RECEIPT_SIGNATURES)


RECEIPT_SIGNATURES = ["受送达人签名或盖章", "送达人签名", "见证人签名（留置送达）"]


def receipt_form(case: CaseFile, served_title: str, served_number: str) -> Rendered:
    """A blank 送达回证 for ``served_number``, printed before service for the recipient to sign."""
    rows = [("送达文书名称及文号", f"{served_title}（{served_number}）"), ("受送达人", case.content.party.name)]
    rows += [("送达地点", ""), ("送达方式", method_boxes(None)), ("送达日期", "　　年　　月　　日")]
    rows += [("备注", ""), officers_row(case)]
    return _content(rows, layout=Layout.FORM, signatures=RECEIPT_SIGNATURES)


def method_boxes(chosen: ServiceMethod | None) -> str:
    return "　".join(("■" if m is chosen else "□") + zh for m, zh in SERVICE_ZH.items())


def _service_notes(s: Service) -> list[tuple[str, str]]:
    notes = {
        ServiceMethod.LEFT_AT_RESIDENCE: f"拒收事由：{s.refusal}；见证人：{'、'.join(s.witnesses) or '无'}"
        + ("；送达过程已拍照、录像" if s.recorded_on_video else ""),
        ServiceMethod.POST: f"邮件单号：{s.tracking_no}",
        ServiceMethod.ELECTRONIC: f"当事人同意电子送达，送达地址：{s.electronic_address}",
        ServiceMethod.ANNOUNCEMENT: f"公告载体：{s.announcement}",
    }
    return [("备注", notes[s.method])] if s.method in notes else []


def _decision_title(state: WorkflowState) -> str:
    assert state.decision is not None
    return "行政处罚决定书" if state.decision.penalty is not None else "不予行政处罚决定书"


def _content(
    rows: list[tuple[str, str]],
    *,
    paragraphs: list[str] | None = None,
    layout: Layout = Layout.LETTER,
    signatures: list[str] | None = None,
) -> Rendered:
    return Rendered(
        title="",
        organ="",
        number="",
        issued_on=dt.date.min,
        rows=rows,
        paragraphs=paragraphs or [],
        layout=layout,
        signatures=signatures or [],
    )


BUILDERS = {
    DocumentKind.FILING_APPROVAL: filing,
    DocumentKind.NOTICE: notice,
    DocumentKind.DECISION: decision,
    DocumentKind.NO_PENALTY_DECISION: no_penalty,
    DocumentKind.SERVICE_RECEIPT: receipt,
}
