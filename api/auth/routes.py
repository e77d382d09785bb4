"""Sign-in, refresh and sign-out: the only routes reachable without an access token."""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, Request, Response, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from api.auth import service
from api.deps import Db
from api.errors import problem_response
from mobile_contract.auth import LoginRequest, RefreshRequest, TokenPair
from mobile_contract.problems import AppError, Problem

REFUSALS = {
    401: ResponseSpec(
        Problem, generate_examples=False, description="用户名或密码错误、令牌无效 / bad credentials or token"
    ),
    403: ResponseSpec(
        Problem, generate_examples=False, description="账号停用或终端不符 / account deactivated or device not allowed"
    ),
}


def answer(request: Request[Any, Any, Any], outcome: TokenPair | AppError) -> Response[TokenPair]:
    """A refusal still commits the request's transaction (its audit entry); then it is sent as a problem."""
    if isinstance(outcome, AppError):
        return problem_response(request, outcome)  # type: ignore[return-value]
    return Response(outcome)


class AuthController(Controller):
    path = "/auth"
    tags: ClassVar[list[str]] = ["auth"]
    opt: ClassVar[dict[str, object]] = {"public": True}
    security: ClassVar[list[dict[str, list[str]]]] = [{}]  # OpenAPI: no bearer token needed here

    @post("/login", status_code=200, responses=REFUSALS, summary="登录 / sign in")
    async def login(
        self, request: Request[Any, Any, Any], db: Db, state: State, data: JSONBody[LoginRequest]
    ) -> Response[TokenPair]:
        return answer(request, await service.sign_in(db, data, auth=state.settings.auth))

    @post("/refresh", status_code=200, responses=REFUSALS, summary="刷新令牌 / rotate the refresh token")
    async def refresh(
        self, request: Request[Any, Any, Any], db: Db, state: State, data: JSONBody[RefreshRequest]
    ) -> Response[TokenPair]:
        return answer(request, await service.refresh(db, data.refresh_token, auth=state.settings.auth))

    @post("/logout", status_code=204, summary="退出登录 / sign out: revoke this sign-in's refresh tokens")
    async def logout(self, db: Db, data: JSONBody[RefreshRequest]) -> None:
        await service.sign_out(db, data.refresh_token)
