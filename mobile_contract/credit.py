"""Credit supervision (信用监管): facts, grades, lists, objections and repair.

A credit record (信用记录) is one fact about a subject: a penalty, a licence
granted, an inspection result, an upheld complaint, a promise under 告知承诺
kept or broken. Penalty and licence decisions must reach the credit platform
within 7 days (seed 003, 三: 于7日内上传全国信用信息共享平台); each such record
carries its due date and when it was reported.

The grade (信用等级 A–D) follows the documented rule in
``docs/catalogue-and-credit.md``; every grade lists the parts it came from.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.messages import at
from mobile_contract.types import Timestamp

Statement = Annotated[str, Meta(min_length=1, max_length=4000)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]


class CreditFactKind(enum.StrEnum):
    """信用记录类型 / kind of credit fact."""

    PENALTY = "penalty"  # 行政处罚
    LICENCE = "licence"  # 行政许可（双公示，不影响等级）
    INSPECTION_PASSED = "inspection_passed"  # 检查未发现问题
    INSPECTION_FAILED = "inspection_failed"  # 检查发现问题
    COMPLAINT_UPHELD = "complaint_upheld"  # 投诉举报查实
    COMMITMENT_KEPT = "commitment_kept"  # 告知承诺经核查属实
    COMMITMENT_BROKEN = "commitment_broken"  # 虚假承诺或违背承诺


PLATFORM_KINDS = frozenset({CreditFactKind.PENALTY, CreditFactKind.LICENCE})
PLATFORM_DEADLINE_DAYS = 7  # seed 003 (三): 于7日内上传 — natural days, the seed does not say working days


class CreditRecordState(enum.StrEnum):
    ACTIVE = "active"  # 有效
    CORRECTED = "corrected"  # 异议成立，已更正（不再计入）
    REPAIRED = "repaired"  # 信用修复（停止公示，不再计入）


class CreditRecordCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """新增信用记录 / record a credit fact about a subject."""

    subject_id: uuid.UUID
    kind: CreditFactKind
    decided_on: Annotated[dt.date, Meta(description="决定或认定日期 / date of the decision or finding")]
    summary: Statement
    serious: Annotated[bool, Meta(description="严重失信 / serious breach of trust")] = False
    document_no: Annotated[str, Meta(max_length=64, description="文书号 / document number")] = ""
    source_kind: Annotated[str, Meta(pattern=r"^[a-z_]{1,32}$", description="来源 / where the fact came from")] = (
        "manual"
    )
    source_id: Annotated[str, Meta(max_length=64, description="来源编号 / id in that source")] = ""

    def __post_init__(self) -> None:
        if self.source_kind != "manual" and not self.source_id:
            raise ValueError(at("source_id", "注明来源时须填写来源编号"))


class CreditRecordRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    subject_id: uuid.UUID
    department_id: uuid.UUID
    kind: CreditFactKind
    serious: bool
    decided_on: dt.date
    summary: str
    document_no: str
    source_kind: str
    source_id: str
    state: CreditRecordState
    platform_due_on: Annotated[dt.date | None, Meta(description="上传信用平台截止日 / credit platform deadline")]
    reported_at: dt.datetime | None
    report_receipt: str
    late: Annotated[bool, Meta(description="上传逾期（或已逾期未传）/ reported late, or overdue now")]
    created_at: dt.datetime


class PlatformReport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """已上传信用平台 / the record was uploaded to the credit platform."""

    reported_at: Timestamp
    receipt: Annotated[str, Meta(max_length=100, description="平台回执号 / platform receipt")] = ""


class PlatformStatus(msgspec.Struct, kw_only=True):
    """上传信用平台情况 / what reached the credit platform in time, late, or not yet."""

    as_of: dt.date
    deadline_days: int
    on_time: int
    late: list[CreditRecordRead]
    pending: list[CreditRecordRead]


class CreditGrade(enum.StrEnum):
    A = "A"  # 守信
    B = "B"  # 基本守信
    C = "C"  # 失信
    D = "D"  # 严重失信


class GradePart(msgspec.Struct, frozen=True, kw_only=True):
    """One term of the grade: which facts, how many, how many points."""

    factor: str
    count: int
    points: int
    explanation: str


class CreditGradeRead(msgspec.Struct, kw_only=True):
    subject_id: uuid.UUID
    grade: CreditGrade
    score: int
    parts: list[GradePart]
    as_of: dt.date
    changes_on: Annotated[
        dt.date | None, Meta(description="最早一条记录到期日 / when the grade next changes by itself")
    ]
    computed_at: dt.datetime | None


class CreditList(enum.StrEnum):
    ABNORMAL = "abnormal"  # 经营异常名录
    BLACKLIST = "blacklist"  # 严重违法失信名单（黑名单）


class ListEntryCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """列入名录 / put a subject on the abnormal list or blacklist."""

    subject_id: uuid.UUID
    list: CreditList
    entered_on: dt.date
    reason: Annotated[Statement, Meta(description="列入原因 / why")]
    basis: Annotated[str, Meta(max_length=1000, description="列入依据 / legal basis")] = ""


class ListExit(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """移出名录 / take a subject off a list."""

    exited_on: dt.date
    reason: Annotated[Statement, Meta(description="移出原因 / why")]


class ListEntryRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    subject_id: uuid.UUID
    department_id: uuid.UUID
    list: CreditList
    entered_on: dt.date
    entry_reason: str
    entry_basis: str
    exited_on: dt.date | None
    exit_reason: str | None


class RequestKind(enum.StrEnum):
    OBJECTION = "objection"  # 异议申请
    REPAIR = "repair"  # 信用修复申请


class RequestState(enum.StrEnum):
    RECEIVED = "received"  # 已受理
    ACCEPTED = "accepted"  # 异议成立 / 准予修复
    REJECTED = "rejected"  # 异议不成立 / 不予修复


class CreditRequestCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """受理异议或信用修复申请 / register an objection or a repair application.

    Names exactly one target: a credit record or a list entry.
    """

    kind: RequestKind
    record_id: uuid.UUID | None = None
    list_entry_id: uuid.UUID | None = None
    applicant: Annotated[Name, Meta(description="申请人 / applicant")]
    filed_on: dt.date
    statement: Annotated[Statement, Meta(description="异议理由，或修复承诺与纠正情况 / grounds or correction")]

    def __post_init__(self) -> None:
        if (self.record_id is None) == (self.list_entry_id is None):
            raise ValueError("须且只能指定一条信用记录或一条名录记录")


class CreditRequestDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """办理结果 / decide: accept (异议成立、准予修复) or reject, with the reply sent."""

    accept: bool
    reply: Statement


class CreditRequestRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: RequestKind
    subject_id: uuid.UUID
    department_id: uuid.UUID
    record_id: uuid.UUID | None
    list_entry_id: uuid.UUID | None
    applicant: str
    filed_on: dt.date
    statement: str
    state: RequestState
    reply: str | None
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None


class CreditProfile(msgspec.Struct, kw_only=True):
    """信用档案 / a subject's grade, facts, list entries and requests."""

    grade: CreditGradeRead
    records: list[CreditRecordRead]
    lists: list[ListEntryRead]
    requests: list[CreditRequestRead]


class CollectResult(msgspec.Struct, kw_only=True):
    """从行政处罚记录归集 / penalties taken from supervision records into credit records."""

    created: int
    already: int
    subjects_registered: int
