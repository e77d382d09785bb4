"""HTTP routes for chain-of-custody reports (保管链报告) of an evidence item or a case."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery

from api.auth.roles import FILE_READERS
from api.custody import service
from api.deps import Caller, Db
from mobile_contract.documents import ReportFormat


async def answer(db: Db, report: service.CustodyReport, owner: uuid.UUID, format: ReportFormat, name: str) -> Response:
    if format is ReportFormat.CSV:
        headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
        return Response(service.to_csv(report), media_type="text/csv; charset=utf-8", headers=headers)
    headers = {"Content-Disposition": f'inline; filename="{name}.pdf"'}
    return Response(await service.to_pdf(db, report, owner), media_type="application/pdf", headers=headers)


class CustodyController(Controller):
    path = "/"
    tags = ("evidence 证据",)

    @get(
        "/evidence/{evidence_id:uuid}/custody", guards=[FILE_READERS], summary="证据保管链报告（留痕）/ custody report"
    )
    async def item(
        self,
        db: Db,
        principal: Caller,
        evidence_id: FromPath[uuid.UUID],
        format: FromQuery[ReportFormat] = ReportFormat.PDF,
    ) -> Response:
        report, owner = await service.on_demand(db, principal, evidence_id=evidence_id)
        return await answer(db, report, owner, format, f"custody-{evidence_id}")

    @get(
        "/cases/{case_id:uuid}/custody",
        guards=[FILE_READERS],
        summary="案件证据保管链报告（留痕）/ case custody report",
    )
    async def case(
        self,
        db: Db,
        principal: Caller,
        case_id: FromPath[uuid.UUID],
        format: FromQuery[ReportFormat] = ReportFormat.PDF,
    ) -> Response:
        report, owner = await service.on_demand(db, principal, case_id=case_id)
        return await answer(db, report, owner, format, f"custody-case-{case_id}")
