"""Camera liveness endpoints (摄像头运行状态): vision nodes report, the monitoring centre reads the board."""

from __future__ import annotations

from typing import ClassVar

from litestar import Controller, get, post
from litestar.params import JSONBody

from api.auth.guards import requires
from api.cameras import service
from api.deps import Caller, Db
from mobile_contract.auth import Role
from mobile_contract.cameras import CameraHealth, LivenessReceipt, LivenessReport

# whoever may read a department's alerts (api/alerts/routes.py) may see its cameras' state
READERS = (Role.MONITORING_OPERATOR, Role.SUPERVISOR, Role.ADMIN, Role.INSPECTOR)


class CameraController(Controller):
    path = "/cameras"
    tags: ClassVar[list[str]] = ["cameras"]

    @post(
        "/liveness",
        guards=[requires(Role.VISION_NODE)],
        status_code=200,
        summary="上报摄像头运行状态 / a vision node reports the cameras it runs",
    )
    async def report(self, db: Db, principal: Caller, data: JSONBody[LivenessReport]) -> LivenessReceipt:
        return await service.record(db, principal, data)

    @get("/health", guards=[requires(*READERS)], summary="设备状态 / every camera of the department at a glance")
    async def health(self, db: Db, principal: Caller) -> list[CameraHealth]:
        return await service.health(db, principal)
