"""What a document says (``Rendered``) and its printable HTML.

The same content is typeset to the sealed PDF that is the document as issued
(``api.documents.pdf``); the HTML stays as a quick on-screen view, and its hash
is what the case's history has recorded since before PDFs existed.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import html
from pathlib import Path
from string import Template

import msgspec

from mobile_contract.documents import DocumentKind
from mobile_contract.parties import Party, PartyKind
from mobile_contract.records import PenaltyKind
from mobile_contract.workflow import PenaltyProposal

TEMPLATE = Path(__file__).parent / "templates" / "document.html"

TITLES = {
    DocumentKind.FILING_APPROVAL: "立案审批表",
    DocumentKind.NOTICE: "行政处罚告知书",
    DocumentKind.DECISION: "行政处罚决定书",
    DocumentKind.NO_PENALTY_DECISION: "不予行政处罚决定书",
    DocumentKind.SERVICE_RECEIPT: "送达回证",
}
PENALTY_ZH = {
    PenaltyKind.WARNING: "警告、通报批评",
    PenaltyKind.FINE: "罚款",
    PenaltyKind.CONFISCATION: "没收违法所得、没收非法财物",
    PenaltyKind.PERMIT_RESTRICTION: "暂扣许可证件、降低资质等级、吊销许可证件",
    PenaltyKind.BUSINESS_RESTRICTION: "限制开展生产经营活动、责令停产停业、责令关闭、限制从业",
    PenaltyKind.DETENTION: "行政拘留",
    PenaltyKind.OTHER: "法律、行政法规规定的其他行政处罚",
}
PARTY_KIND_ZH = {
    PartyKind.LEGAL_PERSON: "法人",
    PartyKind.OTHER_ORGANISATION: "非法人组织",
    PartyKind.INDIVIDUAL_BUSINESS: "个体工商户",
    PartyKind.NATURAL_PERSON: "自然人",
}


class Layout(enum.StrEnum):
    LETTER = "letter"  # 告知书、决定书: labelled lines, then paragraphs
    FORM = "form"  # 审批表、送达回证: a ruled table


class Rendered(msgspec.Struct, frozen=True, kw_only=True):
    """What a document says: rows of (label, value), paragraphs (a leading ``#`` marks a heading)
    and blank signature lines, kept as data beside the HTML and the PDF."""

    title: str
    organ: str
    number: str
    issued_on: dt.date
    rows: list[tuple[str, str]]
    paragraphs: list[str] = []
    layout: Layout = Layout.LETTER
    signatures: list[str] = []
    verification_code: str = ""


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(fen: int) -> str:
    return f"人民币 {fen // 100:,}.{fen % 100:02d} 元"


def penalty_text(penalty: PenaltyProposal) -> str:
    parts = []
    for kind in sorted(penalty.kinds):
        if kind is PenaltyKind.FINE:
            parts.append(f"罚款{yuan(penalty.fine_fen)}")
        elif kind is PenaltyKind.CONFISCATION:
            parts.append(f"没收违法所得、非法财物{yuan(penalty.confiscated_fen)}")
        else:
            parts.append(PENALTY_ZH[kind])
    return "；".join(parts)


def party_rows(party: Party) -> list[tuple[str, str]]:
    code = party.uscc or party.id_number or ""
    label = "统一社会信用代码" if party.uscc else "身份证号码"
    rows = [("当事人", party.name), ("当事人类型", PARTY_KIND_ZH[party.kind]), (label, code)]
    rows += [(name, value) for name, value in (("住所（地址）", party.address), ("联系电话", party.phone)) if value]
    return rows


@functools.cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def to_html(doc: Rendered) -> str:
    """The printable HTML; every value is escaped."""
    rows = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in doc.rows)
    paragraphs = "\n".join(
        f"<h2>{html.escape(p[1:])}</h2>" if p.startswith("#") else f'<p class="body">{html.escape(p)}</p>'
        for p in doc.paragraphs
    )
    paragraphs += "\n".join(f'<p class="sign">{html.escape(s)}______________　　年　月　日</p>' for s in doc.signatures)
    return _template().substitute(
        title=html.escape(doc.title),
        organ=html.escape(doc.organ),
        number=html.escape(doc.number),
        issued_on=zh_date(doc.issued_on),
        code=html.escape(doc.verification_code),
        rows=rows,
        paragraphs=paragraphs,
    )
