"""Legal review (法制审核, 行政处罚法第五十八条) as the reviewer sees it.

Opening a case (``GET /reviews/{case_id}``) re-checks every stored evidence
object against its capture hash at that moment and is itself audited; the
dossier shows the case history, each item's check and who touched it. The
reviewer then passes the case or returns it with written reasons. Nobody
reviews a case they took part in.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.case_state import WorkflowRead
from mobile_contract.evidence import EvidenceDeclaration, EvidenceStatus
from mobile_contract.records import CaseRead, RecordRead
from mobile_contract.types import ClientId
from mobile_contract.workflow import CaseEventRead, Reason, ReviewGround


class ReviewQueueItem(msgspec.Struct, kw_only=True):
    """待审核案件 / a case waiting for legal review in the department."""

    review_id: uuid.UUID
    case_id: uuid.UUID
    title: str
    grounds: list[ReviewGround]
    submitted_at: dt.datetime
    submitted_by: uuid.UUID
    own_case: Annotated[bool, Meta(description="您参与过此案，不能审核 / you took part, so you cannot review it")]


class CheckOutcome(enum.StrEnum):
    OK = "ok"  # 存储内容与采集哈希一致
    MISMATCH = "mismatch"  # 不一致（被改动）
    MISSING = "missing"  # 存储中不存在
    UNREADABLE = "unreadable"  # 无法完整读取
    NOT_UPLOADED = "not_uploaded"  # 尚未上传核验


class CustodyEntry(msgspec.Struct, kw_only=True):
    """保管链中的一次接触 / one touch of an item or its record, from the audit chain."""

    seq: int
    occurred_at: dt.datetime
    actor_id: uuid.UUID | None
    actor_role: str
    device_id: str | None
    action: str


class EvidenceCheck(msgspec.Struct, kw_only=True):
    """一项证据在打开案卷时的核验结果及保管链 / an item, its re-check now and who touched it when."""

    declaration: EvidenceDeclaration
    record_id: uuid.UUID
    status: EvidenceStatus
    outcome: CheckOutcome
    actual_sha256: str | None
    detail: str
    custody: list[CustodyEntry]


class ReviewDossier(msgspec.Struct, kw_only=True):
    """审核案卷 / everything the reviewer decides on."""

    case: CaseRead
    workflow: WorkflowRead
    history: list[CaseEventRead]
    records: list[RecordRead]
    evidence: list[EvidenceCheck]
    checked_at: dt.datetime
    failed: Annotated[list[uuid.UUID], Meta(description="核验失败的证据 / items that failed the re-check")]


class ReviewOutcome(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - 审核通过
    RETURN = "return"  # 退回补充调查


class ReviewDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """审核结论（须书面说明理由）/ the reviewer's conclusion with written reasons."""

    event_id: ClientId
    outcome: ReviewOutcome
    reasons: Reason
