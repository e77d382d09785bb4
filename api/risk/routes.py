"""HTTP routes for risk scores, the key-supervision list and the performance report (监管的监管)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery

from api.auth.guards import requires
from api.auth.roles import FILE_READERS
from api.deps import Caller, Db
from api.risk import chart, performance, service
from mobile_contract.auth import Role
from mobile_contract.risk import KeySubject, PerformanceReport, RiskScore

SUPERVISORS = requires(Role.SUPERVISOR, Role.ADMIN)


class RiskController(Controller):
    path = "/risk"
    tags = ("risk 风险预警与绩效",)

    @get("/subjects/{subject_id:uuid}", guards=[FILE_READERS], summary="风险评分及构成 / a subject's risk score")
    async def score(self, db: Db, principal: Caller, subject_id: FromPath[uuid.UUID]) -> RiskScore:
        return await service.score_of(db, principal, subject_id)

    @get("/key-subjects", guards=[FILE_READERS], summary="重点监管名单 / the key-supervision list")
    async def key_subjects(self, db: Db, principal: Caller) -> list[KeySubject]:
        return await service.key_subjects(db, principal)

    @get("/performance", guards=[SUPERVISORS], summary="监管绩效（不作为、逾期上传、未处置预警）/ performance report")
    async def performance(
        self,
        db: Db,
        principal: Caller,
        period_from: FromQuery[dt.date],
        period_to: FromQuery[dt.date],
        department_id: FromQuery[uuid.UUID | None] = None,
    ) -> PerformanceReport:
        return await performance.report(
            db, principal, period_from=period_from, period_to=period_to, department_id=department_id
        )

    @get("/performance/chart.png", guards=[SUPERVISORS], summary="监管绩效图 / the performance report as a chart")
    async def performance_chart(
        self,
        db: Db,
        principal: Caller,
        period_from: FromQuery[dt.date],
        period_to: FromQuery[dt.date],
        department_id: FromQuery[uuid.UUID | None] = None,
    ) -> Response[bytes]:
        report = await performance.report(
            db, principal, period_from=period_from, period_to=period_to, department_id=department_id
        )
        png = await asyncio.to_thread(chart.render_png, report)  # matplotlib is CPU-bound: off the event loop
        return Response(png, media_type="image/png")
