"""The camera health board (设备状态): the same guard and service as ``GET /cameras/health``."""

from __future__ import annotations

from collections import Counter

from litestar import Request, Response, get

from api.auth.guards import requires
from api.cameras import service
from api.cameras.routes import READERS
from api.console.page import PageController, menu
from api.console.templating import render
from api.deps import Caller, Db
from mobile_contract.cameras import CameraStatus

STATUS_CLASS = {"blinded": "bad", "offline": "bad", "unwatched": "stale", "ok": "good"}


class CameraPages(PageController):
    path = "/console/cameras"

    @get("/", guards=[requires(*READERS)], opt=menu("设备状态", 20))
    async def board(self, request: Request, db: Db, principal: Caller) -> Response:
        board = await service.health(db, principal)
        counts = Counter(c.status for c in board)
        return render(
            request,
            "cameras/board.html",
            board=board,
            counts=counts,
            statuses=list(CameraStatus),
            status_class=STATUS_CLASS,
        )
