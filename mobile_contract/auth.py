"""Sign-in, tokens and the roles a user can hold."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.types import CertificateNo, RegionCode


class Role(enum.StrEnum):
    """用户角色 / user role."""

    INSPECTOR = "inspector"  # 执法人员
    MONITORING_OPERATOR = "monitoring_operator"  # 监控中心值班员
    LEGAL_REVIEWER = "legal_reviewer"  # 法制审核人员
    SUPERVISOR = "supervisor"  # 监管负责人
    ADMIN = "admin"  # 系统管理员
    VISION_NODE = "vision_node"  # 视频分析节点（机器账号）
    APPROVAL_BUREAU = "approval_bureau"  # 行政审批服务局（机器账号，推送审批结果）
    COMPLAINT_OFFICER = "complaint_officer"  # 投诉举报受理员（唯一可查看举报人身份的角色）


ROLE_NAMES = {
    Role.INSPECTOR: "执法人员", Role.MONITORING_OPERATOR: "监控中心值班员", Role.LEGAL_REVIEWER: "法制审核人员",
    Role.SUPERVISOR: "监管负责人", Role.ADMIN: "系统管理员", Role.VISION_NODE: "视频分析节点",
    Role.APPROVAL_BUREAU: "行政审批服务局", Role.COMPLAINT_OFFICER: "投诉举报受理员",
}  # fmt: skip
Username = Annotated[str, Meta(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Password = Annotated[str, Meta(min_length=10, max_length=256)]
# Signing in checks the password, not the policy: a short one is a wrong one (401), never a hint (422).
SignInPassword = Annotated[str, Meta(min_length=1, max_length=4096)]
DeviceId = Annotated[
    str,
    Meta(
        min_length=4,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="终端编号 / handheld device identifier (serial or IMEI)",
    ),
]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    """登录 / sign in with username, password and the handheld's device ID."""

    username: Username
    password: SignInPassword
    device_id: DeviceId | None = None


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: str


class TokenPair(msgspec.Struct):
    """访问令牌与刷新令牌 / short-lived access token and rotating refresh token."""

    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


class UserRead(msgspec.Struct):
    """用户 / a user account as anyone allowed to see it reads it (never the password hash)."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    department_id: uuid.UUID
    region_code: RegionCode
    certificate_no: CertificateNo | None = None
    active: bool = True
