"""Sign-in, refresh and sign-out: the only routes reachable without an access token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from api.auth import service
from api.deps import Db
from api.errors import answer
from api.throttling.address import client_address
from mobile_contract.auth import LoginRequest, RefreshRequest, TokenPair
from mobile_contract.problems import Problem

REFUSALS = {
    401: ResponseSpec(
        Problem, generate_examples=False, description="用户名或密码错误、令牌无效 / bad credentials or token"
    ),
    403: ResponseSpec(
        Problem, generate_examples=False, description="账号停用或终端不符 / account deactivated or device not allowed"
    ),
}
THROTTLED = {
    429: ResponseSpec(
        Problem,
        generate_examples=False,
        description="失败次数过多，见 Retry-After / too many failures, see Retry-After",
    )
}


class AuthController(Controller):
    path = "/auth"
    tags = ("auth",)
    opt: Mapping[str, object] = {"public": True}
    security = ({},)  # OpenAPI: no bearer token needed here

    @post("/login", status_code=200, responses=REFUSALS | THROTTLED, summary="登录 / sign in")
    async def login(
        self, request: Request[Any, Any, Any], db: Db, state: State, data: JSONBody[LoginRequest]
    ) -> Response[TokenPair]:
        settings, address = state.settings, client_address(request)
        return answer(
            request, await service.sign_in(db, data, auth=settings.auth, throttle=settings.throttle, address=address)
        )

    @post("/refresh", status_code=200, responses=REFUSALS, summary="刷新令牌 / rotate the refresh token")
    async def refresh(
        self, request: Request[Any, Any, Any], db: Db, state: State, data: JSONBody[RefreshRequest]
    ) -> Response[TokenPair]:
        return answer(request, await service.refresh(db, data.refresh_token, auth=state.settings.auth))

    @post("/logout", status_code=204, summary="退出登录 / sign out: revoke this sign-in's refresh tokens")
    async def logout(self, db: Db, data: JSONBody[RefreshRequest]) -> None:
        await service.sign_out(db, data.refresh_token)
