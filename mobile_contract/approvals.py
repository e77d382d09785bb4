"""审管联动 (双告知、双反馈): approval results in, supervision findings and objections back.

The approval bureau (审批服务局) pushes each approval it grants, keyed by its
own ID; pushing the same result again is safe. The applicant joins the
responsible department's target register, which gets a supervision task and,
for 告知承诺制 approvals, a task to verify the promise by a set date. Findings
and objections go back to the bureau; a verified or broken promise also
becomes a credit fact.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from mobile_contract.draws import Uscc, check_uscc
from mobile_contract.messages import at
from mobile_contract.parties import PartyKind
from mobile_contract.types import ClientId, ItemCode, ShortText

BureauRef = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[0-9A-Za-z_.:\-]+$",
        description="审批部门的办件编号（幂等键）/ the bureau's own ID of the approval (the idempotency key)",
    ),
]
Text = Annotated[str, Meta(min_length=1, max_length=4000)]


class ApprovalPush(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """审批结果推送 / an approval result pushed by the bureau."""

    bureau_ref: BureauRef
    item_code: ItemCode
    item_name: ShortText
    applicant_uscc: Uscc
    applicant_name: ShortText
    applicant_kind: Annotated[PartyKind, Meta(description="申请人类型（不能是自然人）")] = PartyKind.LEGAL_PERSON
    department_code: Annotated[str, Meta(min_length=1, max_length=64, description="负责监管的部门编码")]
    decided_on: dt.date
    licence_no: Annotated[str, Meta(max_length=64, description="许可证号 / licence number")] = ""
    valid_until: dt.date | None = None
    commitment: Annotated[bool, Meta(description="告知承诺制审批 / granted on a written promise")] = False
    promise: Annotated[str, Meta(max_length=5000, description="承诺内容 / what the applicant promised")] = ""
    verify_within_days: Annotated[int, Meta(ge=1, le=365, description="承诺核查期限（日）")] = 30

    def __post_init__(self) -> None:
        check_uscc(self.applicant_uscc, "applicant_uscc")
        if self.applicant_kind is PartyKind.NATURAL_PERSON:
            raise ValueError(at("applicant_kind", "以统一社会信用代码标识的申请人不能是自然人"))
        if self.commitment and not self.promise.strip():
            raise ValueError(at("promise", "告知承诺制审批须写明承诺内容"))


class FindingKind(enum.StrEnum):
    SUPERVISION = "supervision"  # 监管情况
    PROMISE_KEPT = "promise_kept"  # 承诺属实
    PROMISE_BREACHED = "promise_breached"  # 承诺不实或违背承诺


class FindingCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """监管反馈 / a supervision finding to feed back to the bureau."""

    id: ClientId
    kind: FindingKind
    summary: Text
    record_id: uuid.UUID | None = None


class FindingRead(FindingCreate, kw_only=True):
    approval_id: uuid.UUID
    department_id: uuid.UUID
    created_by: uuid.UUID
    created_at: dt.datetime


class ObjectionGrounds(enum.StrEnum):
    FALSE_PROMISE = "false_promise"  # 虚假承诺
    FORGED_MATERIAL = "forged_material"  # 伪造材料
    BREACH_OF_PROMISE = "breach_of_promise"  # 违背承诺
    UNLAWFUL_APPROVAL = "unlawful_approval"  # 审批结果有异议
    OTHER = "other"


class ObjectionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """函告异议 / ask the bureau to review an approval (seed 001, 15)."""

    id: ClientId
    grounds: ObjectionGrounds
    reason: Text


class ReviewDecision(enum.StrEnum):
    MAINTAINED = "maintained"  # 维持
    AMENDED = "amended"  # 变更
    REVOKED = "revoked"  # 撤销
    OTHER = "other"


class ObjectionAnswer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """复核答复 / the bureau's answer after reviewing the file and procedure."""

    decision: ReviewDecision
    answer: Text


class ObjectionStatus(enum.StrEnum):
    OPEN = "open"  # 待复核
    ANSWERED = "answered"  # 已答复


class ObjectionRead(ObjectionCreate, kw_only=True):
    approval_id: uuid.UUID
    bureau_ref: str
    department_id: uuid.UUID
    raised_by: uuid.UUID
    raised_at: dt.datetime
    status: ObjectionStatus
    review_decision: ReviewDecision | None = None
    answer: str | None = None
    answered_at: dt.datetime | None = None


class PromiseStatus(enum.StrEnum):
    PENDING = "pending"  # 待核查
    KEPT = "kept"  # 属实
    BREACHED = "breached"  # 不实


class ApprovalRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    bureau_ref: str
    department_id: uuid.UUID
    commitment: bool
    verify_by: dt.date | None
    promise_status: PromiseStatus | None
    supervision_task_id: uuid.UUID
    verification_task_id: uuid.UUID | None
    received_at: dt.datetime
    content: ApprovalPush
    findings: list[FindingRead] = []
    objections: list[ObjectionRead] = []


class FeedbackMessage(msgspec.Struct, kw_only=True):
    """What the bureau's receiver gets: one finding or objection, keyed by ``message_id``."""

    message_id: uuid.UUID
    kind: Annotated[str, Meta(description="finding | objection")]
    bureau_ref: str
    department_code: str
    body: dict[str, Any]
