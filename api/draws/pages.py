"""The supervisor's list of random inspections (双随机抽查): the same guard and service as ``GET /draws/plans``."""

from __future__ import annotations

from litestar import Request, Response, get

from api.console.page import PageController, menu
from api.console.templating import render
from api.deps import Caller, Db
from api.draws import service
from api.draws.routes import MANAGERS


class DrawPages(PageController):
    path = "/console/draws"

    @get("/", guards=[MANAGERS], opt=menu("双随机抽查", 80))
    async def plans(self, request: Request, db: Db, principal: Caller) -> Response:
        return render(request, "draws/plans.html", plans=await service.list_plans(db, principal))
