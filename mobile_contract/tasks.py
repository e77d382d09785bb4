"""检查任务: work handed to an inspector (by a supervisor, a random draw or an alert)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from mobile_contract.types import ClientId, ItemCode, ShortText


class TaskStatus(enum.StrEnum):
    OPEN = "open"  # 待办
    DONE = "done"  # 已完成
    CANCELLED = "cancelled"  # 已撤销


class TaskCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: ClientId
    assignee_id: uuid.UUID
    title: ShortText
    source: Annotated[str, Meta(pattern=r"^(supervisor|random_draw|alert|complaint|approval)$")] = "supervisor"
    item_code: ItemCode | None = None
    due_on: dt.date | None = None
    detail: dict[str, Any] = {}


class TaskRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    department_id: uuid.UUID
    assignee_id: uuid.UUID
    source: str
    title: str
    item_code: str | None
    due_on: dt.date | None
    status: TaskStatus
    detail: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
