"""The complaints list (投诉举报) for supervisors and the complaint office: the same guard and service as
``GET /complaints`` — the office sees its region's, a department what was transferred to it. Who
complained is never shown here: only the complaint officer reads a whistleblower's identity, through
its own audited route.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.params import QueryParameter

from api.complaints import service
from api.complaints.routes import LISTERS
from api.console.page import PageController, menu
from api.console.templating import render
from api.deps import Caller, Db
from mobile_contract.complaints import ComplaintStatus


class ComplaintPages(PageController):
    path = "/console/complaints"

    @get("/", guards=[LISTERS], opt=menu("投诉举报", 90))
    async def complaints(
        self,
        request: Request,
        db: Db,
        principal: Caller,
        status: Annotated[ComplaintStatus | None, QueryParameter()] = None,
        overdue: Annotated[bool, QueryParameter()] = False,
    ) -> Response:
        found = await service.list_complaints(db, principal, status, overdue)
        return render(
            request,
            "complaints/list.html",
            complaints=found,
            chosen=status,
            overdue=overdue,
            statuses=list(ComplaintStatus),
        )
