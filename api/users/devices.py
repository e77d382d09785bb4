"""Rules for handheld devices (执法终端): registered by an admin, bound to one inspector, revocable.

An inspector signs in only from a device bound to them (``api.auth.service``).
Binding to another inspector or revoking ends every sign-in made on the
device, so a lost or handed-over handheld stops working at its next refresh.
Revocation is final; a device back in service is registered under a new ID.
"""

from __future__ import annotations

import uuid

import asyncpg

from api.audit.trail import Actor, record
from api.auth.principal import Principal
from api.auth.scope import department_scope
from api.users.service import as_read
from mobile_contract.auth import Role
from mobile_contract.problems import Conflict, FieldError, InvalidInput, NotFound
from mobile_contract.users import DeviceBind, DeviceRead, DeviceRegister
from storage import devices, sessions, users
from storage.db import Connection


async def _inspector(conn: Connection, user_id: uuid.UUID) -> asyncpg.Record:
    user = await users.get_user(conn, id=user_id)
    if user is None or user["role"] != Role.INSPECTOR or not user["active"]:
        raise InvalidInput(
            "执法终端只能绑定到在职的执法人员",
            f"user {user_id} is not an active inspector",
            code="not-an-inspector",
            errors=[FieldError(field="user_id", message="须为在职执法人员 / must be an active inspector")],
        )
    return user


async def _device_for_change(conn: Connection, id: str) -> asyncpg.Record:
    device = await devices.get_device(conn, id=id, for_update=True)
    if device is None:
        raise NotFound("未找到该执法终端", f"device {id} not found")
    return device


async def register(conn: Connection, actor: Actor, data: DeviceRegister) -> DeviceRead:
    inspector = await _inspector(conn, data.user_id)
    row = await devices.register_device(
        conn, id=data.id, user_id=inspector["id"], department_id=inspector["department_id"], label=data.label
    )
    await _record_device(conn, actor, "device.register", None, row, ended=0)
    return as_read(DeviceRead, row)


async def list_devices(conn: Connection, principal: Principal, department_id: uuid.UUID | None) -> list[DeviceRead]:
    rows = await devices.list_devices(conn, department_id=department_scope(principal, department_id))
    return [as_read(DeviceRead, row) for row in rows]


async def bind(conn: Connection, actor: Actor, id: str, data: DeviceBind) -> DeviceRead:
    before = await _device_for_change(conn, id)
    if before["revoked_at"] is not None:
        raise Conflict("该终端已停用，不能改绑", f"device {id} is revoked", code="device-revoked")
    inspector = await _inspector(conn, data.user_id)
    after = await devices.bind_device(conn, id=id, user_id=inspector["id"], department_id=inspector["department_id"])
    ended = await sessions.revoke_for_device(conn, device_id=id)
    await _record_device(conn, actor, "device.bind", before, after, ended=ended)
    return as_read(DeviceRead, after)


async def revoke(conn: Connection, actor: Actor, id: str) -> DeviceRead:
    """Take a device out of service (lost, broken, handed back); revoking twice changes nothing."""
    before = await _device_for_change(conn, id)
    if before["revoked_at"] is not None:
        return as_read(DeviceRead, before)
    after = await devices.revoke_device(conn, id=id)
    ended = await sessions.revoke_for_device(conn, device_id=id)
    await _record_device(conn, actor, "device.revoke", before, after, ended=ended)
    return as_read(DeviceRead, after)


async def _record_device(
    conn: Connection, actor: Actor, action: str, before: asyncpg.Record | None, after: asyncpg.Record, *, ended: int
) -> None:
    await record(
        conn,
        actor,
        action=action,
        entity_type="device",
        entity_id=after["id"],
        department_id=after["department_id"],
        before=before,
        after=after,
        detail={"user_id": str(after["user_id"]), "sign_ins_ended": ended},
    )
