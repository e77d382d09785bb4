"""A case's procedural state (办案状态), its running deadlines (办案期限) and what may happen next.

The state is derived from the case's steps (``CaseEventRead``) and kept beside
the case, not inside its content, so handhelds keep syncing case content as
before; ``GET /cases/{id}/workflow`` reads it.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.workflow import (
    CaseStage,
    MeasureKind,
    MeasureOutcome,
    NoPenaltyGround,
    PauseKind,
    PenaltyProposal,
    Refusal,
    ReviewGround,
    ServiceMethod,
    TransferTarget,
)


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """告知：拟处罚、陈述申辩期限、听证权利."""

    round: Annotated[int, Meta(ge=1, description="第几次告知 / notice number, from 1")]
    notified_on: dt.date
    penalty: PenaltyProposal
    hearing_rights: bool
    statement_days: int
    statement_due: Annotated[dt.date, Meta(description="陈述申辩期限届满日 / last day to make statements")]
    hearing_due: Annotated[dt.date | None, Meta(description="要求听证期限届满日 / last day to ask for a hearing")]
    document_no: str = ""


class Hearing(msgspec.Struct, frozen=True, kw_only=True):
    requested_on: dt.date
    notice_on: dt.date | None = None
    hearing_on: dt.date | None = None
    host_user_id: uuid.UUID | None = None
    concluded_on: dt.date | None = None


class Review(msgspec.Struct, frozen=True, kw_only=True):
    """法制审核：须审核的理由，以及最近一次通过覆盖的理由与告知轮次."""

    grounds: dict[ReviewGround, str] = {}
    passed_round: int | None = None
    passed_grounds: list[ReviewGround] = []
    returns: int = 0


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    decided_on: dt.date
    penalty: PenaltyProposal | None = None
    no_penalty_ground: NoPenaltyGround | None = None
    reason: str = ""
    document_no: str = ""


class Service(msgspec.Struct, frozen=True, kw_only=True):
    """送达：方式、受送达人，以及该方式须记明的事项（见 Serve）."""

    served_on: dt.date
    method: ServiceMethod
    recipient: str
    document_no: str = ""
    place: str = ""
    refusal: str = ""
    witnesses: list[str] = []
    recorded_on_video: bool = False
    tracking_no: str = ""
    electronic_address: str = ""
    announcement: str = ""


class Pause(msgspec.Struct, frozen=True, kw_only=True):
    """不计入期限的期间：从 started_on（含）到 ended_on（不含）."""

    kind: PauseKind
    started_on: dt.date
    ended_on: dt.date | None = None


class Extension(msgspec.Struct, frozen=True, kw_only=True):
    rule: str
    subject: str = ""
    days: int
    reason: str
    approved_by: uuid.UUID
    approved_on: dt.date


class Measure(msgspec.Struct, frozen=True, kw_only=True):
    """查封、扣押、先行登记保存及其生命周期."""

    id: uuid.UUID
    kind: MeasureKind
    objects: str
    starts_on: dt.date
    days: int
    extended_days: int = 0
    record_id: uuid.UUID | None = None
    outcome: MeasureOutcome | None = None
    closed_on: dt.date | None = None


class Publication(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    published_on: dt.date
    withdrawn_on: dt.date | None = None


class TransferInfo(msgspec.Struct, frozen=True, kw_only=True):
    target: TransferTarget
    organ: str
    transferred_on: dt.date


class WorkflowState(msgspec.Struct, frozen=True, kw_only=True):
    """办案状态 / everything the procedure's rules look at, rebuilt from the steps."""

    stage: CaseStage = CaseStage.REGISTERED
    round: Annotated[
        int, Meta(description="调查轮次：每次告知、补充调查、退回加一 / bumps on notice and reinvestigation")
    ] = 0
    resume_stage: CaseStage | None = None
    filed_on: dt.date | None = None
    filing_document_no: str = ""
    notice: Notice | None = None
    statement_waived_on: dt.date | None = None
    hearing_waived_on: dt.date | None = None
    statements: int = 0
    hearing: Hearing | None = None
    review: Review = msgspec.field(default_factory=Review)
    discussion_required: str = ""
    discussion_round: int | None = None
    decision: Decision | None = None
    service: Service | None = None
    closed_on: dt.date | None = None
    transfer: TransferInfo | None = None
    pauses: list[Pause] = []
    extensions: list[Extension] = []
    measures: list[Measure] = []
    publication: Publication | None = None
    annulled_on: dt.date | None = None


