"""The enforcement procedure (行政处罚程序) of a case, as steps a client asks for.

A case moves 立案 → 调查取证 → 告知 → [听证] → 法制审核 → [集体讨论] → 决定 →
送达 → 执行 → 结案, with the side exits the law has (不予立案, 撤销立案,
不予处罚, 移送, 中止/恢复). A client asks for one step at a time
(``TransitionCreate``); the server checks the step against the law and either
applies it or answers 409 ``invalid-transition`` with every reason (code,
Chinese and English) in ``extra.refusals``. Re-sending a step with the same
``id`` is safe. Legal facts: 行政处罚法 (2021), 行政强制法.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from mobile_contract.messages import at
from mobile_contract.records import AmountFen, PenaltyKind
from mobile_contract.types import ClientId, LongText, ShortText, tag_of

Reason = Annotated[str, Meta(min_length=2, max_length=2000, description="书面理由 / written reason")]
Note = Annotated[str, Meta(max_length=2000)]


class CaseStage(enum.StrEnum):
    """案件阶段 / where the case stands in the procedure."""

    REGISTERED = "registered"  # 已登记，待立案
    INVESTIGATING = "investigating"  # 调查取证（已立案）
    NOTIFIED = "notified"  # 已告知（陈述申辩、听证权利）
    HEARING = "hearing"  # 听证
    LEGAL_REVIEW = "legal_review"  # 法制审核中
    REVIEWED = "reviewed"  # 法制审核通过
    DISCUSSION = "discussion"  # 已集体讨论
    DECIDED = "decided"  # 已作出行政处罚决定
    NOT_PENALISED = "not_penalised"  # 不予行政处罚
    SERVED = "served"  # 已送达
    EXECUTING = "executing"  # 执行
    CLOSED = "closed"  # 结案
    NOT_FILED = "not_filed"  # 不予立案
    FILING_REVOKED = "filing_revoked"  # 撤销立案
    TRANSFERRED = "transferred"  # 移送
    SUSPENDED = "suspended"  # 中止


class Circumstance(enum.StrEnum):
    """违法情节 / circumstances in the discretion benchmark (裁量基准)."""

    MINOR = "minor"  # 轻微
    ORDINARY = "ordinary"  # 一般
    SERIOUS = "serious"  # 严重


class ReviewGround(enum.StrEnum):
    """法制审核的理由（行政处罚法第五十八条）/ why legal review is required."""

    PUBLIC_INTEREST = "public_interest"  # 涉及重大公共利益
    HEARING_HELD = "hearing_held"  # 直接关系重大权益，经过听证程序
    COMPLEX = "complex"  # 案件情况疑难复杂、涉及多个法律关系
    REQUIRED_BY_RULE = "required_by_rule"  # 法律、法规规定应当进行法制审核
    DISCRETION_DEVIATION = "discretion_deviation"  # 处罚超出裁量基准（书面说明理由）


REVIEW_GROUND_NAMES = {
    ReviewGround.PUBLIC_INTEREST: "涉及重大公共利益",
    ReviewGround.HEARING_HELD: "直接关系重大权益、经过听证程序",
    ReviewGround.COMPLEX: "案件情况疑难复杂、涉及多个法律关系",
    ReviewGround.REQUIRED_BY_RULE: "法律、法规规定应当进行法制审核",
    ReviewGround.DISCRETION_DEVIATION: "处罚超出裁量基准",
}


class NoPenaltyGround(enum.StrEnum):
    """不予行政处罚的理由 / grounds for not imposing a penalty."""

    FIRST_VIOLATION = "first_violation"  # 初次违法且危害后果轻微并及时改正（第三十三条第一款 首违不罚）
    MINOR_CORRECTED = "minor_corrected"  # 违法行为轻微并及时改正，没有造成危害后果（第三十三条第一款）
    NO_FAULT = "no_fault"  # 当事人有证据足以证明没有主观过错（第三十三条第二款）
    FACTS_NOT_ESTABLISHED = "facts_not_established"  # 违法事实不能成立（第五十七条）
    TIME_BARRED = "time_barred"  # 超过追责时效（第三十六条）


class TransferTarget(enum.StrEnum):
    ORGAN = "organ"  # 移送有管辖权的行政机关
    JUDICIARY = "judiciary"  # 涉嫌犯罪，移送司法机关（第二十七条）


class PauseKind(enum.StrEnum):
    """不计入办案期限的期间 / periods that do not count towards a time limit."""

    SUSPENSION = "suspension"  # 中止
    HEARING = "hearing"  # 听证
    APPRAISAL = "appraisal"  # 检测、检验、鉴定


class MeasureKind(enum.StrEnum):
    SEAL_UP = "seal_up"  # 查封（行政强制法第二十五条：不超过三十日，可延长一次不超过三十日）
    SEIZE = "seize"  # 扣押（同上）
    PRESERVATION = "preservation"  # 先行登记保存（行政处罚法第五十六条：七日内作出处理决定）


class MeasureOutcome(enum.StrEnum):
    RELEASED = "released"  # 解除
    CONFISCATED = "confiscated"  # 依处罚决定没收
    TRANSFERRED = "transferred"  # 随案移送


class ServiceMethod(enum.StrEnum):
    """送达方式 / how a decision was served."""

    IN_PERSON = "in_person"  # 直接送达（当场交付）
    LEFT_AT_RESIDENCE = "left_at_residence"  # 留置送达
    POST = "post"  # 邮寄送达
    ELECTRONIC = "electronic"  # 电子送达（当事人同意）
    ANNOUNCEMENT = "announcement"  # 公告送达


class PenaltyProposal(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """拟处罚 / a penalty as notified (告知) or decided (决定), checked against the benchmark."""

    violation_code: Annotated[
        str, Meta(min_length=1, max_length=64, description="违法行为编码（裁量基准）/ violation in the benchmark")
    ]
    circumstance: Circumstance
    facts: Annotated[str, Meta(min_length=1, max_length=5000, description="违法事实 / facts")]
    legal_basis: Annotated[str, Meta(min_length=1, max_length=1000, description="处罚依据 / legal basis")]
    kinds: Annotated[list[PenaltyKind], Meta(min_length=1, max_length=7, description="处罚种类 / penalty kinds")]
    fine_fen: AmountFen = 0
    confiscated_fen: AmountFen = 0
    justification: Annotated[
        str, Meta(max_length=5000, description="超出裁量基准的书面理由 / why it leaves the benchmark range")
    ] = ""

    def __post_init__(self) -> None:
        if len(set(self.kinds)) != len(self.kinds):
            raise ValueError(at("kinds", "处罚种类重复"))
        if (PenaltyKind.FINE in self.kinds) != (self.fine_fen > 0):
            raise ValueError(at("fine_fen", "罚款种类与罚款金额不一致"))
        if (PenaltyKind.CONFISCATION in self.kinds) != (self.confiscated_fen > 0):
            raise ValueError(at("confiscated_fen", "没收种类与没收金额不一致"))


class _Step(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, tag_field="action"):
    """One step of the procedure; ``action`` names it."""


class File(_Step, frozen=True, tag="file"):
    """立案（负责人批准）：生成立案审批表，办案期限开始（第五十四条、第六十条）."""

    note: Note = ""


class RefuseFiling(_Step, frozen=True, tag="refuse_filing"):
    """不予立案."""

    reason: Reason


class RevokeFiling(_Step, frozen=True, tag="revoke_filing"):
    """撤销立案."""

    reason: Reason


class Notify(_Step, frozen=True, tag="notify"):
    """告知拟处罚及陈述、申辩、听证权利（第四十四条、第六十三条），生成告知书."""

    penalty: PenaltyProposal
    hearing_rights: Annotated[bool, Meta(description="当事人享有听证权利（第六十三条）")]
    statement_days: Annotated[int, Meta(ge=3, le=15, description="陈述申辩期限（工作日）")] = 3


class RecordStatement(_Step, frozen=True, tag="record_statement"):
    """记录当事人陈述、申辩，或放弃陈述申辩 / 听证."""

    summary: LongText = ""
    waives_statement: bool = False
    waives_hearing: bool = False


class RequestHearing(_Step, frozen=True, tag="request_hearing"):
    """当事人要求听证（告知后五日内，第六十四条第一项）."""

    note: Note = ""


class ScheduleHearing(_Step, frozen=True, tag="schedule_hearing"):
    """通知听证的时间、地点（举行听证七日前，第六十四条第二项）."""

    hearing_on: dt.date
    place: ShortText
    host_user_id: Annotated[uuid.UUID, Meta(description="听证主持人：非本案调查人员（第六十四条第四项）")]


class ConcludeHearing(_Step, frozen=True, tag="conclude_hearing"):
    """听证结束，制作听证笔录."""

    summary: Reason


class SetReviewGrounds(_Step, frozen=True, tag="set_review_grounds"):
    """标记须法制审核及其理由（第五十八条）."""

    grounds: Annotated[list[ReviewGround], Meta(min_length=1, max_length=5)]
    reason: Reason


class RequireDiscussion(_Step, frozen=True, tag="require_discussion"):
    """情节复杂或者重大违法行为，须负责人集体讨论决定（第五十七条第二款）."""

    reason: Reason


class SubmitReview(_Step, frozen=True, tag="submit_review"):
    """提交法制审核."""

    note: Note = ""


class HoldDiscussion(_Step, frozen=True, tag="hold_discussion"):
    """负责人集体讨论."""

    held_on: dt.date
    attendees: Annotated[list[ShortText], Meta(min_length=3, max_length=30)]
    conclusion: Reason


class Reinvestigate(_Step, frozen=True, tag="reinvestigate"):
    """补充调查（须重新告知）."""

    reason: Reason


class Decide(_Step, frozen=True, tag="decide"):
    """作出行政处罚决定，生成决定书."""

    penalty: PenaltyProposal


class NotPenalise(_Step, frozen=True, tag="not_penalise"):
    """不予行政处罚决定."""

    ground: NoPenaltyGround
    reason: Reason


Detail = Annotated[str, Meta(max_length=200)]


class Serve(_Step, frozen=True, tag="serve"):
    """送达决定书（第六十一条：七日内），生成送达回证，记明送达方式.

    留置送达 states why the recipient refused (民事诉讼法第八十九条) and who witnessed it or how
    it was recorded; 邮寄 the mail number; 电子送达 needs the party's consent and the address it
    gave; 公告送达 where the notice was published."""

    method: ServiceMethod
    recipient: ShortText
    place: Annotated[str, Meta(max_length=200, description="送达地点 / where it was served")] = ""
    refusal: Annotated[str, Meta(max_length=200, description="拒收事由（留置送达）/ why it was refused")] = ""
    witnesses: Annotated[list[ShortText], Meta(max_length=5, description="见证人 / witnesses")] = []
    recorded_on_video: Annotated[bool, Meta(description="留置送达过程已拍照、录像 / recorded on camera")] = False
    tracking_no: Annotated[str, Meta(max_length=40, description="邮件单号（邮寄送达）/ mail number")] = ""
    electronic_consent: Annotated[bool, Meta(description="当事人同意电子送达 / the party consented")] = False
    electronic_address: Annotated[str, Meta(max_length=200, description="电子送达地址 / address given")] = ""
    announcement: Annotated[str, Meta(max_length=200, description="公告载体（公告送达）/ where published")] = ""

    def __post_init__(self) -> None:
        if problem := service_problem(self):
            raise ValueError(problem)


def service_problem(step: Serve) -> str:
    """Why the record of service is incomplete for its method (行政处罚法第六十一条); empty if complete."""
    match step.method:
        case ServiceMethod.LEFT_AT_RESIDENCE if not step.refusal or not (step.witnesses or step.recorded_on_video):
            return "留置送达须写明拒收事由，并记录见证人或拍照、录像"
        case ServiceMethod.POST if not step.tracking_no:
            return "邮寄送达须填写邮件单号"
        case ServiceMethod.ELECTRONIC if not (step.electronic_consent and step.electronic_address):
            return "电子送达须经当事人同意，并填写当事人确认的电子送达地址"
        case ServiceMethod.ANNOUNCEMENT if not step.announcement:
            return "公告送达须写明公告载体或地点"
    return ""


class StartExecution(_Step, frozen=True, tag="start_execution"):
    """执行（当事人履行或申请强制执行）."""

    note: Note = ""


class Close(_Step, frozen=True, tag="close"):
    """结案."""

    result: Reason


class Transfer(_Step, frozen=True, tag="transfer"):
    """移送."""

    target: TransferTarget
    organ: ShortText
    reason: Reason


class Suspend(_Step, frozen=True, tag="suspend"):
    """中止（期间不计入办案期限）."""

    reason: Reason


class Resume(_Step, frozen=True, tag="resume"):
    """恢复."""

    reason: Reason


class StartAppraisal(_Step, frozen=True, tag="start_appraisal"):
    """开始检测、检验、鉴定（期间不计入办案期限）."""

    subject: ShortText


class EndAppraisal(_Step, frozen=True, tag="end_appraisal"):
    """检测、鉴定结束."""

    result: Reason


class ExtendDeadline(_Step, frozen=True, tag="extend_deadline"):
    """经负责人批准延长期限."""

    rule: Annotated[str, Meta(pattern=r"^[a-z_0-9]+$", max_length=40, description="期限规则 / deadline rule")]
    days: Annotated[int, Meta(ge=1, le=90)]
    reason: Reason


class ApplyMeasure(_Step, frozen=True, tag="apply_measure"):
    """实施查封、扣押或先行登记保存."""

    measure_id: ClientId
    kind: MeasureKind
    objects: Annotated[str, Meta(min_length=1, max_length=2000, description="物品清单 / what is held")]
    days: Annotated[int, Meta(ge=1, le=30, description="查封、扣押期限（日）；先行登记保存固定七个工作日")] = 30
    record_id: uuid.UUID | None = None


class ExtendMeasure(_Step, frozen=True, tag="extend_measure"):
    """经负责人批准延长查封、扣押一次，不超过三十日（行政强制法第二十五条）."""

    measure_id: uuid.UUID
    days: Annotated[int, Meta(ge=1, le=30)]
    reason: Reason


class ReleaseMeasure(_Step, frozen=True, tag="release_measure"):
    """解除或处理查封、扣押、登记保存的物品."""

    measure_id: uuid.UUID
    outcome: MeasureOutcome
    reason: Reason


class Annul(_Step, frozen=True, tag="annul"):
    """决定被依法变更、撤销、确认违法或无效（已公示的须三日内撤回，第四十八条）."""

    reason: Reason


class PassReview(_Step, frozen=True, tag="pass_review"):
    """法制审核通过（由审核人员经 /reviews 提交）."""

    opinion: Reason


class ReturnReview(_Step, frozen=True, tag="return_review"):
    """法制审核退回补充调查（由审核人员经 /reviews 提交）."""

    reasons: Reason


class Publish(_Step, frozen=True, tag="publish"):
    """公示处罚决定（由 /cases/{id}/publication 生成）."""

    publication_id: uuid.UUID


class WithdrawPublication(_Step, frozen=True, tag="withdraw_publication"):
    """撤回公示."""

    publication_id: uuid.UUID
    reason: Reason


ClientStep = (
    File | RefuseFiling | RevokeFiling | Notify | RecordStatement | RequestHearing | ScheduleHearing
    | ConcludeHearing | SetReviewGrounds | RequireDiscussion | SubmitReview | HoldDiscussion | Reinvestigate
    | Decide | NotPenalise | Serve | StartExecution | Close | Transfer | Suspend | Resume | StartAppraisal
    | EndAppraisal | ExtendDeadline | ApplyMeasure | ExtendMeasure | ReleaseMeasure | Annul
)  # fmt: skip
Step = ClientStep | PassReview | ReturnReview | Publish | WithdrawPublication


def action_of(step: Step) -> str:
    return tag_of(type(step))


class TransitionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """请求一个程序步骤；同一 id 重发是安全的 / ask for one step; safe to retry with the same id."""

    id: Annotated[ClientId, Meta(description="步骤编号（客户端生成）/ step id from the client")]
    step: ClientStep


class Refusal(msgspec.Struct, frozen=True):
    """不能执行该步骤的一个理由 / one reason a step is refused now."""

    code: str
    message: str
    message_en: str


class CaseEventRead(msgspec.Struct, kw_only=True):
    """全过程记录中的一步 / one step of the full-process record, hash-chained per case."""

    id: uuid.UUID
    seq: int
    action: str
    from_stage: CaseStage
    to_stage: CaseStage
    actor_id: uuid.UUID | None
    actor_role: str
    device_id: str | None
    occurred_at: dt.datetime
    step: dict[str, Any]
    prev_hash: str
    event_hash: str
