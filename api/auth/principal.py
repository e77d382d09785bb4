"""Who is calling: the authenticated user as every handler and service sees it."""

from __future__ import annotations

import uuid

import msgspec

from mobile_contract.auth import Role


class Principal(msgspec.Struct, frozen=True):
    user_id: uuid.UUID
    username: str
    role: Role
    department_id: uuid.UUID
    region_code: str
    device_id: str | None = None

    @property
    def department_scope(self) -> uuid.UUID | None:
        """The department a query is limited to; None (all) for admins."""
        return None if self.role is Role.ADMIN else self.department_id

    def can_see_department(self, department_id: uuid.UUID) -> bool:
        """Department scope (实施机构): only admins see across departments."""
        return self.role is Role.ADMIN or self.department_id == department_id
