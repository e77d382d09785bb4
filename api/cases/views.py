"""What the console's case pages show (案件页面视图): a case where it stands, and its full-process record.

Built from the same service reads as ``GET /cases/{id}``, ``/workflow``, ``/history`` and
``/cases/{id}/documents`` (department scope included); this module adds what a person needs beside
the codes: who took each step by name, in which role, from which device, and what they wrote.
The review dossier shows the same timeline (``timeline``).
"""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from api.auth.principal import Principal
from api.cases import service, workflow
from api.console.names import NameBook
from api.documents import service as documents
from api.records.service import read_records
from mobile_contract.case_state import WorkflowRead
from mobile_contract.documents import DocumentRead
from mobile_contract.records import CaseRead, RecordRead
from mobile_contract.workflow import CaseEventRead, CaseStage
from storage import workflow as workflow_sql
from storage.db import Connection

# The usual path of a penalty case, drawn as the case's position; a stage off it (听证, 中止 …) is shown beside it.
MAIN_PATH = (
    CaseStage.REGISTERED, CaseStage.INVESTIGATING, CaseStage.NOTIFIED, CaseStage.LEGAL_REVIEW, CaseStage.REVIEWED,
    CaseStage.DECIDED, CaseStage.SERVED, CaseStage.EXECUTING, CaseStage.CLOSED,
)  # fmt: skip
# What a step's author wrote, by field of the step: shown under the step in the timeline.
NOTE_FIELDS = {
    "reason": "理由", "reasons": "理由", "opinion": "审核意见", "summary": "内容", "conclusion": "结论",
    "place": "地点", "recipient": "受送达人", "organ": "接收机关",
}  # fmt: skip


class TimelineEntry(msgspec.Struct, kw_only=True):
    """One step of the full-process record (全过程记录) as a person reads it."""

    seq: int
    action: str
    at: dt.datetime
    who: str
    role: str
    device: str
    from_stage: CaseStage
    to_stage: CaseStage
    notes: list[tuple[str, str]]
    event_hash: str


class CaseView(msgspec.Struct, kw_only=True):
    case: CaseRead
    workflow: WorkflowRead
    path: list[CaseStage]
    timeline: list[TimelineEntry]
    records: list[RecordRead]
    documents: list[DocumentRead]


async def case_view(conn: Connection, principal: Principal, case_id: uuid.UUID) -> CaseView:
    """The case page: 404 for a case outside the caller's department, as ``GET /cases/{id}``."""
    where = await workflow.read(conn, principal, case_id)  # checks the scope first
    case = (await service.read_cases(conn, [case_id]))[case_id]
    record_ids = [r["id"] for r in await workflow_sql.case_records(conn, case_id=case_id)]
    found = await read_records(conn, record_ids)
    return CaseView(
        case=case,
        workflow=where,
        path=list(MAIN_PATH),
        timeline=await timeline(conn, await workflow.history(conn, principal, case_id)),
        records=[found[i] for i in record_ids],
        documents=await documents.for_case(conn, principal, case_id),
    )


async def timeline(conn: Connection, events: list[CaseEventRead]) -> list[TimelineEntry]:
    names = NameBook(conn)
    return [
        TimelineEntry(
            seq=e.seq,
            action=e.action,
            at=e.occurred_at,
            who=await names.name(e.actor_id) if e.actor_id else "系统",
            role=e.actor_role,
            device=e.device_id or "",
            from_stage=e.from_stage,
            to_stage=e.to_stage,
            notes=[(NOTE_FIELDS[k], str(v)) for k, v in e.step.items() if k in NOTE_FIELDS and v],
            event_hash=e.event_hash,
        )
        for e in events
    ]
