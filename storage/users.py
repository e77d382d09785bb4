"""SQL for departments (实施机构) and user accounts."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from mobile_contract.problems import Conflict, InvalidInput
from storage.db import Connection

DEPARTMENT_COLUMNS = "id, code, name, region_code, created_at"
USER_COLUMNS = (
    "id, username, display_name, password_hash, role, department_id, region_code, certificate_no, active, created_at,"
    " token_version"
)
DEPARTMENT_CHANGEABLE = frozenset({"name", "region_code"})
USER_CHANGEABLE = frozenset(
    {"display_name", "password_hash", "role", "department_id", "region_code", "certificate_no", "active"}
)
# Constraint → the answer a caller can act on (storage translates asyncpg errors at its boundary).
CONFLICTS = {
    "departments_code_key": ("实施机构编码已存在", "department code already exists", "department-code-taken"),
    "users_username_key": ("用户名已被使用", "username already taken", "username-taken"),
    "users_certificate_no": (
        "该执法证号已登记给其他用户",
        "certificate number already registered",
        "certificate-taken",
    ),
}


def _translated(exc: asyncpg.IntegrityConstraintViolationError) -> Exception:
    name = getattr(exc, "constraint_name", None) or ""
    if name in CONFLICTS:
        detail, detail_en, code = CONFLICTS[name]
        return Conflict(detail, detail_en, code=code)
    if name == "inspector_has_certificate":
        return InvalidInput(
            "执法人员必须填写执法证号", "inspectors need a certificate number", code="certificate-required"
        )
    return exc


async def _returning(conn: Connection, sql: str, *args: Any) -> asyncpg.Record:
    try:
        row = await conn.fetchrow(sql, *args)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise _translated(exc) from exc
    assert row is not None
    return row


async def create_department(
    conn: Connection, *, id: uuid.UUID, code: str, name: str, region_code: str
) -> asyncpg.Record:
    return await _returning(
        conn,
        f"INSERT INTO departments (id, code, name, region_code) VALUES ($1, $2, $3, $4) RETURNING {DEPARTMENT_COLUMNS}",  # noqa: S608
        id,
        code,
        name,
        region_code,
    )


async def get_department(conn: Connection, *, id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {DEPARTMENT_COLUMNS} FROM departments WHERE id = $1", id)  # noqa: S608


async def get_department_by_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {DEPARTMENT_COLUMNS} FROM departments WHERE code = $1", code)  # noqa: S608


async def list_departments(conn: Connection) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {DEPARTMENT_COLUMNS} FROM departments ORDER BY code")  # noqa: S608


async def update_department(conn: Connection, *, id: uuid.UUID, changes: Mapping[str, Any]) -> asyncpg.Record:
    return await _update(conn, "departments", DEPARTMENT_COLUMNS, DEPARTMENT_CHANGEABLE, id, changes)


async def create_user(
    conn: Connection,
    *,
    id: uuid.UUID,
    username: str,
    display_name: str,
    password_hash: str,
    role: str,
    department_id: uuid.UUID,
    region_code: str,
    certificate_no: str | None,
) -> asyncpg.Record:
    return await _returning(
        conn,
        "INSERT INTO users (id, username, display_name, password_hash, role, department_id, region_code,"  # noqa: S608
        f" certificate_no) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {USER_COLUMNS}",
        id,
        username,
        display_name,
        password_hash,
        role,
        department_id,
        region_code,
        certificate_no,
    )


async def get_user_by_username(conn: Connection, *, username: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE username = $1", username)  # noqa: S608


async def get_user(conn: Connection, *, id: uuid.UUID, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE id = $1{lock}", id)  # noqa: S608


async def list_users(conn: Connection, *, department_id: uuid.UUID | None) -> list[asyncpg.Record]:
    """Users of one department, or of all when ``department_id`` is None (admins)."""
    return await conn.fetch(
        f"SELECT {USER_COLUMNS} FROM users WHERE $1::uuid IS NULL OR department_id = $1 ORDER BY username",  # noqa: S608
        department_id,
    )


async def update_user(conn: Connection, *, id: uuid.UUID, changes: Mapping[str, Any]) -> asyncpg.Record:
    return await _update(conn, "users", USER_COLUMNS, USER_CHANGEABLE, id, changes)


async def _update(
    conn: Connection, table: str, columns: str, allowed: frozenset[str], id: uuid.UUID, changes: Mapping[str, Any]
) -> asyncpg.Record:
    """UPDATE only whitelisted columns (names never come from the caller's input)."""
    unknown = set(changes) - allowed
    assert not unknown, f"not changeable: {unknown}"
    names = list(changes)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=2))
    return await _returning(
        conn,
        f"UPDATE {table} SET {assignments} WHERE id = $1 RETURNING {columns}",  # noqa: S608
        id,
        *(changes[n] for n in names),
    )


async def raised_token_versions(conn: Connection) -> list[asyncpg.Record]:
    """Users whose token version was ever raised (``id``, ``token_version``); the rest are at 0."""
    return await conn.fetch("SELECT id, token_version FROM users WHERE token_version > 0")
