"""Batch sync: a reconnecting handheld empties its queue in one round trip.

``POST /sync/push`` takes up to 1000 queued operations and answers each one
separately (a bad item never blocks the rest). Operations are applied by
kind in a fixed order — case creates, case edits, record creates, record
edits, task results — so a queue that opens a case and files records under it works in one
push. ``GET /sync/pull`` returns what changed for the inspector since the
token from the previous pull (at-least-once: apply by id and version).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, get_args

import msgspec
from msgspec import Meta

from mobile_contract.problems import Problem
from mobile_contract.records import CaseCreate, CaseRead, CaseUpdate, RecordCreate, RecordRead, RecordUpdate
from mobile_contract.task_results import TaskReport
from mobile_contract.tasks import TaskRead

MAX_PUSH_OPERATIONS = 1000


class CreateCase(msgspec.Struct, tag_field="op", tag="create_case", forbid_unknown_fields=True):
    case: CaseCreate


class UpdateCase(msgspec.Struct, tag_field="op", tag="update_case", forbid_unknown_fields=True):
    id: uuid.UUID
    update: CaseUpdate


class CreateRecord(msgspec.Struct, tag_field="op", tag="create_record", forbid_unknown_fields=True):
    record: RecordCreate


class UpdateRecord(msgspec.Struct, tag_field="op", tag="update_record", forbid_unknown_fields=True):
    id: uuid.UUID
    update: RecordUpdate


class CompleteTask(msgspec.Struct, tag_field="op", tag="complete_task", forbid_unknown_fields=True):
    """完成任务并反馈结果 / complete a task with the result, as ``POST /tasks/{id}/complete`` does."""

    id: uuid.UUID
    report: TaskReport


SyncOperation = CreateCase | UpdateCase | CreateRecord | UpdateRecord | CompleteTask


OPERATION_SCHEMA = {
    "type": "object",
    "required": ["op"],
    "properties": {"op": {"enum": [op.__struct_config__.tag for op in get_args(SyncOperation)]}},
}


class SyncPush(msgspec.Struct, forbid_unknown_fields=True):
    """Queued operations, each one a SyncOperation object (create_case / update_case / create_record /
    update_record / complete_task).

    Items are validated one by one, so a malformed item is answered as rejected
    without failing the batch.
    """

    # Raw: each item is decoded on its own (api/sync/service.py), so a bad one is answered, not fatal
    operations: Annotated[
        list[msgspec.Raw],
        Meta(min_length=1, max_length=MAX_PUSH_OPERATIONS, extra_json_schema={"extra": {"items": OPERATION_SCHEMA}}),
    ]


class ItemStatus(enum.StrEnum):
    CREATED = "created"
    REPLAYED = "replayed"  # already stored with identical content
    UPDATED = "updated"
    REJECTED = "rejected"  # see problem; the device must fix or drop the item


class SyncItemResult(msgspec.Struct, omit_defaults=True):
    index: int
    status: ItemStatus
    op: str | None = None
    id: uuid.UUID | None = None
    version: int | None = None
    problem: Problem | None = None


class SyncPushResult(msgspec.Struct):
    results: list[SyncItemResult]
    server_time: dt.datetime


class SyncPull(msgspec.Struct):
    records: list[RecordRead]
    cases: list[CaseRead]
    tasks: list[TaskRead]
    sync_token: Annotated[str, Meta(description="下次拉取时带上 / send with the next pull")]
    has_more: bool
