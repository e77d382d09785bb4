"""事中事后监管绩效评价 (seed 003, 八; seed 002, 五): per department, where supervision did not happen.

For a period of local days and each department in scope:
- 不作为: catalogue items in force with no supervision record (行政检查、行政处罚、
  行政强制) of the department in the period (seed 003, 二: at least one each);
- late credit reports: penalty and licence records due in the period that
  reached the credit platform after their 7-day deadline, or have not yet;
- alerts not handled: camera alerts that started in the period and are not
  closed with feedback (seed 001, 18: 及时反馈处理结果).
Overdue complaints and cases live in other modules; ``PENDING`` names them
until those modules are merged.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from api.auth.principal import Principal
from api.credit.service import record_read, today
from mobile_contract.problems import InvalidInput
from mobile_contract.risk import AlertRef, DepartmentPerformance, ItemRef, PerformanceReport
from storage import credit, risk
from storage.db import Connection

PENDING = [
    "逾期未办结的投诉举报：投诉举报模块合并后纳入 / overdue complaints: added once the complaints module is merged",
    "逾期未结案件：案件流程模块合并后纳入 / overdue cases: added once the case workflow module is merged",
]
MAX_DAYS = 366


async def report(
    conn: Connection, principal: Principal, *, period_from: dt.date, period_to: dt.date, department_id: uuid.UUID | None
) -> PerformanceReport:
    """The figures of the caller's department, or (admins) of one or every department."""
    if not period_from <= period_to <= period_from + dt.timedelta(days=MAX_DAYS):
        raise InvalidInput("统计期间无效：起始日不得晚于截止日，且不超过一年", "invalid period")
    scope = department_id if principal.department_scope is None else principal.department_id
    as_of = today()
    found = [
        await _department(conn, row, period_from, period_to, as_of)
        for row in await risk.departments(conn, department_id=scope)
    ]
    return PerformanceReport(
        period_from=period_from, period_to=period_to, as_of=as_of, departments=found, pending=PENDING
    )


async def _department(
    conn: Connection, department: asyncpg.Record, period_from: dt.date, period_to: dt.date, as_of: dt.date
) -> DepartmentPerformance:
    id = department["id"]
    items = await risk.items_in_force(conn, department_id=id, period_from=period_from, period_to=period_to)
    platform = await credit.platform_records(
        conn, department_id=id, due_from=period_from, due_to=period_to, as_of=as_of
    )
    alerts = await risk.alerts_not_handled(conn, department_id=id, period_from=period_from, period_to=period_to)
    return DepartmentPerformance(
        department_id=id,
        department_code=department["code"],
        department_name=department["name"],
        items_total=len(items),
        items_without_records=[ItemRef(code=i["code"], name=i["name"]) for i in items if i["records"] == 0],
        late_credit_reports=[record_read(r) for r in platform if r["late"]],
        alerts_not_handled=[msgspec.convert(dict(a), AlertRef) for a in alerts],
    )
