"""双随机、一公开: the inspector register, sampling plans and the published, re-runnable draw.

A draw's published document (``DrawDocument``) holds the seed, every input in
its canonical order and the result; ``api.draws.algorithm.rerun`` recomputes
the result from the document alone, so anyone can check it.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.codes import uscc_problem
from mobile_contract.credit import CreditGrade
from mobile_contract.messages import at
from mobile_contract.risk import RiskLevel
from mobile_contract.types import ClientId, ItemCode, ShortText, Timestamp

Uscc = Annotated[
    str,
    Meta(
        min_length=18,
        max_length=18,
        pattern=r"^[0-9A-HJ-NP-RT-UW-Y]{18}$",
        description="统一社会信用代码（18位，含校验位）/ Unified Social Credit Code with its check character",
        examples=["91350100M000100Y43"],
    ),
]
Skill = Annotated[str, Meta(min_length=1, max_length=50, description="专业技能 / skill, e.g. 矿产 (mining)")]
Seed = Annotated[
    str, Meta(pattern=r"^[0-9a-f]{32}$", description="随机种子，32位十六进制 / seed, 32 lower-case hex digits")
]


def check_uscc(value: str | None, field: str = "uscc") -> None:
    """Raise ValueError (a 422 at the boundary, naming ``field``) when ``value`` fails the GB 32100 check."""
    if value is not None and (problem := uscc_problem(value)):
        raise ValueError(at(field, problem))


class TargetRead(msgspec.Struct, kw_only=True):
    """检查对象 as the draw sees it: credit grade and risk score from their domains, and the weight."""

    subject_id: uuid.UUID
    uscc: str
    name: str
    region_code: str
    credit_grade: CreditGrade
    risk_score: Annotated[int, Meta(description="风险评分 0–100")]
    risk_level: RiskLevel
    weight: Annotated[int, Meta(description="抽取权重 = 信用系数 × 风险系数")]


class InspectorEnrol(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """入库执法检查人员 / enrol an inspector of the department in the inspector register."""

    user_id: uuid.UUID
    skills: Annotated[list[Skill], Meta(max_length=20)] = []
    active: bool = True


class InspectorRead(InspectorEnrol, kw_only=True):
    department_id: uuid.UUID
    certificate_no: str
    display_name: str


class ConflictDeclare(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """申报回避 / declare an inspector's relationship with a subject; they are never drawn for it."""

    inspector_id: uuid.UUID
    uscc: Uscc
    relationship: Annotated[str, Meta(min_length=1, max_length=200, description="关系，如：亲属、曾任职")]

    def __post_init__(self) -> None:
        check_uscc(self.uscc)


class PlanItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A department's item checked on the visit (联合抽查 when several departments take part)."""

    department_id: uuid.UUID
    item_code: ItemCode


class PlanCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """抽查计划 / a sampling plan: items, scope, sampling ratio and period."""

    id: ClientId
    title: ShortText
    items: Annotated[list[PlanItem], Meta(min_length=1, max_length=50)]
    sampling_permille: Annotated[
        int, Meta(ge=1, le=1000, description="抽查比例（千分比）/ share of the register to draw, per mille")
    ]
    period_start: dt.date
    period_end: dt.date
    scope_region_prefix: Annotated[
        str, Meta(pattern=r"^[0-9]{0,6}$", description="范围：行政区划代码前缀，空为全部 / region-code prefix")
    ] = ""
    inspectors_per_target: Annotated[int, Meta(ge=2, le=10, description="每个对象每个部门的检查人员数")] = 2
    yearly_cap: Annotated[int, Meta(ge=1, le=12, description="同一企业每年最多被抽中次数 / yearly cap")] = 1
    required_skill: Skill | None = None

    def __post_init__(self) -> None:
        if self.period_end < self.period_start or self.period_end.year != self.period_start.year:
            raise ValueError("检查期间须在同一年内，且结束日不早于开始日")
        if len(set(self.items)) != len(self.items):
            raise ValueError("检查事项重复")


class PlanRead(PlanCreate, kw_only=True):
    department_id: uuid.UUID
    draw_id: uuid.UUID | None
    created_at: dt.datetime


class PlanSummary(msgspec.Struct, kw_only=True):
    """抽查计划一览 / a plan in the department's list: its draw, and how far its inspections went."""

    id: uuid.UUID
    title: str
    period_start: dt.date
    period_end: dt.date
    sampling_permille: int
    created_at: dt.datetime
    draw_id: uuid.UUID | None
    drawn_at: dt.datetime | None
    targets: Annotated[int, Meta(description="抽中的检查对象数 / subjects drawn")]
    inspected: Annotated[int, Meta(description="已有检查记录的对象数 / drawn subjects with an inspection record")]


class DrawRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """执行抽取 / run the draw; a seed may be given (e.g. drawn in public), else one is generated."""

    seed: Seed | None = None


# --- The published document: inputs in canonical order, then the result. -------------------


class DrawTarget(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    uscc: Uscc
    name: str
    credit_grade: CreditGrade
    risk_level: RiskLevel
    weight: Annotated[int, Meta(ge=1, description="抽取权重 = 信用系数 × 风险系数")]


class DrawInspector(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    user_id: uuid.UUID
    department_id: uuid.UUID
    certificate_no: str


class ConflictReason(enum.StrEnum):
    LAST_INSPECTION = "last_inspection"  # 上次检查该对象的人员
    DECLARED = "declared"  # 申报的利害关系


class DrawConflict(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    inspector_id: uuid.UUID
    uscc: Uscc
    reason: ConflictReason


class DrawPlan(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    id: uuid.UUID
    title: str
    department_id: uuid.UUID
    items: list[PlanItem]
    sampling_permille: int
    period_start: dt.date
    period_end: dt.date
    inspectors_per_target: int
    yearly_cap: int
    required_skill: str | None


class Team(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One department's inspectors on a visit."""

    department_id: uuid.UUID
    inspector_ids: list[uuid.UUID]


class Visit(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """一次入企检查 / one visit: a drawn target and every department's team (进一次门、查多项事)."""

    uscc: Uscc
    name: str
    teams: list[Team]


class DrawDocument(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """抽取结果公示 / everything needed to re-run the draw, and its result."""

    draw_id: uuid.UUID
    algorithm: str
    seed: Seed
    drawn_at: Timestamp
    plan: DrawPlan
    population: Annotated[int, Meta(description="范围内名录库对象数 / subjects in scope")]
    sample_size: Annotated[int, Meta(description="抽取数 = ⌈千分比 × 范围内对象数 / 1000⌉，不超过可抽对象数")]
    capped: Annotated[list[Uscc], Meta(description="已达年度上限、不参加本次抽取的对象")]
    targets: list[DrawTarget]
    inspectors: list[DrawInspector]
    conflicts: list[DrawConflict]
    visits: list[Visit]


class PublishedDraw(msgspec.Struct, kw_only=True):
    """公示的抽取文档及其 SHA-256 / the published document and the SHA-256 of its canonical JSON."""

    document: DrawDocument
    sha256: str


class VisitStatus(enum.StrEnum):
    PENDING = "pending"  # 待检查
    INSPECTED = "inspected"  # 已检查


class VisitOutcome(msgspec.Struct, kw_only=True):
    uscc: str
    name: str
    status: VisitStatus
    inspected_at: dt.datetime | None = None
    results: list[str] = []


class DrawResults(msgspec.Struct, kw_only=True):
    """抽查结果公示 / what each drawn visit found, from its inspection records."""

    draw_id: uuid.UUID
    plan_title: str
    visits: list[VisitOutcome]
