"""Alerts from the vision pipeline (预警) and the monitoring centre's handling of them.

A vision node raises one alert per continuing incident and sends updates
with an increasing ``revision``; the API stores each (id, revision) once,
so redelivery after an outage never duplicates. Operators acknowledge
(确认), dispatch an inspector (派遣) and close with feedback (反馈).
"""

from __future__ import annotations

import enum
import uuid
from typing import Annotated, Any

import msgspec
from msgspec import Meta

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


class AlertMedia(msgspec.Struct, frozen=True):
    """A snapshot or clip already stored in the evidence bucket."""

    kind: Annotated[str, Meta(pattern=r"^(snapshot|clip)$")]
    object_key: str
    sha256: Sha256Hex
    size: Annotated[int, Meta(ge=0)]
    media_type: str


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
