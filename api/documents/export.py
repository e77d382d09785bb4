"""Building and validating the national '互联网+监管' export of supervision actions."""

from __future__ import annotations

import datetime as dt
import re

import asyncpg
import msgspec

from api import csv_export
from api.audit import trail
from api.auth.principal import Principal
from mobile_contract.codes import id_number_problem, uscc_problem
from mobile_contract.national_export import CSV_HEADERS, ActionExport, ActionRow, PartyCodeType, RejectedRow
from mobile_contract.problems import FieldError, InvalidInput
from mobile_contract.records import PenaltyContent, RecordContent
from storage import audit, numbered_documents
from storage.db import Connection

ITEM_CODE = re.compile(r"^\d{14}$")
CERTIFICATE = re.compile(r"^[0-9A-Za-z\-]{4,32}$")


def to_row(record: asyncpg.Record, reported_at: dt.datetime) -> ActionRow:
    content = msgspec.convert(record["content"], RecordContent)
    party = content.party
    code_type = PartyCodeType.USCC if party.uscc else PartyCodeType.ID_NUMBER
    penalty = content if isinstance(content, PenaltyContent) else None
    return ActionRow(
        action_id=record["id"],
        action_kind=record["kind"],
        item_code=record["item_code"],
        organ_name=record["organ_name"],
        organ_code=record["organ_code"],
        region_code=record["region_code"],
        party_name=party.name,
        party_code_type=code_type,
        party_code=party.uscc or party.id_number or "",
        action_time=content.occurred_at,
        place=content.place.address,
        result=content.result,
        officer_names=[o.name for o in content.officers],
        certificate_nos=[o.certificate_no for o in content.officers],
        decision_no=(record["decision_no"] or penalty.decision_no) if penalty else "",
        penalty_kinds=sorted(penalty.penalty_kinds) if penalty else [],
        fine_yuan=f"{penalty.fine_fen / 100:.2f}" if penalty else "",
        measure_kind=getattr(content, "measure_kind", "") or "",
        reported_at=reported_at,
    )


def problems(row: ActionRow) -> list[FieldError]:
    """Why the platform would refuse ``row``; empty when it is valid."""
    errors = []
    if not ITEM_CODE.match(row.item_code):
        errors.append(FieldError("item_code", "监管事项编码应为14位数字"))
    check = uscc_problem if row.party_code_type is PartyCodeType.USCC else id_number_problem
    if problem := check(row.party_code):
        errors.append(FieldError("party_code", problem))
    if row.reported_at <= row.action_time:
        errors.append(FieldError("reported_at", "报送时间须晚于行为时间（检查设备时钟）"))
    if not row.certificate_nos or any(not CERTIFICATE.match(c) for c in row.certificate_nos):
        errors.append(FieldError("certificate_nos", "每名执法人员须有有效的执法证号"))
    return errors


async def export(
    conn: Connection, principal: Principal, *, kind: str | None, since: dt.date, until: dt.date, skip_invalid: bool
) -> ActionExport:
    """Every action in [since, until) of the caller's scope, validated; 422 on any invalid row unless skipped."""
    reported_at = dt.datetime.now(dt.UTC)
    records = await numbered_documents.export_records(
        conn, department_id=principal.department_scope, kind=kind, since=_start(since), until=_start(until)
    )
    rows, rejected = [], []
    for record in records:
        row = to_row(record, reported_at)
        if errors := problems(row):
            rejected.append(RejectedRow(action_id=row.action_id, errors=errors))
        else:
            rows.append(row)
    if rejected and not skip_invalid:
        raise InvalidInput(
            f"有 {len(rejected)} 条监管行为未通过校验，请修正后再导出（或选择跳过无效记录）",
            "export refused: invalid rows",
            errors=[FieldError(f"{r.action_id}.{e.field}", e.message) for r in rejected for e in r.errors],
        )
    detail = {"rows": len(rows), "rejected": len(rejected), "since": str(since), "until": str(until)}
    await audit.append(
        conn,
        trail.change(principal, "export.supervision_actions", "export", principal.department_id, detail=detail),
    )
    return ActionExport(reported_at=reported_at, rows=rows, rejected=rejected)


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=8)))


def to_csv(result: ActionExport) -> str:
    """The shared spreadsheet CSV (api.csv_export), lists joined by ';'."""
    rows = [msgspec.to_builtins(row) for row in result.rows]
    cells = ([";".join(v) if isinstance(v, list) else v for v in (values[k] for k in CSV_HEADERS)] for values in rows)
    return csv_export.render(CSV_HEADERS.values(), cells)
