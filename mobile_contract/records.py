"""The three supervision actions (监管行为) and the case (案件) they belong to.

A record's ``content`` is what the inspector captured; the server hashes its
canonical JSON (sorted keys) to recognise retries: the same ID with the same
content is the same submission, the same ID with other content is a
conflict. Edits name the version they are based on (optimistic concurrency);
every version is kept.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, ClassVar

import msgspec
from msgspec import Meta

from mobile_contract.evidence import EvidenceDeclaration, EvidenceStatus
from mobile_contract.messages import at
from mobile_contract.parties import Officer, Party, Place
from mobile_contract.types import ClientId, ItemCode, LongText, RegionCode, ShortText, Timestamp, Version

Officers = Annotated[list[Officer], Meta(min_length=1, max_length=20)]
Manifest = Annotated[list[EvidenceDeclaration], Meta(max_length=500, description="证据清单 / evidence manifest")]
AmountFen = Annotated[int, Meta(ge=0, le=10**13, description="金额（分）/ amount in fen (0.01 yuan)")]


class RecordKind(enum.StrEnum):
    INSPECTION = "inspection"  # 行政检查
    PENALTY = "penalty"  # 行政处罚
    COERCIVE_MEASURE = "coercive_measure"  # 行政强制


class _ActionContent(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, tag_field="kind"):
    """Fields every supervision action carries (互联网+监管 行为数据); at least two officers, refused at
    submission with the rule of its kind (``officers_rule``), not later when a case needs the record."""

    officers_rule: ClassVar[str]

    case_id: uuid.UUID | None = None
    item_code: ItemCode
    party: Party
    region_code: RegionCode
    occurred_at: Annotated[Timestamp, Meta(description="行为发生时间 / when the action took place")]
    place: Place
    officers: Officers
    result: Annotated[str, Meta(min_length=1, max_length=2000, description="结果 / result of the action")]
    evidence: Manifest = []

    def __post_init__(self) -> None:
        ids = [item.id for item in self.evidence]
        if len(ids) != len(set(ids)):
            raise ValueError(at("evidence", "证据清单中有重复的证据编号"))
        officer_ids = [o.user_id for o in self.officers]
        if len(officer_ids) != len(set(officer_ids)):
            raise ValueError(at("officers", "执法人员重复"))
        if len(officer_ids) < 2:
            raise ValueError(at("officers", self.officers_rule))


class InspectionType(enum.StrEnum):
    ROUTINE = "routine"  # 日常检查
    RANDOM = "random"  # 双随机抽查
    SPECIAL = "special"  # 专项检查
    COMPLAINT = "complaint"  # 投诉举报核查
    ALERT = "alert"  # 非现场预警核查


class InspectionContent(_ActionContent, frozen=True, tag="inspection"):
    """行政检查记录. 行政处罚法第四十二条: at least two officers (两名以上执法人员)."""

    officers_rule: ClassVar[str] = "行政检查须有两名以上执法人员（行政处罚法第四十二条），请添加另一名执法人员"
    inspection_type: InspectionType
    findings: LongText = ""
    task_id: uuid.UUID | None = None
    alert_id: uuid.UUID | None = None


class PenaltyKind(enum.StrEnum):
    WARNING = "warning"  # 警告、通报批评
    FINE = "fine"  # 罚款
    CONFISCATION = "confiscation"  # 没收违法所得、没收非法财物
    PERMIT_RESTRICTION = "permit_restriction"  # 暂扣许可证件、降低资质等级、吊销许可证件
    BUSINESS_RESTRICTION = "business_restriction"  # 限制开展生产经营活动、责令停产停业、责令关闭、限制从业
    DETENTION = "detention"  # 行政拘留
    OTHER = "other"  # 法律、行政法规规定的其他行政处罚


class PenaltyContent(_ActionContent, frozen=True, tag="penalty"):
    """行政处罚记录 (belongs to a case). 行政处罚法第四十二条: 执法人员不得少于两人."""

    officers_rule: ClassVar[str] = "行政处罚须由两名以上执法人员实施（行政处罚法第四十二条），请添加另一名执法人员"

    case_id: uuid.UUID
    violation: Annotated[str, Meta(min_length=1, max_length=1000, description="违法事实 / facts of the violation")]
    legal_basis: Annotated[str, Meta(min_length=1, max_length=1000, description="处罚依据 / legal basis")]
    penalty_kinds: Annotated[
        tuple[PenaltyKind, ...],
        Meta(min_length=1, description="处罚种类：不分先后，保存与返回时去重并排序 / a set: kept sorted, once each"),
    ]
    fine_fen: AmountFen = 0
    confiscated_fen: AmountFen = 0
    decision_no: Annotated[str, Meta(max_length=64, description="决定书文号")] = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        # Canonical form: answers carry the set sorted, as its content_sha256 was computed.
        msgspec.structs.force_setattr(self, "penalty_kinds", tuple(sorted(set(self.penalty_kinds))))
        if (PenaltyKind.FINE in self.penalty_kinds) != (self.fine_fen > 0):
            raise ValueError(at("fine_fen", "罚款种类与罚款金额不一致"))


class CoerciveMeasureKind(enum.StrEnum):
    SEAL_UP = "seal_up"  # 查封场所、设施或者财物
    SEIZE = "seize"  # 扣押财物
    FREEZE = "freeze"  # 冻结存款、汇款
    RESTRICT = "restrict"  # 限制公民人身自由
    OTHER = "other"


class CoerciveMeasureContent(_ActionContent, frozen=True, tag="coercive_measure"):
    """行政强制措施记录. 行政强制法第十八条: two officers or more; 第二十五条: 查封、扣押 at most 30 days
    (extension is a case step)."""

    officers_rule: ClassVar[str] = (
        "行政强制措施须由两名以上行政执法人员实施（行政强制法第十八条），请添加另一名执法人员"
    )

    case_id: uuid.UUID
    measure_kind: CoerciveMeasureKind
    objects: Annotated[
        str, Meta(min_length=1, max_length=2000, description="查封扣押物品清单 / what is sealed or seized")
    ]
    starts_on: dt.date
    ends_on: dt.date

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.starts_on <= self.ends_on <= self.starts_on + dt.timedelta(days=30):
            raise ValueError(
                at("ends_on", "查封、扣押期限不得超过三十日（行政强制法第二十五条），且结束日不得早于开始日")
            )


RecordContent = InspectionContent | PenaltyContent | CoerciveMeasureContent


class CaseContent(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """案件 / a case: the party, the suspected violation and where it was found."""

    title: ShortText
    item_code: ItemCode
    party: Party
    region_code: RegionCode
    found_at: Annotated[Timestamp, Meta(description="发现时间 / when the matter was found")]
    place: Place
    summary: LongText = ""
    source: Annotated[str, Meta(max_length=50, description="案件来源：巡查、举报、预警、移送…")] = "patrol"


class RecordCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """新建记录 / create a record; re-sending it unchanged is safe."""

    id: ClientId
    content: RecordContent


class RecordUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """修改记录 / edit: names the version it is based on."""

    base_version: Version
    content: RecordContent


class CaseCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: ClientId
    content: CaseContent


class CaseUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    base_version: Version
    content: CaseContent


class EvidenceProgress(msgspec.Struct):
    """证据完整性 / which declared items are verified and which are still missing."""

    declared: int
    verified: int
    missing: list[uuid.UUID]
    failed: list[uuid.UUID]
    statuses: dict[str, EvidenceStatus]


class RecordRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: RecordKind
    version: Version
    department_id: uuid.UUID
    content: RecordContent
    content_sha256: str
    created_by: uuid.UUID
    device_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    evidence: EvidenceProgress
    complete: Annotated[bool, Meta(description="全部证据已核验 / every declared item verified")]


class CaseRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    version: Version
    department_id: uuid.UUID
    content: CaseContent
    content_sha256: str
    created_by: uuid.UUID
    device_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class _VersionMeta(msgspec.Struct, kw_only=True):
    """历史版本 / one stored version: who changed it, from which device, when."""

    version: Version
    content_sha256: str
    changed_by: uuid.UUID
    device_id: str | None
    changed_at: dt.datetime


class RecordVersionRead(_VersionMeta, kw_only=True):
    content: RecordContent


class CaseVersionRead(_VersionMeta, kw_only=True):
    content: CaseContent


class RecordPage(msgspec.Struct):
    items: list[RecordRead]
    next_cursor: str | None = None
