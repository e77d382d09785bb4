"""Department scope (实施机构): which department's data a caller may read."""

from __future__ import annotations

import uuid

from api.auth.principal import Principal
from mobile_contract.auth import Role
from mobile_contract.problems import NotFound


def department_scope(principal: Principal, requested: uuid.UUID | None) -> uuid.UUID | None:
    """The department to filter on: admins any they ask for (None = all), everyone else only their own.

    Asking for another department answers 404, as a guessed ID from there would.
    """
    if principal.role is Role.ADMIN:
        return requested
    if requested not in (None, principal.department_id):
        raise NotFound("未找到该机构", f"department {requested} not visible to this user")
    return principal.department_id
