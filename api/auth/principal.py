"""Who is calling: the authenticated user as every handler and service sees it."""

from __future__ import annotations

import uuid

import msgspec

from mobile_contract.auth import Role


class Principal(msgspec.Struct, frozen=True):
    """操作人 / the caller, as their access token names them.

    ``sign_in_id`` is the sign-in (登录会话) the token belongs to: the refresh-token family,
    ended by sign-out, by revoking or re-binding the handheld, or by a password change or
    deactivation. ``token_version`` is the user's token version when the token was issued; a
    change of role, department, region, password or active flag raises it. Either one ends
    the token at once (``api.auth.revocation``). Both are None/0 only for a principal that was
    never put into a token.
    """

    user_id: uuid.UUID
    username: str
    role: Role
    department_id: uuid.UUID
    region_code: str
    device_id: str | None = None
    sign_in_id: uuid.UUID | None = None
    token_version: int = 0

    @property
    def department_scope(self) -> uuid.UUID | None:
        """The department a query is limited to; None (all) for admins."""
        return None if self.role is Role.ADMIN else self.department_id

    def can_see_department(self, department_id: uuid.UUID) -> bool:
        """Department scope (实施机构): only admins see across departments."""
        return self.role is Role.ADMIN or self.department_id == department_id
