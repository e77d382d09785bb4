"""核查结果反馈: what an inspector reports on a task, shown on the task and on the alert it came from.

Its own module because both tasks and alerts carry it (an alert shows its dispatch's result).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

Note = Annotated[str, Meta(max_length=2000, description="说明 / note")]


class TaskOutcome(enum.StrEnum):
    """核查结果 / what the inspector found."""

    RECORD_FILED = "record_filed"  # 已录入检查记录
    CASE_OPENED = "case_opened"  # 发现违法，已立案
    NOTHING_FOUND = "nothing_found"  # 现场核查未发现违法


class TaskReport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """完成任务时的结果反馈 / the inspector's result: a record, a case, or nothing found.

    A record filed with this task's ``task_id`` reports itself; this body is for a case opened or
    for nothing found (and for a record filed without the task id).
    """

    outcome: TaskOutcome
    record_id: Annotated[uuid.UUID | None, Meta(description="检查记录编号（已录入检查记录时）/ the record")] = None
    case_id: Annotated[uuid.UUID | None, Meta(description="案件编号（已立案时）/ the case opened")] = None
    note: Note = ""


class TaskResult(msgspec.Struct, kw_only=True):
    """任务结果 / what came back, by whom and when; also shown on the alert the task came from."""

    outcome: TaskOutcome
    record_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    note: str = ""
    reported_by: uuid.UUID
    reported_by_name: Annotated[str, Meta(description="反馈人 / who reported it")]
    reported_at: dt.datetime
