"""Alerts from the vision pipeline (预警) and the monitoring centre's handling of them.

A vision node raises one alert per continuing incident and sends updates
with an increasing ``revision``; the API stores each (id, revision) once,
so redelivery after an outage never duplicates. Operators acknowledge
(确认), dispatch an inspector (派遣) and close with feedback (反馈).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from mobile_contract.task_results import TaskResult
from mobile_contract.types import Sha256Hex, Timestamp


class AlertKind(enum.StrEnum):
    FORBIDDEN_ZONE = "forbidden_zone"  # 禁采区内作业
    OUTSIDE_PERMIT = "outside_permit"  # 超出许可范围或许可过期
    PROHIBITED_HOURS = "prohibited_hours"  # 禁止时段作业（夜间）
    HAUL_CROSSING = "haul_crossing"  # 关停点位运输车辆出入
    LANDFORM_CHANGE = "landform_change"  # 地貌变化（新开挖）
    CAMERA_COVERED = "camera_covered"  # 摄像头遮挡
    CAMERA_DEFOCUSED = "camera_defocused"  # 摄像头失焦
    CAMERA_MOVED = "camera_moved"  # 摄像头移位
    CAMERA_FROZEN = "camera_frozen"  # 画面冻结
    CAMERA_OFFLINE = "camera_offline"  # 摄像头离线
    CAMERA_UNWATCHED = "camera_unwatched"  # 无节点分析（API 自行发出：超过阈值无视频节点上报）


KIND_NAMES = {
    AlertKind.FORBIDDEN_ZONE: "禁采区内作业",
    AlertKind.OUTSIDE_PERMIT: "超出许可范围作业",
    AlertKind.PROHIBITED_HOURS: "禁止时段作业",
    AlertKind.HAUL_CROSSING: "关停点位运输车辆出入",
    AlertKind.LANDFORM_CHANGE: "地貌变化（疑似新开挖）",
    AlertKind.CAMERA_COVERED: "摄像头遮挡",
    AlertKind.CAMERA_DEFOCUSED: "摄像头失焦",
    AlertKind.CAMERA_MOVED: "摄像头移位",
    AlertKind.CAMERA_FROZEN: "画面冻结",
    AlertKind.CAMERA_OFFLINE: "摄像头离线",
}


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertState(enum.StrEnum):
    OPEN = "open"  # 待处理
    ACKNOWLEDGED = "acknowledged"  # 已确认
    DISPATCHED = "dispatched"  # 已派遣
    CLOSED = "closed"  # 已反馈办结


class ModelIdentity(msgspec.Struct, frozen=True):
    """Which detector produced the alert: enough to reproduce it in court."""

    name: str
    weights_sha256: Sha256Hex
    ultralytics_version: str
    backend: str
    class_map: dict[str, str]
    thresholds: dict[str, float]
    version: str = ""  # the model card's version, beside the weights' hash


class EvidenceStream(enum.StrEnum):
    """Which of the camera's streams a snapshot or clip came from (取证码流)."""

    MAIN = "main"  # 主码流：摄像头的全分辨率码流（只有一路码流的摄像头即此路）
    SUB = "sub"  # 子码流：主码流中断时，证据退用分析所用的子码流画面


PictureSide = Annotated[int, Meta(ge=1, le=16384, description="画面尺寸，像素 / picture side in pixels")]


class AlertMedia(msgspec.Struct, frozen=True, omit_defaults=True):
    """A snapshot or clip already stored in the evidence bucket.

    The stream and its picture size are left out of the canonical JSON when not given (``omit_defaults``), so a
    revision sent by a node older than these fields keeps the digest it was stored with.
    """

    kind: Annotated[str, Meta(pattern=r"^(snapshot|clip)$")]
    object_key: str
    sha256: Sha256Hex
    size: Annotated[int, Meta(ge=0)]
    media_type: str
    stream: Annotated[
        EvidenceStream | None,
        Meta(description="取证码流：main 主码流、sub 子码流（主码流中断时退用）/ the stream the picture came from"),
    ] = None
    width: PictureSide | None = None
    height: PictureSide | None = None


