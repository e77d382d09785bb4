"""HTTP routes for the supervision item catalogue (监管事项清单)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.auth.guards import HUMAN_ROLES, requires
from api.catalogue import service
from api.deps import Caller, Db
from mobile_contract.auth import Role
from mobile_contract.catalogue import (
    CatalogueImport,
    CatalogueItemCreate,
    CatalogueItemRead,
    CatalogueItemUpdate,
    CatalogueItemVersion,
    CataloguePage,
    ImportFormat,
    ImportResult,
)

READERS = requires(*HUMAN_ROLES)
WRITERS = requires(Role.SUPERVISOR, Role.ADMIN)
MEDIA_TYPES = {ImportFormat.CSV: "text/csv; charset=utf-8", ImportFormat.SEED_TABLE: "text/plain; charset=utf-8"}
EXTENSIONS = {ImportFormat.CSV: "csv", ImportFormat.SEED_TABLE: "txt"}


class CatalogueController(Controller):
    path = "/catalogue"
    tags = ("catalogue 监管事项清单",)

    @post("/", guards=[WRITERS], summary="新增监管事项 / add an item")
    async def create(self, db: Db, principal: Caller, data: JSONBody[CatalogueItemCreate]) -> CatalogueItemRead:
        return await service.create_item(db, principal, data)

    @put(
        "/{item_id:uuid}",
        guards=[WRITERS],
        summary="修改监管事项（保留旧版本）/ change an item, keeping the old version",
    )
    async def update(
        self, db: Db, principal: Caller, item_id: FromPath[uuid.UUID], data: JSONBody[CatalogueItemUpdate]
    ) -> CatalogueItemRead:
        return await service.update_item(db, principal, item_id, data)

    @get("/", guards=[READERS], summary="本单位监管事项清单 / the department's catalogue")
    async def list_items(
        self,
        db: Db,
        principal: Caller,
        search: Annotated[str | None, QueryParameter(min_length=1, max_length=100)] = None,
        cursor: Annotated[str | None, QueryParameter(pattern=r"^\d{14}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> CataloguePage:
        return await service.list_page(db, principal, search=search, cursor=cursor, limit=limit)

    @get("/by-code/{code:str}", guards=[READERS], summary="按事项编码查看 / read by item code")
    async def by_code(self, db: Db, principal: Caller, code: FromPath[str]) -> CatalogueItemRead:
        return await service.read_item(db, principal, code=code)

    @get("/{item_id:uuid}", guards=[READERS], summary="查看监管事项 / read an item")
    async def read(self, db: Db, principal: Caller, item_id: FromPath[uuid.UUID]) -> CatalogueItemRead:
        return await service.read_by_id(db, principal, item_id)

    @get("/{item_id:uuid}/versions", guards=[READERS], summary="历史版本 / every version with who changed it")
    async def versions(self, db: Db, principal: Caller, item_id: FromPath[uuid.UUID]) -> list[CatalogueItemVersion]:
        return await service.versions(db, principal, item_id)

    @post("/import", guards=[WRITERS], status_code=200, summary="导入清单（措施表或CSV，全部成功或全部不导入）/ import")
    async def import_table(self, db: Db, principal: Caller, data: JSONBody[CatalogueImport]) -> ImportResult:
        return await service.import_table(db, principal, data)

    @get("/export", guards=[READERS], summary="导出清单 / export the catalogue")
    async def export_table(
        self, db: Db, principal: Caller, format: FromQuery[ImportFormat] = ImportFormat.CSV
    ) -> Response[str]:
        text = await service.export_table(db, principal, format)
        disposition = f'attachment; filename="catalogue.{EXTENSIONS[format]}"'
        return Response(text, media_type=MEDIA_TYPES[format], headers={"Content-Disposition": disposition})
