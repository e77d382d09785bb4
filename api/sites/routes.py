"""Site registry endpoints (点位登记): operators manage configs, vision nodes read the active ones."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from api.auth.guards import requires
from api.auth.principal import Principal
from api.sites import service
from mobile_contract.auth import Role
from mobile_contract.sites import SiteConfig, SitePage, SiteRead, SiteVersionRead
from storage.db import Connection

EDITORS = (Role.MONITORING_OPERATOR, Role.SUPERVISOR, Role.ADMIN)
READERS = (*EDITORS, Role.VISION_NODE, Role.INSPECTOR)
Db = NamedDependency[Connection]
Caller = NamedDependency[Principal]
SiteId = Annotated[str, PathParameter(max_length=64, description="点位编号 / site id")]


class SiteController(Controller):
    path = "/sites"
    tags = ("sites",)

    @post("/", guards=[requires(*EDITORS)], summary="登记点位 / register a site (config version 1)")
    async def create(self, db: Db, principal: Caller, data: JSONBody[SiteConfig]) -> SiteRead:
        return await service.create(db, principal, data)

    @get("/", guards=[requires(*READERS)], summary="点位列表 / list sites of the caller's department")
    async def list_sites(
        self,
        db: Db,
        principal: Caller,
        active: Annotated[bool | None, QueryParameter(description="仅启用或仅停用 / filter by active")] = None,
        cursor: Annotated[str | None, QueryParameter(description="上一页的 next_cursor / from the last page")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> SitePage:
        return await service.list_page(db, principal, active=active, cursor=cursor, limit=limit)

    @get("/{site_id:str}", guards=[requires(*READERS)], summary="点位详情 / one site")
    async def read(self, db: Db, principal: Caller, site_id: SiteId) -> SiteRead:
        return await service.get(db, principal, site_id)

    @get("/{site_id:str}/versions", guards=[requires(*READERS)], summary="配置历史 / every config version")
    async def versions(self, db: Db, principal: Caller, site_id: SiteId) -> list[SiteVersionRead]:
        return await service.versions(db, principal, site_id)

    @put("/{site_id:str}", guards=[requires(*EDITORS)], summary="修改配置 / store the next config version")
    async def update(self, db: Db, principal: Caller, site_id: SiteId, data: JSONBody[SiteConfig]) -> SiteRead:
        return await service.update(db, principal, site_id, data)

    @delete("/{site_id:str}", guards=[requires(*EDITORS)], status_code=200, summary="停用点位 / deactivate")
    async def deactivate(self, db: Db, principal: Caller, site_id: SiteId) -> SiteRead:
        return await service.set_active(db, principal, site_id, active=False)

    @post("/{site_id:str}/activate", guards=[requires(*EDITORS)], status_code=200, summary="重新启用 / reactivate")
    async def activate(self, db: Db, principal: Caller, site_id: SiteId) -> SiteRead:
        return await service.set_active(db, principal, site_id, active=True)
