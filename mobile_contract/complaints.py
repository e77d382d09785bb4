"""投诉举报: intake from the public, acceptance, transfer, handling, supervision and feedback.

The public submits without signing in and receives a one-time lookup token;
a whistleblower's identity is stored only encrypted and only the
``complaint_officer`` role can read it, every reading audited.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.codes import id_number_problem
from mobile_contract.draws import Uscc, check_uscc
from mobile_contract.messages import at
from mobile_contract.types import ClientId, RegionCode, ShortText

Note = Annotated[str, Meta(min_length=1, max_length=2000)]
Text = Annotated[str, Meta(min_length=1, max_length=20_000)]


class ComplaintKind(enum.StrEnum):
    COMPLAINT = "complaint"  # 投诉：自身权益受损
    REPORT = "report"  # 举报：违法线索


class Channel(enum.StrEnum):
    WEB = "web"  # 网上
    PHONE = "phone"  # 电话
    LETTER = "letter"  # 来信
    VISIT = "visit"  # 来访
    HOTLINE_12345 = "hotline_12345"  # 12345 热线转来
    PLATFORM = "platform"  # 互联网+监管系统推送


class ComplaintStatus(enum.StrEnum):
    RECEIVED = "received"  # 已登记，待受理
    ACCEPTED = "accepted"  # 已受理
    REJECTED = "rejected"  # 不予受理
    TRANSFERRED = "transferred"  # 已转办
    HANDLED = "handled"  # 已办结
    CLOSED = "closed"  # 已反馈


class Whistleblower(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """举报人身份（加密保存）/ the whistleblower's identity, stored encrypted."""

    name: ShortText
    phone: Annotated[str, Meta(pattern=r"^[0-9+\- ]{5,30}$")]
    id_number: str | None = None
    address: Annotated[str, Meta(max_length=300)] = ""

    def __post_init__(self) -> None:
        if self.id_number is not None and (problem := id_number_problem(self.id_number)):
            raise ValueError(at("id_number", problem))


class ComplaintSubmit(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """提交投诉举报 / submit a complaint or report; leave ``whistleblower`` out to stay anonymous."""

    kind: ComplaintKind
    region_code: RegionCode
    subject_name: Annotated[ShortText, Meta(description="被投诉举报对象 / who or what it is about")]
    content: Annotated[str, Meta(min_length=10, max_length=20_000, description="具体情况 / what happened")]
    subject_uscc: Uscc | None = None
    location: Annotated[str, Meta(max_length=300)] = ""
    channel: Channel = Channel.WEB
    whistleblower: Whistleblower | None = None

    def __post_init__(self) -> None:
        check_uscc(self.subject_uscc, "subject_uscc")


class ComplaintReceipt(msgspec.Struct, kw_only=True):
    """回执 / receipt: keep the token, it is shown only once and is the only way to look the matter up."""

    reference_no: str
    token: str
    received_at: dt.datetime
    acceptance_due_on: Annotated[dt.date, Meta(description="受理决定期限（7个工作日）")]


class StatusLookup(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, Meta(min_length=16, max_length=100)]


class PublicEvent(msgspec.Struct, kw_only=True):
    at: dt.datetime
    action: str
    status: ComplaintStatus
    note: str


class ComplaintPublicStatus(msgspec.Struct, kw_only=True):
    """办理进度 / progress as the complainant sees it: no names, no internal notes."""

    reference_no: str
    status: ComplaintStatus
    received_at: dt.datetime
    acceptance_due_on: dt.date
    events: list[PublicEvent]
    feedback: str | None


class ComplaintEvent(PublicEvent, kw_only=True):
    actor_id: uuid.UUID | None
    public: bool


class ComplaintRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference_no: str
    kind: ComplaintKind
    channel: Channel
    region_code: str
    subject_name: str
    subject_uscc: str | None
    location: str
    content: str
    anonymous: bool
    status: ComplaintStatus
    received_at: dt.datetime
    acceptance_due_on: dt.date
    decided_at: dt.datetime | None
    decision_reason: str | None
    department_id: uuid.UUID | None
    handling_due_on: dt.date | None
    handling_result: str | None
    feedback: str | None
    supervision_count: int
    overdue: Annotated[bool, Meta(description="已超期（受理或办理期限已过）")]
    events: list[ComplaintEvent]


class Decision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """受理决定 / accept, or refuse with the reason the complainant will read."""

    accept: bool
    reason: Note


class Transfer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """转办 / hand to the responsible department; the handling deadline defaults to 15 working days."""

    department_id: uuid.UUID
    handling_due_on: dt.date | None = None


class Dispatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """派员核查 / send an inspector of the department to check on site (a task on the handheld)."""

    task_id: ClientId
    assignee_id: uuid.UUID
    due_on: dt.date | None = None


class HandlingResult(msgspec.Struct, forbid_unknown_fields=True):
    """办理结果 / what the department found and did."""

    result: Text


class Supervision(msgspec.Struct, forbid_unknown_fields=True):
    """督办 / press an overdue matter."""

    note: Note


class Feedback(msgspec.Struct, forbid_unknown_fields=True):
    """反馈 / the answer to the complainant, shown by status lookup."""

    feedback: Text


class WhistleblowerRead(Whistleblower, frozen=True, kw_only=True):
    complaint_id: uuid.UUID