class DeadlineRule(enum.StrEnum):
    """内置期限规则 / built-in time limits."""

    DECIDE_90 = "decide_90"  # 立案之日起九十日内作出决定（第六十条）
    SERVE_7 = "serve_7"  # 决定后七日内送达（第六十一条）
    STATEMENT = "statement"  # 陈述申辩期限
    HEARING_REQUEST_5 = "hearing_request_5"  # 告知后五日内要求听证（第六十四条第一项）
    HEARING_NOTICE_7 = "hearing_notice_7"  # 举行听证七日前通知（第六十四条第二项）
    PRESERVATION_7 = "preservation_7"  # 先行登记保存七日内作出处理决定（第五十六条）
    MEASURE_30 = "measure_30"  # 查封、扣押不超过三十日（行政强制法第二十五条）
    PUBLISH_7 = "publish_7"  # 决定后七个工作日内公示
    WITHDRAW_3 = "withdraw_3"  # 决定被撤销等，三日内撤回公示（第四十八条）


class DayUnit(enum.StrEnum):
    NATURAL = "natural"  # 自然日
    WORKING = "working"  # 工作日（不含法定节假日，含调休上班日）


class Obligor(enum.StrEnum):
    ORGAN = "organ"  # 行政机关的义务（逾期即违法）
    PARTY = "party"  # 当事人的权利期间（届满即失权）


class DeadlineStatus(enum.StrEnum):
    RUNNING = "running"  # 进行中
    PAUSED = "paused"  # 暂停计算（中止、听证、鉴定）
    MET = "met"  # 已在期限内完成（或当事人已放弃）
    LATE = "late"  # 已完成但超期
    ENDED = "ended"  # 当事人期间届满
    CANCELLED = "cancelled"  # 程序终止，不再适用
    INCALCULABLE = "incalculable"  # 节假日数据未覆盖，无法计算


class DeadlineRead(msgspec.Struct, kw_only=True):
    """一项期限 / one time limit of the case."""

    rule: DeadlineRule
    subject: Annotated[str, Meta(description="适用对象（如强制措施编号）/ what it applies to, if not the case")]
    title: str
    basis: Annotated[str, Meta(description="法律依据 / legal basis")]
    obligor: Obligor
    unit: DayUnit
    days: int
    anchor_on: dt.date
    due_on: dt.date | None
    done_on: dt.date | None
    status: DeadlineStatus
    paused_days: int
    extended_days: int
    days_left: int | None
    note: str = ""


class NextStep(msgspec.Struct, kw_only=True):
    """当前阶段可请求的步骤，以及现在不能执行的理由 / a step the stage allows, and what blocks it now."""

    action: str
    roles: list[str]
    blocked_by: list[Refusal]


class WorkflowRead(msgspec.Struct, kw_only=True):
    case_id: uuid.UUID
    department_id: uuid.UUID
    state: WorkflowState
    event_count: int
    head_hash: Annotated[str, Meta(description="本案全过程记录链的最新哈希 / head of the case's event chain")]
    deadlines: list[DeadlineRead]
    next_steps: list[NextStep]


class DepartmentDeadline(msgspec.Struct, kw_only=True):
    """督办清单中的一项 / one entry of the supervisors' overdue and due-soon list."""

    case_id: uuid.UUID
    case_title: str
    stage: CaseStage
    rule: DeadlineRule
    subject: str
    due_on: dt.date | None
    days_left: int | None
    status: Annotated[str, Meta(description="overdue 已逾期 / due_soon 即将到期 / incalculable 无法计算")]
