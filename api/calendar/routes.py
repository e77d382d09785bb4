"""HTTP routes of the working calendar (节假日安排): its status for supervisors, imports for admins."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from api.auth.guards import requires
from api.calendar import flows, service
from api.cases import clock
from api.deps import Caller, Db
from mobile_contract.auth import Role
from mobile_contract.calendar import CalendarDay, CalendarImport, CalendarImportResult, CalendarStatus

WATCHERS = requires(Role.SUPERVISOR, Role.ADMIN)
LOADERS = requires(Role.ADMIN)


class CalendarController(Controller):
    path = "/calendar"
    tags = ("calendar 节假日安排",)

    @get("/", guards=[WATCHERS], summary="已导入的年份、导入记录与提醒 / years loaded, imports, warning")
    async def status(self, db: Db) -> CalendarStatus:
        return await service.status(db, clock.today())

    @post("/versions", guards=[LOADERS], summary="导入一年的放假通知（重算期限）/ load a year's notice")
    async def import_notice(self, db: Db, principal: Caller, data: JSONBody[CalendarImport]) -> CalendarImportResult:
        return await flows.import_notice(db, principal, data)

    @get("/versions/{version:int}", guards=[LOADERS], summary="某次导入的日期 / the days of one import")
    async def days(self, db: Db, version: FromPath[int]) -> list[CalendarDay]:
        return await service.version_days(db, version)
