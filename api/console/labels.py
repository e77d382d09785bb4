"""Chinese names (中文名称) of the codes pages show; a code without a name is shown as it is."""

from __future__ import annotations

from api.alerts.flows import STATE_NAMES
from mobile_contract.alerts import AlertAction, AlertKind, AlertOutcome, EvidenceStream, MediaCheck, Severity
from mobile_contract.auth import Role
from mobile_contract.cameras import CameraStatus
from mobile_contract.sites import SiteKind

NAMES: dict[object, str] = {
    AlertKind.FORBIDDEN_ZONE: "禁采区内作业",
    AlertKind.OUTSIDE_PERMIT: "超出许可范围或许可过期",
    AlertKind.PROHIBITED_HOURS: "禁止时段作业",
    AlertKind.HAUL_CROSSING: "运输车辆出入",
    AlertKind.LANDFORM_CHANGE: "地貌变化",
    AlertKind.CAMERA_COVERED: "摄像头遮挡",
    AlertKind.CAMERA_DEFOCUSED: "摄像头失焦",
    AlertKind.CAMERA_MOVED: "摄像头移位",
    AlertKind.CAMERA_FROZEN: "画面冻结",
    AlertKind.CAMERA_OFFLINE: "摄像头离线",
    AlertKind.CAMERA_UNWATCHED: "无节点分析",
    Severity.INFO: "提示",
    Severity.WARNING: "警告",
    Severity.CRITICAL: "严重",
    **STATE_NAMES,
    AlertAction.CREATED: "新预警",
    AlertAction.UPDATED: "视频节点更新",
    AlertAction.HANDED_OVER: "平台结束（摄像头易主）",
    EvidenceStream.MAIN: "主码流",
    EvidenceStream.SUB: "子码流",
    AlertOutcome.VIOLATION_CONFIRMED: "违法行为属实",
    AlertOutcome.NO_VIOLATION: "未发现违法",
    AlertOutcome.FALSE_ALARM: "误报",
    AlertOutcome.DEVICE_FAULT: "设备故障",
    MediaCheck.VERIFIED: "已核验",
    MediaCheck.MISSING: "对象缺失",
    MediaCheck.CHECKSUM_MISMATCH: "哈希不一致",
    MediaCheck.CHECKSUM_UNAVAILABLE: "无法核验",
    MediaCheck.SIZE_MISMATCH: "大小不一致",
    Role.INSPECTOR: "执法人员",
    Role.MONITORING_OPERATOR: "监控中心值班员",
    Role.LEGAL_REVIEWER: "法制审核人员",
    Role.SUPERVISOR: "监管负责人",
    Role.ADMIN: "系统管理员",
    Role.VISION_NODE: "视频分析节点",
    Role.APPROVAL_BUREAU: "行政审批服务局",
    Role.COMPLAINT_OFFICER: "投诉举报受理员",
    CameraStatus.BLINDED: "遮挡/失焦/移位/冻结",
    CameraStatus.OFFLINE: "离线",
    CameraStatus.UNWATCHED: "无人分析",
    CameraStatus.OK: "正常",
    SiteKind.QUARRY: "采石场",
    SiteKind.HILLSIDE: "破损山体",
    SiteKind.HAUL_ROAD: "山石运输道路",
}
ZONE_NAMES = {"forbidden": "禁采区", "permitted": "采矿许可范围", "landform": "地貌监测区", "count_line": "运输计数线"}


def label(code: object) -> str:
    """The Chinese name of an enum member or zone kind; anything else as text."""
    if isinstance(code, str) and code in ZONE_NAMES:
        return ZONE_NAMES[code]
    return NAMES.get(code, "" if code is None else str(code))
