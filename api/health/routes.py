"""Liveness and readiness for load balancers and the deploy compose file."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from litestar import Controller, get
from litestar.datastructures import State

from mobile_contract import CONTRACT_VERSION
from storage.db import acquired


class Health(msgspec.Struct):
    status: str
    contract_version: str
    database: bool


class HealthController(Controller):
    path = "/health"
    tags = ("health",)
    opt: Mapping[str, object] = {"public": True}

    @get("/", summary="服务健康检查 / health check")
    async def health(self, state: State) -> Health:
        async with acquired(state.pool) as conn:
            ok = await conn.fetchval("SELECT 1") == 1
        return Health(status="ok" if ok else "degraded", contract_version=CONTRACT_VERSION, database=ok)
