"""The supervisor's performance page (监管绩效、不作为): the same guard and report as ``GET /risk/performance``.

The report's three figures per department are drawn as a bar chart in the page (``api.console.charts``,
Chinese labels, no script), followed by what stands behind each: the catalogue items without any
supervision record in the period (不作为), the credit reports sent late, the alerts not closed.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.params import QueryParameter

from api.console.charts import Row, bar_chart
from api.console.page import PageController, menu
from api.console.period import period_of
from api.console.templating import render
from api.deps import Caller, Db
from api.risk import performance
from api.risk.routes import SUPERVISORS

Period = Annotated[str, QueryParameter()]
SERIES = ["无监管行为的事项（不作为）", "逾期报送信用平台", "预警未反馈办结"]


class PerformancePages(PageController):
    path = "/console/performance"

    @get("/", guards=[SUPERVISORS], opt=menu("监管绩效", 70))
    async def report(
        self, request: Request, db: Db, principal: Caller, period_from: Period = "", period_to: Period = ""
    ) -> Response:
        first, last = period_of(period_from, period_to)
        found = await performance.report(db, principal, period_from=first, period_to=last, department_id=None)
        rows = [
            Row(
                d.department_name, (len(d.items_without_records), len(d.late_credit_reports), len(d.alerts_not_handled))
            )
            for d in found.departments
        ]
        chart = bar_chart("各单位监管绩效指标", SERIES, rows)
        return render(request, "risk/performance.html", report=found, chart=chart)
