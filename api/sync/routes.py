"""Sync routes for handhelds: batch push and incremental pull."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody, QueryParameter

from api.auth.guards import requires
from api.body import direct
from api.deps import Caller, Db
from api.sync import service
from mobile_contract.auth import Role
from mobile_contract.sync import SyncPull, SyncPush, SyncPushResult


class SyncController(Controller):
    path = "/sync"
    tags = ("sync 离线同步",)
    guards = [requires(Role.INSPECTOR)]  # noqa: RUF012 - Litestar reads it as a class attribute

    @post(
        "/push",
        status_code=200,
        summary="批量上传离线队列 / push queued operations, answered per item",
        description=(
            "请求体可用 gzip 或 zstd 压缩（Content-Encoding），解压后不超过 10 MB；应答按 Accept-Encoding 压缩。"
            " The body may be sent with Content-Encoding gzip or zstd (at most 10 MB inflated); answers are"
            " compressed as Accept-Encoding allows. See docs/sync.md."
        ),
        dto=direct(SyncPush),
        return_dto=None,
    )
    async def push(self, db: Db, principal: Caller, data: JSONBody[SyncPush]) -> SyncPushResult:
        return await service.push(db, principal, data.operations)

    @get("/pull", summary="拉取任务和变更 / tasks and changes since the sync token")
    async def pull(
        self,
        db: Db,
        principal: Caller,
        token: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> SyncPull:
        return await service.pull(db, principal, token, limit)