class AlertUpsert(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What a vision node sends: the incident's latest state."""

    id: Annotated[uuid.UUID, Meta(description="事件ID，同一事件不变 / stable per incident")]
    revision: Annotated[int, Meta(ge=1, description="事件更新序号 / increases with each update")]
    site_id: str
    camera_id: str
    kind: AlertKind
    severity: Severity
    started_at: Timestamp
    last_seen_at: Timestamp
    ended_at: Timestamp | None = None
    summary: Annotated[str, Meta(max_length=500, description="中文摘要 / short description")]
    detail: dict[str, Any] = {}
    model: ModelIdentity | None = None
    media: list[AlertMedia] = []


class MediaCheck(enum.StrEnum):
    """Result of the server's check of an evidence object (证据核验结果)."""

    VERIFIED = "verified"  # 已核验：对象存在且存储记录的 SHA-256 与申报一致
    MISSING = "missing"  # 对象不存在
    CHECKSUM_MISMATCH = "checksum_mismatch"  # 存储记录的 SHA-256 与申报不一致
    CHECKSUM_UNAVAILABLE = "checksum_unavailable"  # 存储未记录整对象 SHA-256（未带校验上传或分片上传）
    SIZE_MISMATCH = "size_mismatch"  # 大小与申报不一致


class AlertOutcome(enum.StrEnum):
    """处置结果 / how the incident turned out, given when the alert is closed."""

    VIOLATION_CONFIRMED = "violation_confirmed"  # 违法行为属实，已处置或立案
    NO_VIOLATION = "no_violation"  # 现场核查未发现违法
    FALSE_ALARM = "false_alarm"  # 误报
    DEVICE_FAULT = "device_fault"  # 设备故障，已报修


class AlertAction(enum.StrEnum):
    """What changed an alert; the ``event`` of each stream message (预警变更类型)."""

    CREATED = "created"  # 新预警
    UPDATED = "updated"  # 视频节点更新（新的 revision）
    ACKNOWLEDGED = "acknowledged"  # 值班员确认
    DISPATCHED = "dispatched"  # 派遣执法人员
    CLOSED = "closed"  # 反馈办结
    RESULT_REPORTED = "result_reported"  # 执法人员反馈核查结果
    HANDED_OVER = "handed_over"  # 摄像头易主：原分析节点失联，平台结束其未结束的事件


Note = Annotated[str, Meta(max_length=2000, description="备注 / note")]


class AlertAcknowledge(msgspec.Struct, forbid_unknown_fields=True):
    """确认预警 / an operator has seen the alert and takes it on."""

    note: Note = ""


class AlertDispatch(msgspec.Struct, forbid_unknown_fields=True):
    """派遣执法人员 / send an inspector of the same department to the site."""

    inspector_id: Annotated[uuid.UUID, Meta(description="被派遣的执法人员 / the inspector sent")]
    note: Note = ""


class AlertClose(msgspec.Struct, forbid_unknown_fields=True):
    """反馈办结 / close the alert with the handling feedback (预警处置反馈)."""

    outcome: AlertOutcome
    feedback: Annotated[
        str,
        Meta(
            max_length=20_000,
            description="处置反馈；留空则采用执法人员的核查结果 / what was done; empty: the inspector's result",
        ),
    ] = ""


class AlertMediaRead(msgspec.Struct, kw_only=True):
    """A snapshot or clip of an alert, with the server's verification of the stored object."""

    id: Annotated[int, Meta(description="媒体编号，用于获取下载链接 / media number, for the download link")]
    kind: str
    object_key: str
    sha256: Sha256Hex
    size: int
    media_type: str
    verification: MediaCheck
    verified: Annotated[bool, Meta(description="仅当服务端核验 SHA-256 一致时为真 / true only after the check")]
    checked_at: dt.datetime
    revision: Annotated[int, Meta(description="首次出现的事件更新序号 / revision that first listed it")]
    stream: Annotated[
        EvidenceStream | None, Meta(description="取证码流：main 主码流、sub 子码流；空：节点未申报 / None: not stated")
    ] = None
    width: PictureSide | None = None
    height: PictureSide | None = None


class AlertRevisionRead(msgspec.Struct, kw_only=True):
    """One revision exactly as the vision node sent it (原始上报)."""

    revision: int
    content: AlertUpsert
    content_sha256: Annotated[str, Meta(description="上报内容规范化 JSON 的 SHA-256 / of the canonical JSON")]
    received_at: dt.datetime
    received_by: Annotated[
        uuid.UUID | None, Meta(description="上报的节点账号；空：由 API 自行发出（无人分析）/ None: raised by the API")
    ]


class AlertHandover(msgspec.Struct, kw_only=True):
    """平台因摄像头易主而结束的事件 / an incident the API ended because its camera changed hands.

    Its node was lost (killed) while the incident was open, and a later lease generation took the camera over.
    """

    reason: Annotated[str, Meta(description="结束原因（中文）/ why, in Chinese")]
    ended_at: Annotated[dt.datetime, Meta(description="平台结束事件的时间 / when the API ended it")]
    previous_node: Annotated[str | None, Meta(description="原分析节点 / the node that raised it")]
    previous_generation: Annotated[int, Meta(description="原租约代次 / the lease generation it was raised under")]
    node: Annotated[str, Meta(description="接管节点 / the node that took the camera over")]
    generation: Annotated[int, Meta(description="接管后的租约代次 / the lease generation that took over")]
    taken_over_at: Annotated[dt.datetime, Meta(description="接管时间 / when that generation took the lease")]


class AlertRead(msgspec.Struct, kw_only=True):
    """预警 / an alert: the latest detection state and where its handling stands."""

    id: uuid.UUID
    department_id: uuid.UUID
    site_id: str
    camera_id: str
    revision: Annotated[int, Meta(description="当前（最高）事件更新序号 / highest revision received")]
    kind: AlertKind
    severity: Severity
    started_at: dt.datetime
    last_seen_at: dt.datetime
    ended_at: dt.datetime | None
    summary: str
    detail: dict[str, Any]
    model: ModelIdentity | None
    state: AlertState
    created_at: dt.datetime
    updated_at: dt.datetime
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: uuid.UUID | None = None
    acknowledge_note: str | None = None
    dispatched_at: dt.datetime | None = None
    dispatched_by: uuid.UUID | None = None
    inspector_id: Annotated[uuid.UUID | None, Meta(description="被派遣的执法人员 / inspector sent")] = None
    dispatch_note: str | None = None
    closed_at: dt.datetime | None = None
    closed_by: uuid.UUID | None = None
    outcome: AlertOutcome | None = None
    feedback: Annotated[str | None, Meta(description="处置反馈 / handling feedback")] = None
    task_id: Annotated[uuid.UUID | None, Meta(description="派遣生成的任务 / the task of the current dispatch")] = None
    result: Annotated[TaskResult | None, Meta(description="执法人员反馈的核查结果 / the inspector's result")] = None
    handover: Annotated[
        AlertHandover | None,
        Meta(description="摄像头易主时由平台结束：原因与接管的租约代次 / ended by the API at a hand-over"),
    ] = None


class AlertDetail(AlertRead, kw_only=True):
    """预警详情 / an alert with its evidence media and every revision received."""

    media: list[AlertMediaRead] = []
    revisions: list[AlertRevisionRead] = []


class AlertPage(msgspec.Struct):
    """一页预警（新的在前）/ a page of alerts, newest first; pass ``next_cursor`` as ``cursor``."""

    items: list[AlertRead]
    next_cursor: str | None = None


class AlertEvent(msgspec.Struct, kw_only=True):
    """One message of the live stream (实时推送): the alert as it was right after the change."""

    event_id: Annotated[int, Meta(description="递增事件号，断线重连时作为 Last-Event-ID / increasing event number")]
    action: AlertAction
    occurred_at: dt.datetime
    alert: AlertRead


class InspectorChoice(msgspec.Struct, kw_only=True):
    """派遣候选 / an active inspector of the alert's department, to dispatch by name."""

    id: uuid.UUID
    display_name: str
    certificate_no: Annotated[str | None, Meta(description="执法证号 / enforcement certificate number")]


class MediaLink(msgspec.Struct, kw_only=True):
    """证据查看链接 / a short-lived presigned download URL for one verified alert media object."""

    url: str
    expires_at: dt.datetime
    sha256: Annotated[
        Sha256Hex, Meta(description="已核验的 SHA-256，下载后可自行比对 / verified hash, to check the download")
    ]


class DeliveryOutcome(enum.StrEnum):
    """What the API did with one delivered revision (上报处理结果)."""

    CREATED = "created"  # 新建预警（HTTP 201）
    UPDATED = "updated"  # 更新为该 revision
    REPLAYED = "replayed"  # 重复投递，内容一致，未作改动
    STORED_LATE = "stored_late"  # 迟到的较低 revision：仅存入历史，不回退当前状态


class AlertReceipt(msgspec.Struct, kw_only=True):
    """The answer to a vision node's delivery: the alert now, and how each media object checked out."""

    outcome: DeliveryOutcome
    alert: AlertRead
    media: list[AlertMediaRead]
