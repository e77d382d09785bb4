"""Chain-of-custody reports on demand and for the evidence package, as CSV and as a sealed PDF.

Reading a report is an access to the items' history: it is audited per item
(``evidence.custody_report``), after the report is built, so the next report shows it.
"""

from __future__ import annotations

import asyncio
import uuid

import msgspec

from api import csv_export
from api.audit import trail
from api.auth.principal import Principal
from api.custody.report import CustodyReport, build
from api.documents.pdf import press
from mobile_contract.problems import NotFound
from storage import audit, custody, numbered_documents
from storage.db import Connection

CSV_HEADER = [
    "序号",
    "事件",
    "时间（北京时间）",
    "证据",
    "操作人",
    "角色",
    "执法证号",
    "设备",
    "当时哈希（SHA-256）",
    "说明",
]


async def report(
    conn: Connection, *, department_id: uuid.UUID | None, case_id: uuid.UUID | None, evidence_id: uuid.UUID | None
) -> tuple[CustodyReport, uuid.UUID] | None:
    """The report of a case's items or of one item, and the department it belongs to; None if none in scope."""
    items = await custody.items(conn, case_id=case_id, evidence_id=evidence_id, department_id=department_id)
    if not items:
        return None
    ids = [i["id"] for i in items]
    events = await custody.events(conn, evidence_ids=ids, record_ids=sorted({i["record_id"] for i in items}))
    checks = await custody.checks(conn, evidence_ids=ids)
    owner = items[0]["department_id"]
    dept = await numbered_documents.department(conn, id=owner)
    subject = f"案件 {case_id}" if case_id else f"证据 {evidence_id}"
    return build(organ=dept["name"], subject=subject, items=items, events=events, checks=checks), owner


def to_csv(report: CustodyReport) -> str:
    ids = {i.label: i.evidence_id for i in report.items}
    rows = [
        [
            e.seq or "",
            e.event,
            e.at,
            "、".join(f"{x}（{ids[x]}）" for x in e.items),
            e.person,
            e.role,
            e.certificate_no,
            e.device,
            e.sha256,
            e.note,
        ]
        for e in report.events
    ]
    return csv_export.render(CSV_HEADER, rows)


async def to_pdf(conn: Connection, report: CustodyReport, department_id: uuid.UUID) -> bytes:
    dept = await numbered_documents.department(conn, id=department_id)
    data = msgspec.to_builtins(report)
    return await asyncio.to_thread(press.current().report, data, department_code=dept["code"], organ=dept["name"])


async def on_demand(
    conn: Connection, principal: Principal, *, case_id: uuid.UUID | None = None, evidence_id: uuid.UUID | None = None
) -> tuple[CustodyReport, uuid.UUID]:
    """A report for a caller, audited as an access to each item; 404 outside their department."""
    found = await report(conn, department_id=principal.department_scope, case_id=case_id, evidence_id=evidence_id)
    if found is None:
        raise NotFound("证据或案件不存在，或不属于本单位", "no evidence in scope for this custody report")
    built, owner = found
    entries = [
        trail.entry(
            principal,
            action="evidence.custody_report",
            entity_type="evidence",
            entity_id=str(i.evidence_id),
            department_id=owner,
            detail={"case_id": str(case_id)} if case_id else {},
        )
        for i in built.items
    ]
    await audit.append_many(conn, entries)
    return built, owner
