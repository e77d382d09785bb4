"""事中事后监管绩效评价 (seed 003, 八; seed 002, 五): per department, where supervision did not happen.

For a period of local days and each department in scope:
- 不作为: catalogue items in force with no supervision record (行政检查、行政处罚、
  行政强制) of the department in the period (seed 003, 二: at least one each);
- late credit reports: penalty and licence records due in the period that
  reached the credit platform after their 7-day deadline, or have not yet;
- alerts not handled: camera alerts that started in the period and are not
  closed with feedback (seed 001, 18: 及时反馈处理结果);
- overdue cases: the organ's case limits (立案、决定、送达 …) past their due date
  as of today, whatever the period (an overdue limit is inaction until it is met);
- overdue complaints: complaints transferred to the department and not handled
  by their handling date (the complainant's identity is never part of it).
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from api.auth.principal import Principal
from api.cases import clock
from api.cases.workflow import deadlines_due
from api.credit.service import record_read
from api.periods import check_period
from mobile_contract.risk import AlertRef, DepartmentPerformance, ItemRef, OverdueComplaint, PerformanceReport
from storage import complaints, credit, risk
from storage.db import Connection


async def report(
    conn: Connection, principal: Principal, *, period_from: dt.date, period_to: dt.date, department_id: uuid.UUID | None
) -> PerformanceReport:
    """The figures of the caller's department, or (admins) of one or every department."""
    check_period(period_from, period_to)
    scope = department_id if principal.department_scope is None else principal.department_id
    as_of = clock.today()
    found = [
        await _department(conn, row, period_from, period_to, as_of)
        for row in await risk.departments(conn, department_id=scope)
    ]
    return PerformanceReport(period_from=period_from, period_to=period_to, as_of=as_of, departments=found)


async def _department(
    conn: Connection, department: asyncpg.Record, period_from: dt.date, period_to: dt.date, as_of: dt.date
) -> DepartmentPerformance:
    id = department["id"]
    items = await risk.items_in_force(conn, department_id=id, period_from=period_from, period_to=period_to)
    platform = await credit.platform_records(
        conn, department_id=id, due_from=period_from, due_to=period_to, as_of=as_of
    )
    alerts = await risk.alerts_not_handled(conn, department_id=id, period_from=period_from, period_to=period_to)
    yesterday = as_of - dt.timedelta(days=1)
    late_cases = await deadlines_due(conn, department_id=id, today=as_of, until=yesterday)
    late_complaints = await complaints.list_for(
        conn, today=as_of, region_code=None, department_id=id, status=None, overdue_only=True
    )
    return DepartmentPerformance(
        department_id=id,
        department_code=department["code"],
        department_name=department["name"],
        items_total=len(items),
        items_without_records=[ItemRef(code=i["code"], name=i["name"]) for i in items if i["records"] == 0],
        late_credit_reports=[record_read(r) for r in platform if r["late"]],
        alerts_not_handled=[msgspec.convert(dict(a), AlertRef) for a in alerts],
        overdue_cases=[d for d in late_cases if d.status == "overdue"],
        overdue_complaints=[msgspec.convert(dict(c), OverdueComplaint, strict=False) for c in late_complaints],
    )
