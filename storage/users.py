"""SQL for departments (实施机构), users and handheld devices."""

from __future__ import annotations

import uuid

import asyncpg

from storage.db import Connection

USER_COLUMNS = "id, username, display_name, password_hash, role, department_id, region_code, certificate_no, active"


async def create_department(conn: Connection, *, id: uuid.UUID, code: str, name: str, region_code: str) -> None:
    await conn.execute(
        "INSERT INTO departments (id, code, name, region_code) VALUES ($1, $2, $3, $4)",
        id,
        code,
        name,
        region_code,
    )


async def get_department_by_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, code, name, region_code FROM departments WHERE code = $1", code)


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
) -> None:
    await conn.execute(
        "INSERT INTO users (id, username, display_name, password_hash, role, department_id, region_code,"
        " certificate_no) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
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


async def get_user(conn: Connection, *, id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE id = $1", id)  # noqa: S608
