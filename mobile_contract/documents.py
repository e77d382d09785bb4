"""Numbered enforcement documents (执法文书), their publication (行政执法公示) and the national export.

Documents are issued by the procedure itself (立案 → 立案审批表, 告知 → 告知书,
决定 → 决定书, 送达 → 送达回证) with a number per department, year and kind
that has no gaps and no duplicates. A penalty decision's public version
masks natural persons' names, ID numbers, phone numbers and addresses.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.types import ClientId

WithdrawReason = Annotated[str, Meta(min_length=2, max_length=2000, description="撤回理由（将公开）/ public reason")]


class DocumentKind(enum.StrEnum):
    FILING_APPROVAL = "filing_approval"  # 立案审批表
    NOTICE = "notice"  # 行政处罚告知书
    DECISION = "decision"  # 行政处罚决定书
    NO_PENALTY_DECISION = "no_penalty_decision"  # 不予行政处罚决定书
    SERVICE_RECEIPT = "service_receipt"  # 送达回证


class DocumentRead(msgspec.Struct, kw_only=True):
    """一份执法文书 / one issued document: printable HTML, and a sealed PDF with a verification code."""

    id: uuid.UUID
    case_id: uuid.UUID
    kind: DocumentKind
    number: Annotated[str, Meta(description="文书号，如 D0001罚〔2026〕12号 / document number")]
    year: int
    serial: int
    issued_at: dt.datetime
    html_sha256: str
    pdf_sha256: Annotated[str | None, Meta(description="签章 PDF 的 SHA-256 / SHA-256 of the sealed PDF")] = None
    verification_code: Annotated[
        str | None, Meta(description="核验码（公开核验页）/ code for the public verification page")
    ] = None


class DocumentSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """文书设置 / what a department's decisions must state that no case holds (行政处罚法第五十九条、第六十七条)."""

    review_body: Annotated[str, Meta(description="行政复议机关，如：某区人民政府 / administrative review body")]
    court: Annotated[str, Meta(description="管辖的人民法院，如：某区人民法院 / competent court")]
    payment_bank: Annotated[str, Meta(description="罚款代收银行 / bank that collects fines")]
    payment_account_name: Annotated[str, Meta(description="收款账户户名 / account name")]
    payment_account_no: Annotated[str, Meta(description="收款账号 / account number")]
    address: Annotated[str, Meta(description="机关地址（陈述申辩、听证申请送达地）/ organ's address")] = ""
    phone: Annotated[str, Meta(description="联系电话 / contact phone")] = ""


class PublicationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """公示决定书 / publish the case's penalty decision (masked)."""

    id: ClientId
    photos: Annotated[
        list[uuid.UUID],
        Meta(max_length=9, description="随公示发布的现场照片（人脸、车牌先行模糊，原件不变）/ photos, blurred first"),
    ] = []


class WithdrawalCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """撤回公示 / withdraw a publication, with the public reason (第四十八条)."""

    event_id: ClientId
    reason: WithdrawReason


class PublicDecision(msgspec.Struct, kw_only=True):
    """公示的行政处罚决定（已脱敏）/ the public, masked version of a decision."""

    document_no: str
    organ: str
    party_name: str
    party_code: Annotated[str, Meta(description="统一社会信用代码，或脱敏的身份证号 / USCC or masked ID number")]
    party_address: str
    facts: str
    legal_basis: str
    penalty: str
    decided_on: dt.date
    images: Annotated[list[str], Meta(description="公示照片地址（已模糊）/ published photos")] = []


class PublicationRead(msgspec.Struct, kw_only=True):
    """公示栏中的一条 / one entry of the public feed; a withdrawn one shows only the reason."""

    id: uuid.UUID
    region_code: str
    published_at: dt.datetime
    decision: PublicDecision | None
    withdrawn_at: dt.datetime | None = None
    withdraw_reason: str | None = None


class PublicationPage(msgspec.Struct):
    items: list[PublicationRead]
    next_cursor: str | None = None


class ReportFormat(enum.StrEnum):
    CSV = "csv"  # 表格（UTF-8，带 BOM）
    PDF = "pdf"  # 签章 PDF


class ShareCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """共享案卷 / share the case's evidence package, read-only, with a named recipient until it expires."""

    id: ClientId
    recipient_name: Annotated[str, Meta(min_length=2, max_length=50, description="接收人姓名 / recipient's name")]
    recipient_organ: Annotated[
        str, Meta(min_length=2, max_length=100, description="接收单位，如：某区人民检察院 / procuratorate or court")
    ]
    purpose: Annotated[str, Meta(max_length=200, description="用途 / purpose")] = ""
    days: Annotated[int, Meta(ge=1, le=90, description="有效天数 / valid for this many days")] = 30


class ShareRead(msgspec.Struct, kw_only=True):
    """一次共享 / a share; ``url`` (with the secret token) only in the answer to its creator."""

    id: uuid.UUID
    case_id: uuid.UUID
    recipient_name: str
    recipient_organ: str
    purpose: str
    expires_at: dt.datetime
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revoke_reason: str | None = None
    url: str | None = None


class ShareRevocation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(min_length=2, max_length=500, description="撤销理由 / why")]


class Withholding(msgspec.Struct, forbid_unknown_fields=True):
    """不予披露 / keep an item out of every share (the item stays in the organ's own package)."""

    withheld: bool
    reason: Annotated[str, Meta(min_length=2, max_length=500, description="理由 / why")]
