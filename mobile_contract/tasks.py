"""检查任务: work handed to an inspector, and what the inspector reports back.

Tasks come from a supervisor, a random draw, an approval, a complaint, an alert dispatch (预警派遣),
a legal review sent back (法制审核退回) or a time limit about to run out (期限提醒). They reach the
handheld through ``GET /tasks`` and ``GET /sync/pull``; a withdrawn task (改派、预警已办结) comes
again with ``status`` ``cancelled`` and its ``cancel_reason``.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import Location
from mobile_contract.task_results import TaskResult
from mobile_contract.types import ClientId, ItemCode, Sha256Hex, ShortText


class TaskStatus(enum.StrEnum):
    OPEN = "open"  # 待办
    DONE = "done"  # 已完成
    CANCELLED = "cancelled"  # 已撤销


class TaskSource(enum.StrEnum):
    """任务来源 / where a task comes from."""

    SUPERVISOR = "supervisor"  # 负责人派发
    RANDOM_DRAW = "random_draw"  # 双随机抽查
    ALERT = "alert"  # 预警派遣
    COMPLAINT = "complaint"  # 投诉举报核查
    APPROVAL = "approval"  # 审批后监管、告知承诺核查
    REVIEW_RETURNED = "review_returned"  # 法制审核退回补充调查
    DEADLINE = "deadline"  # 办案期限即将届满


class TaskCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: ClientId
    assignee_id: uuid.UUID
    title: ShortText
    source: TaskSource = TaskSource.SUPERVISOR
    item_code: ItemCode | None = None
    due_on: dt.date | None = None
    detail: dict[str, Any] = {}


class TaskSnapshot(msgspec.Struct, kw_only=True):
    """预警截图 / the alert's snapshot, read through the API (each read audited)."""

    url: Annotated[str, Meta(description="相对 API 地址的路径，带令牌 GET / path under the API, GET with the token")]
    sha256: Sha256Hex
    media_type: str


class AlertTaskDetail(msgspec.Struct, kw_only=True):
    """预警派遣任务的内容 / what an alert task tells the inspector: where to go and what was seen."""

    alert_id: uuid.UUID
    site_id: str
    site_name: str
    camera_id: str
    camera_name: str
    kind: AlertKind
    kind_name: Annotated[str, Meta(description="预警类型（中文）/ kind in Chinese")]
    severity: Severity
    summary: str
    started_at: dt.datetime
    location: Annotated[Location | None, Meta(description="摄像头或点位位置 / where to go, if registered")] = None
    snapshot: TaskSnapshot | None = None
    note: Annotated[str, Meta(description="值班员派遣说明 / the operator's note")] = ""
    dispatched_by_name: str = ""


class TaskRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    department_id: uuid.UUID
    assignee_id: uuid.UUID
    source: TaskSource
    title: str
    item_code: str | None
    due_on: dt.date | None
    status: TaskStatus
    detail: Annotated[dict[str, Any], Meta(description="来源相关内容；预警任务见 alert / source-specific")]
    created_at: dt.datetime
    updated_at: dt.datetime
    alert: Annotated[AlertTaskDetail | None, Meta(description="预警派遣任务 / for source alert")] = None
    result: TaskResult | None = None
    completed_at: dt.datetime | None = None
    cancel_reason: Annotated[str | None, Meta(description="撤销原因 / why it was withdrawn")] = None
