"""Rules for departments (实施机构) and user accounts; handheld devices are in ``devices.py``.

Only admins change anything (the routes' guards say so; the command line acts
as the local administrator). Supervisors read their own department. Every
change is audited with the hashes of the row before and after. A password
change or a deactivation ends every sign-in of that user.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import asyncpg
import msgspec

from api.audit.trail import Actor, record
from api.auth.passwords import hash_password_off_loop
from api.auth.principal import Principal
from api.auth.scope import department_scope
from mobile_contract.auth import Role, UserRead
from mobile_contract.problems import FieldError, InvalidInput, NotFound
from mobile_contract.users import DepartmentCreate, DepartmentRead, DepartmentUpdate, UserCreate, UserUpdate
from storage import sessions, users
from storage.db import Connection

S = TypeVar("S", bound=msgspec.Struct)
ENDS_SIGN_INS = frozenset({"password_hash", "active"})


def as_read(kind: type[S], row: asyncpg.Record) -> S:
    return msgspec.convert(dict(row), kind)


def changes_of(data: msgspec.Struct) -> dict[str, Any]:
    """The fields an ``XUpdate`` sets (UNSET ones left out), as column values."""
    values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    return {k: v.value if isinstance(v, Role) else v for k, v in values.items()}


async def create_department(conn: Connection, actor: Actor, data: DepartmentCreate) -> DepartmentRead:
    row = await users.create_department(conn, id=uuid.uuid4(), **msgspec.structs.asdict(data))
    await _record_department(conn, actor, "department.create", None, row)
    return as_read(DepartmentRead, row)


async def list_departments(conn: Connection) -> list[DepartmentRead]:
    return [as_read(DepartmentRead, row) for row in await users.list_departments(conn)]


async def update_department(conn: Connection, actor: Actor, id: uuid.UUID, data: DepartmentUpdate) -> DepartmentRead:
    before = await users.get_department(conn, id=id)
    if before is None:
        raise NotFound("未找到该实施机构", f"department {id} not found")
    if not (changes := changes_of(data)):
        return as_read(DepartmentRead, before)
    after = await users.update_department(conn, id=id, changes=changes)
    await _record_department(conn, actor, "department.update", before, after)
    return as_read(DepartmentRead, after)


async def _record_department(
    conn: Connection, actor: Actor, action: str, before: asyncpg.Record | None, after: asyncpg.Record
) -> None:
    await record(
        conn,
        actor,
        action=action,
        entity_type="department",
        entity_id=str(after["id"]),
        department_id=after["id"],
        before=before,
        after=after,
    )


async def existing_department(conn: Connection, id: uuid.UUID) -> asyncpg.Record:
    department = await users.get_department(conn, id=id)
    if department is None:
        raise InvalidInput(
            "所属实施机构不存在",
            f"department {id} does not exist",
            errors=[FieldError(field="department_id", message="所属实施机构不存在 / no such department")],
        )
    return department


async def create_user(conn: Connection, actor: Actor, data: UserCreate) -> UserRead:
    department = await existing_department(conn, data.department_id)
    if data.role is Role.INSPECTOR and data.certificate_no is None:
        raise InvalidInput(
            "执法人员必须填写执法证号",
            "inspectors need a certificate number",
            code="certificate-required",
            errors=[FieldError(field="certificate_no", message="执法人员必填 / required for inspectors")],
        )
    row = await users.create_user(
        conn,
        id=uuid.uuid4(),
        username=data.username,
        display_name=data.display_name,
        password_hash=await hash_password_off_loop(data.password),
        role=data.role.value,
        department_id=department["id"],
        region_code=data.region_code or department["region_code"],
        certificate_no=data.certificate_no,
    )
    await _record_user(conn, actor, "user.create", None, row, {})
    return as_read(UserRead, row)


async def get_user(conn: Connection, principal: Principal, id: uuid.UUID) -> UserRead:
    row = await users.get_user(conn, id=id)
    if row is None or not principal.can_see_department(row["department_id"]):
        raise NotFound("未找到该用户", f"user {id} not found")
    return as_read(UserRead, row)


async def list_users(conn: Connection, principal: Principal, department_id: uuid.UUID | None) -> list[UserRead]:
    rows = await users.list_users(conn, department_id=department_scope(principal, department_id))
    return [as_read(UserRead, row) for row in rows]


async def update_user(conn: Connection, actor: Actor, id: uuid.UUID, data: UserUpdate) -> UserRead:
    before = await users.get_user(conn, id=id, for_update=True)
    if before is None:
        raise NotFound("未找到该用户", f"user {id} not found")
    changes = changes_of(data)
    if "password" in changes:
        changes["password_hash"] = await hash_password_off_loop(changes.pop("password"))
    if "department_id" in changes:
        await existing_department(conn, changes["department_id"])
    if not changes:
        return as_read(UserRead, before)
    after = await users.update_user(conn, id=id, changes=changes)
    ended = await sessions.revoke_for_user(conn, user_id=id) if ENDS_SIGN_INS & changes.keys() else 0
    await _record_user(conn, actor, "user.update", before, after, {"changed": sorted(changes), "sign_ins_ended": ended})
    return as_read(UserRead, after)


async def _record_user(
    conn: Connection,
    actor: Actor,
    action: str,
    before: asyncpg.Record | None,
    after: asyncpg.Record,
    detail: dict[str, Any],
) -> None:
    await record(
        conn,
        actor,
        action=action,
        entity_type="user",
        entity_id=str(after["id"]),
        department_id=after["department_id"],
        before=before,
        after=after,
        detail=detail,
    )


async def me(conn: Connection, principal: Principal) -> UserRead:
    """The caller's own account, read fresh (a role or department changed since sign-in shows here)."""
    return await get_user(conn, principal, principal.user_id)
