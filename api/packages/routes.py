"""HTTP route for a case's evidence package (证据包)."""

from __future__ import annotations

import shutil
import uuid

from litestar import Controller, get
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.response import File

from api.auth.guards import requires
from api.deps import Caller, Db, Store
from api.packages import service
from mobile_contract.auth import Role


class PackageController(Controller):
    path = "/cases/{case_id:uuid}/package"
    tags = ("evidence package 证据包",)

    @get(
        "/",
        guards=[requires(Role.SUPERVISOR, Role.LEGAL_REVIEWER)],
        media_type="application/zip",
        summary="导出证据包（含离线校验程序，留痕）/ export the case as a verifiable archive",
    )
    async def export(self, db: Db, store: Store, principal: Caller, case_id: FromPath[uuid.UUID]) -> File:
        built = await service.export(db, store, principal, case_id)
        return File(
            built.archive,
            filename=built.archive.name,
            media_type="application/zip",
            background=BackgroundTask(shutil.rmtree, built.archive.parent, ignore_errors=True),
        )
