"""Throttling over HTTP: supervisors see floods by address and minute; admins see who waits and lift it.

Department scope: the refusals name client addresses of anonymous or not-yet-signed-in callers
and no account, so they are no department's data; a supervisor of any department (and the
complaint office, whose intake a flood hits) reads them all, and each read is audited. Who
waits, by username, is for admins only (usernames of every department).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter

from api.audit.trail import Actor
from api.auth.guards import requires
from api.deps import Caller, Db
from api.throttling import service
from api.throttling.service import ADDRESS_SCOPES
from mobile_contract.auth import Role
from mobile_contract.throttling import ThrottleCounterRead, ThrottleRefusalRead, ThrottleScope

ADMIN = requires(Role.ADMIN)
FLOOD_WATCHERS = requires(Role.SUPERVISOR, Role.COMPLAINT_OFFICER, Role.ADMIN)
Since = Annotated[dt.datetime | None, QueryParameter(description="自 / from (default: 24 hours ago)")]
Until = Annotated[dt.datetime | None, QueryParameter(description="至（不含）/ until, exclusive (default: now)")]


class ThrottlingController(Controller):
    path = "/throttling"
    tags = ("throttling 限流",)

    @get("/refusals", guards=[FLOOD_WATCHERS], summary="被限流拒绝的请求（按地址、分钟）/ refused requests by address")
    async def refusals(
        self,
        db: Db,
        principal: Caller,
        since: Since = None,
        until: Until = None,
        of: Annotated[ThrottleScope | None, QueryParameter(name="scope", description="限流对象 / scope")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=5000)] = 1000,
    ) -> list[ThrottleRefusalRead]:
        end = until or service.now()
        start = since or end - dt.timedelta(days=1)
        return await service.refusals(db, Actor.of(principal), since=start, until=end, scope=of, limit=limit)

    @get("/waiting", guards=[ADMIN], summary="正在等待或被锁定的地址和账号 / addresses and usernames that wait")
    async def waiting(self, db: Db) -> list[ThrottleCounterRead]:
        return await service.waiting(db, service.now())

    @post("/accounts/{username:str}/lift", status_code=200, guards=[ADMIN], summary="解除账号锁定 / lift an account")
    async def lift_account(self, db: Db, principal: Caller, username: FromPath[str]) -> list[ThrottleCounterRead]:
        return await service.lift(db, Actor.of(principal), [ThrottleScope.SIGN_IN_ACCOUNT], username)

    @post("/addresses/{address:str}/lift", status_code=200, guards=[ADMIN], summary="解除地址限流 / lift an address")
    async def lift_address(self, db: Db, principal: Caller, address: FromPath[str]) -> list[ThrottleCounterRead]:
        return await service.lift(db, Actor.of(principal), ADDRESS_SCOPES, address)
