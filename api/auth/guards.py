"""Authorisation rules. Every route declares one; the app refuses to start otherwise.

- ``requires(*roles)``: the caller holds one of the roles. Department scope
  (an inspector sees only their 实施机构's data) is applied in each service,
  in SQL, so a guessed ID from another department reads as not found.
- ``opt={"public": True}``: deliberately open routes (sign-in, health, schema).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from api.auth.principal import Principal
from mobile_contract.auth import ROLE_NAMES, Role
from mobile_contract.problems import Forbidden, Unauthenticated

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]
ALL_ROLES = tuple(Role)
HUMAN_ROLES = tuple(r for r in Role if r is not Role.VISION_NODE)


def principal_of(connection: ASGIConnection) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise Unauthenticated("请先登录", "authentication required")
    return user


def requires(*roles: Role) -> Guard:
    """A guard admitting callers that hold any of ``roles``."""
    allowed = frozenset(roles)

    # async: Litestar runs a synchronous guard in a worker thread, a thread hop on every request
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if principal.role not in allowed:
            names = "、".join(ROLE_NAMES[r] for r in sorted(allowed))
            raise Forbidden(
                f"当前角色无权执行此操作（需要：{names}）", f"role {principal.role} not in {sorted(allowed)}"
            )

    guard.roles = allowed  # type: ignore[attr-defined]  # read by the route-rule check
    return guard
