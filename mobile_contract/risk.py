"""Risk warnings and supervision performance (风险预警、监管的监管).

A subject's risk score is the sum of named parts, so an inspector can see
why a subject is on the key-supervision list (重点监管名单) and a random draw
can weight it. The performance report tells supervisors, per department,
where supervision did not happen: catalogue items without any supervision
record in the period (不作为, seed 003 二), penalty and licence information
that reached the credit platform late (seed 003 三) and camera alerts left
without feedback (seed 001 18).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.case_state import DepartmentDeadline
from mobile_contract.credit import CreditGrade, CreditRecordRead


class RiskLevel(enum.StrEnum):
    LOW = "low"  # 低风险
    MEDIUM = "medium"  # 中风险
    HIGH = "high"  # 高风险


class RiskPart(msgspec.Struct, frozen=True, kw_only=True):
    """One term of the score: which signal, how many, how many points."""

    factor: Annotated[str, Meta(description="penalties / complaints / camera_alerts / credit")]
    count: int
    points: int
    explanation: str


class RiskScore(msgspec.Struct, kw_only=True):
    subject_id: uuid.UUID
    score: Annotated[int, Meta(ge=0, le=100)]
    level: RiskLevel
    draw_weight: Annotated[int, Meta(description="抽查权重（风险部分）/ draw weight from risk: 1, 2 or 4")]
    parts: list[RiskPart]
    as_of: dt.date


class KeySubject(msgspec.Struct, kw_only=True):
    """重点监管对象 / a subject on the key-supervision list and why."""

    subject_id: uuid.UUID
    key: str
    name: str
    grade: CreditGrade
    risk: RiskScore
    reasons: list[str]


class ItemRef(msgspec.Struct, kw_only=True):
    code: str
    name: str


class AlertRef(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    site_id: str
    kind: str
    state: str
    started_at: dt.datetime


class OverdueComplaint(msgspec.Struct, kw_only=True):
    """转办本部门、办理期限已过的投诉举报 (no complainant's identity, only the matter)."""

    id: uuid.UUID
    reference_no: str
    subject_name: Annotated[str, Meta(description="被投诉举报对象")]
    handling_due_on: dt.date | None
    supervision_count: Annotated[int, Meta(description="已督办次数")]


class DepartmentPerformance(msgspec.Struct, kw_only=True):
    """One department's figures for the period."""

    department_id: uuid.UUID
    department_code: str
    department_name: str
    items_total: Annotated[int, Meta(description="清单中应监管事项数 / items in force in the period")]
    items_without_records: Annotated[list[ItemRef], Meta(description="无监管行为的事项（不作为）/ inaction")]
    late_credit_reports: Annotated[list[CreditRecordRead], Meta(description="逾期上传信用平台 / reported late")]
    alerts_not_handled: Annotated[list[AlertRef], Meta(description="未反馈办结的预警 / alerts without feedback")]
    overdue_cases: Annotated[
        list[DepartmentDeadline],
        Meta(description="办案期限已过的案件（机关一方的期限）/ the organ's overdue case limits"),
    ]
    overdue_complaints: Annotated[
        list[OverdueComplaint], Meta(description="转办本部门、逾期未办结的投诉举报 / overdue complaints")
    ]


class PerformanceReport(msgspec.Struct, kw_only=True):
    """事中事后监管绩效 / supervision performance per department."""

    period_from: dt.date
    period_to: dt.date
    as_of: dt.date
    departments: list[DepartmentPerformance]
