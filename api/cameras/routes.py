"""Camera endpoints (摄像头运行状态与租约): nodes report and lease cameras, the centre reads the board."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from api.auth.guards import requires
from api.cameras import credentials, leases, service
from api.deps import Caller, Db
from mobile_contract.auth import Role
from mobile_contract.cameras import (
    CameraCredentials,
    CameraHealth,
    CredentialsReceipt,
    LeaseGrant,
    LeaseRequest,
    LivenessReceipt,
    LivenessReport,
)

# whoever may read a department's alerts (api/alerts/routes.py) may see its cameras' state
READERS = (Role.MONITORING_OPERATOR, Role.SUPERVISOR, Role.ADMIN, Role.INSPECTOR)
# whoever may change a department's site configs (api/sites/routes.py) may set its cameras' credentials
EDITORS = (Role.MONITORING_OPERATOR, Role.SUPERVISOR, Role.ADMIN)
SiteId = Annotated[str, PathParameter(max_length=64, description="点位编号 / site id")]
CameraId = Annotated[str, PathParameter(max_length=64, description="摄像头编号 / camera id")]


class CameraController(Controller):
    path = "/cameras"
    tags = ("cameras",)

    @post(
        "/liveness",
        guards=[requires(Role.VISION_NODE)],
        status_code=200,
        summary="上报摄像头运行状态 / a vision node reports the cameras it runs",
    )
    async def report(self, db: Db, principal: Caller, data: JSONBody[LivenessReport]) -> LivenessReceipt:
        return await service.record(db, principal, data)

    @post(
        "/leases",
        guards=[requires(Role.VISION_NODE)],
        status_code=200,
        summary="续期并申领分析租约 / a vision node renews its camera leases and claims up to its share",
    )
    async def lease(self, db: Db, principal: Caller, state: State, data: JSONBody[LeaseRequest]) -> LeaseGrant:
        return await leases.grant(db, principal, data, state.settings.fleet)

    @get("/health", guards=[requires(*READERS)], summary="设备状态 / every camera of the department at a glance")
    async def health(self, db: Db, principal: Caller) -> list[CameraHealth]:
        return await service.health(db, principal)

    @put(
        "/{site_id:str}/{camera_id:str}/credentials",
        guards=[requires(*EDITORS)],
        summary="设置取流凭据（只写）/ set a camera's stream user name and password; never answered back",
    )
    async def set_credentials(
        self, db: Db, principal: Caller, site_id: SiteId, camera_id: CameraId, data: JSONBody[CameraCredentials]
    ) -> CredentialsReceipt:
        return await credentials.put(db, principal, site_id, camera_id, data)
